import { resolve } from 'node:path';
import { flagArgs } from './command-flags';
import type { RunJob } from './execute-run';
import type { SweepEntry, SweepRecord } from './sweep-record';

/** A run's job: its flags as arguments, and a stack run in a tree builds on its train run's folder (--first). */
export function jobFor(record: SweepRecord, entry: SweepEntry): RunJob {
  const first = entry.parent ? ['--first', resolve(record.runDir(entry.parent))] : [];
  return { sweep: record.file.id, id: entry.id, attempt: entry.attempt, command: entry.command, dir: resolve(record.runDir(entry.id)), args: [...flagArgs(entry.flags), ...first] };
}

/** Runs that may start: pending, and in a tree, their train run done. */
export function readyRuns(record: SweepRecord): SweepEntry[] {
  return record.runs.filter((r) => r.status === 'pending' && (!r.parent || record.entry(r.parent).status === 'done'));
}

/** Records failed the runs whose first stage (their train run) failed: they cannot start. Returns them. */
export function failOrphans(record: SweepRecord): SweepEntry[] {
  const failed: SweepEntry[] = [];
  for (const r of record.runs) {
    if (r.parent && !record.final(r.id) && record.entry(r.parent).status === 'failed') {
      if (record.fail(r.id, `its first stage, run ${r.parent}, failed`)) failed.push(r);
    }
  }
  return failed;
}

/** Whether every run has ended. */
export function allFinal(record: SweepRecord): boolean {
  return record.runs.every((r) => record.final(r.id));
}
