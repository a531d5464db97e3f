/**
 * Turns the first Ctrl-C into an abort of the returned signal: the run stops after the current step and writes
 * `what`, by default a checkpoint. A second Ctrl-C quits at once. `release` restores the default handling.
 */
export function stopOnInterrupt(log: (line: string) => void, what = 'a checkpoint'): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    log(`\nstopping after this step and writing ${what} (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onInterrupt);
  return { signal: stop.signal, release: () => process.off('SIGINT', onInterrupt) };
}
