import { hostname } from 'node:os';
import { executeRun } from './execute-run';
import { failOrphans, jobFor, readyRuns } from './sweep-jobs';
import type { RunOutcome, SweepEntry, SweepRecord } from './sweep-record';

export interface LocalSweepOptions {
  /** Runs at a time, each in a process of its own. */
  workers: number;
  /** Stops starting runs and interrupts those running (each stops with a checkpoint and waits again in the record). */
  signal?: AbortSignal;
  /** Called after each change of a run's status. */
  onChange?: (entry: SweepEntry, outcome?: RunOutcome) => void;
}

/**
 * The local executor: up to `workers` runs at once on this machine, each a child process (executeRun), the next
 * ready run starting as soon as one ends, until every run has ended (or `signal` stops it). No server.
 */
export async function runLocalSweep(record: SweepRecord, { workers, signal, onChange }: LocalSweepOptions): Promise<void> {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`runLocalSweep: workers must be an integer >= 1, got ${workers}`);
  const active = new Map<string, Promise<void>>();
  const slots = new Set<number>();
  const start = (entry: SweepEntry) => {
    let slot = 1;
    while (slots.has(slot)) slot++;
    slots.add(slot);
    const worker = `${hostname()}/local-${slot}`;
    record.running(entry.id, worker);
    onChange?.(entry);
    const run = executeRun(jobFor(record, entry), worker, { signal })
      .then((outcome) => {
        record.finish(outcome);
        onChange?.(record.entry(entry.id), outcome);
      })
      .catch((error: unknown) => {
        record.fail(entry.id, `${worker}: ${(error as Error).message}`);
        onChange?.(record.entry(entry.id));
      })
      .finally(() => {
        active.delete(entry.id);
        slots.delete(slot);
      });
    active.set(entry.id, run);
  };
  for (;;) {
    for (const orphan of failOrphans(record)) onChange?.(orphan);
    if (!signal?.aborted) {
      for (const entry of readyRuns(record)) {
        if (active.size >= workers) break;
        if (!active.has(entry.id)) start(entry);
      }
    }
    if (active.size === 0) return;
    await Promise.race(active.values());
  }
}
