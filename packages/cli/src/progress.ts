import cliProgress from 'cli-progress';

/** Progress of a long loop: a bar on a terminal, a plain line every `every` steps elsewhere (CI logs). */
export interface Progress {
  update(step: number, fields: Record<string, string | number>): void;
  stop(): void;
}

/** `start` is the step a resumed loop begins at, so the ETA counts only the steps timed in this process. */
export function progress(label: string, total: number, { stream = process.stderr, every = Math.max(1, Math.round(total / 10)), start = 0 } = {}): Progress {
  const started = performance.now();
  const eta = (step: number) => ((performance.now() - started) / 1000 / Math.max(step - start, 1)) * (total - step);
  const describe = (fields: Record<string, string | number>) =>
    Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join('  ');
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total}  {fields}  ETA {etaText}`, hideCursor: true, stream },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, start, { fields: '', etaText: '?' });
    return {
      update: (step, fields) => bar.update(step, { fields: describe(fields), etaText: `${eta(step).toFixed(0)}s` }),
      stop: () => bar.stop(),
    };
  }
  return {
    update: (step, fields) => {
      if (step % every === 0 || step === total) {
        stream.write(`${label} ${step}/${total}  ${describe(fields)}  ETA ${eta(step).toFixed(0)}s\n`);
      }
    },
    stop: () => {},
  };
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toFixed(3);
}
