import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runLocalSweep } from './local-executor';
import { checkRedisUrl, runQueueSweep } from './queue-executor';
import { planSweep } from './sweep-plan';
import { sweepProgress } from './sweep-progress';
import { SWEEP_FILES, type SweepEntry, SweepRecord } from './sweep-record';
import { type SweepSpec, readSweepSpec } from './sweep-spec';

export interface SweepOptions {
  /** A spec file (JSON, or YAML by its extension) or a parsed spec. */
  spec: string | SweepSpec;
  /** The sweep's folder: sweep.json, and runs/<id> for each run (a path every worker sees the same). */
  out: string;
  /** Local executor: runs at a time (default: the cores). */
  workers?: number;
  /** BullMQ executor: a redis:// URL; `not worker` processes take the runs. */
  queue?: string;
  queueName?: string;
  pollMs?: number;
  /** Stops the sweep: local runs stop with a checkpoint; queued runs stay queued. `not sweep` again continues. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Where progress goes (default stderr: a bar on a terminal, lines elsewhere). */
  stream?: NodeJS.WriteStream;
}

/**
 * `not sweep`: checks the spec and every run's configuration (nothing starts on a bad one), opens or continues
 * DIR/sweep.json (runs done before are skipped), runs the rest on local worker processes or through BullMQ, and
 * returns the record once every run has ended or `signal` stopped the sweep.
 */
export async function runSweep(options: SweepOptions): Promise<SweepRecord> {
  const { out, signal, log = () => {} } = options;
  const spec = typeof options.spec === 'string' ? readSweepSpec(options.spec) : options.spec;
  const runs = planSweep(spec);
  if (options.queue) checkRedisUrl(options.queue);
  const record = SweepRecord.open(out, spec, runs);
  const before = record.counts().done;
  const workers = options.workers ?? availableParallelism();
  log(`sweep of ${runs.length} ${spec.then ? 'train and stack' : spec.command} run${runs.length === 1 ? '' : 's'} in ${out}${before ? ` (${before} done before: skipped)` : ''}; ` +
    (options.queue ? `through the queue on ${options.queue}: start workers with not worker --queue ${options.queue}` : `${workers} at a time on this machine`));
  const bar = sweepProgress(record, options.stream);
  try {
    if (options.queue) await runQueueSweep(record, { url: options.queue, queueName: options.queueName, pollMs: options.pollMs, signal, onChange: bar.update, log });
    else await runLocalSweep(record, { workers, signal, onChange: bar.update });
  } finally {
    bar.stop();
  }
  log(`the record: ${join(out, SWEEP_FILES.record)}; the sweep's page: not report ${out}`);
  return record;
}

/**
 * Runs best first: done ones by their validation metric (lower is better; runs recorded before the validation split by
 * their test one; those without either after), then failed, then the rest. Choosing among runs is a choice too, so the
 * test figures only report it.
 */
export function rankRuns(runs: readonly SweepEntry[]): SweepEntry[] {
  const order = (r: SweepEntry) => (r.status === 'done' ? (rankValue(r) !== null ? 0 : 1) : r.status === 'failed' ? 2 : 3);
  return [...runs].sort((a, b) => order(a) - order(b) || (rankValue(a) ?? 0) - (rankValue(b) ?? 0));
}

/** The value a run ranks by (see {@link rankRuns}). */
export function rankValue(r: SweepEntry): number | null {
  return r.validation ?? r.test;
}

/** The ranked runs as a text table. */
export function sweepTable(runs: readonly SweepEntry[]): string {
  const ranked = rankRuns(runs);
  const metric = ranked.find((r) => r.metric)?.metric ?? 'metric';
  const header = ['rank', 'run', 'status', `${metric} (validation)`, `${metric} (test)`, 'target share', 'minutes', 'worker'];
  const rows = ranked.map((r, i) => [
    r.status === 'done' && rankValue(r) !== null ? String(i + 1) : '',
    r.id,
    r.status,
    r.validation !== null ? r.validation.toFixed(2) : '–',
    r.test !== null ? r.test.toFixed(2) : '–',
    r.details.targetShare !== undefined ? `${(100 * r.details.targetShare).toFixed(1)}%` : '–',
    r.minutes !== null ? r.minutes.toFixed(1) : '–',
    r.worker ?? '',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}
