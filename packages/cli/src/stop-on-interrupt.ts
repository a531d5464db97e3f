/**
 * Turns the first Ctrl-C into a request to stop after the current step (the run then writes `what`, by default a
 * checkpoint); a second one quits at once. `release` restores the default handling.
 */
export function stopOnInterrupt(log: (line: string) => void, what = 'a checkpoint'): { requested: () => boolean; release: () => void } {
  let requested = false;
  const onInterrupt = () => {
    if (requested) process.exit(130);
    requested = true;
    log(`\nstopping after this step and writing ${what} (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onInterrupt);
  return { requested: () => requested, release: () => process.off('SIGINT', onInterrupt) };
}
