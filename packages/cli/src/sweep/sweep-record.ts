import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDir, writeFileAtomic } from '../files/atomic-write';
import { appendJsonLine } from '../files/json-lines';
import type { SweepRun } from './sweep-plan';
import type { SweepSpec } from './sweep-spec';

/** Files of a sweep's directory. */
export const SWEEP_FILES = {
  /** The record: one entry per run. Only `not sweep` writes it, atomically. */
  record: 'sweep.json',
  /** Every status change, one JSON line each (what happened when, and on which worker). */
  events: 'sweep-events.jsonl',
  /** runs/<id>: each run's usual folder. */
  runs: 'runs',
  /** In a run's folder: the outcome its worker wrote when the run ended (read back after a restart). */
  outcome: 'sweep-run.json',
  /** In a run's folder: the run's own output (stderr), every attempt appended. */
  log: 'sweep.log',
  report: 'report.html',
} as const;

export type RunStatus = 'pending' | 'running' | 'done' | 'failed';

/** What a finished run measured: the value its choices were made by (validation) and the chosen map's on the test split. */
export interface RunMetrics {
  /** The metric's name (classifier, fid), null when the run evaluated nothing. */
  metric: string | null;
  validation: number | null;
  /** The selected map's value on the test split: a train run's best map, a stack run's selected depth. */
  test: number | null;
  /** step (train: the best map's step), depth (stack), targetShare (the classifier's share of target-class outputs). */
  details: Record<string, number>;
}

/** How one attempt at a run ended, as its worker writes it (DIR/runs/<id>/sweep-run.json). */
export interface RunOutcome extends RunMetrics {
  id: string;
  attempt: number;
  status: 'done' | 'failed' | 'interrupted';
  error: string | null;
  worker: string;
  /** Wall-clock minutes of this attempt (a resumed run's earlier attempts are not included). */
  minutes: number;
  started: string;
  finished: string;
}

/** One run in sweep.json. */
export interface SweepEntry extends SweepRun, RunMetrics {
  status: RunStatus;
  /** Bumped when a failed run is tried again (a new `not sweep` on the same DIR): the queue's job id changes with it. */
  attempt: number;
  /** The run's folder, relative to DIR. */
  dir: string;
  minutes: number | null;
  worker: string | null;
  error: string | null;
  finished: string | null;
}

export interface SweepFile {
  version: 1;
  /** Random, made once: names this sweep's jobs on a shared queue. */
  id: string;
  spec: SweepSpec;
  created: string;
  updated: string;
  runs: SweepEntry[];
}

/**
 * DIR/sweep.json, the sweep's record (the queue is not: a Redis restart loses nothing finished). One process writes
 * it, `not sweep`, atomically after each change; a run goes to `done` or `failed` once, and a second report of the same
 * run is ignored, so no run is ever recorded done twice.
 */
export class SweepRecord {
  private constructor(
    readonly dir: string,
    readonly file: SweepFile,
  ) {}

  /**
   * Opens DIR's record, or starts one. An existing record keeps its finished runs; runs that were running or pending
   * wait again (they resume from their checkpoints), failed ones are tried again, and runs new to the spec are added.
   * A run whose flags changed is an error: its folder holds another run.
   */
  static open(dir: string, spec: SweepSpec, runs: SweepRun[]): SweepRecord {
    const path = join(dir, SWEEP_FILES.record);
    makeDir(join(dir, SWEEP_FILES.runs));
    const now = new Date().toISOString();
    const file: SweepFile = existsSync(path) ? readSweepFile(path) : { version: 1, id: randomBytes(6).toString('hex'), spec, created: now, updated: now, runs: [] };
    const byId = new Map(file.runs.map((r) => [r.id, r]));
    for (const run of runs) {
      const old = byId.get(run.id);
      if (!old) {
        file.runs.push(newEntry(run));
        continue;
      }
      if (runKey(old) !== runKey(run)) {
        throw new Error(`sweep: ${path} holds run ${run.id} with other flags (${JSON.stringify(old.flags)}, now ${JSON.stringify(run.flags)}); use another --out for a changed spec`);
      }
    }
    file.spec = spec;
    const record = new SweepRecord(dir, file);
    for (const entry of file.runs) {
      if (entry.status === 'running') record.change(entry, { status: 'pending' });
      if (entry.status === 'failed') record.change(entry, { status: 'pending', attempt: entry.attempt + 1, error: null, finished: null });
    }
    record.save();
    return record;
  }

  get runs(): readonly SweepEntry[] {
    return this.file.runs;
  }

  entry(id: string): SweepEntry {
    const entry = this.file.runs.find((r) => r.id === id);
    if (!entry) throw new Error(`SweepRecord.entry: no run "${id}" in ${join(this.dir, SWEEP_FILES.record)}`);
    return entry;
  }

  /** Whether a run has ended (done or failed). */
  final(id: string): boolean {
    const { status } = this.entry(id);
    return status === 'done' || status === 'failed';
  }

  /** A run was taken by `worker`. Ignored once the run has ended. */
  running(id: string, worker: string | null): void {
    const entry = this.entry(id);
    if (this.final(id) || (entry.status === 'running' && entry.worker === worker)) return;
    this.change(entry, { status: 'running', worker });
  }

  /** A run went back to waiting (interrupted; its job returned to the queue). Ignored once the run has ended. */
  pending(id: string): void {
    const entry = this.entry(id);
    if (this.final(id) || entry.status === 'pending') return;
    this.change(entry, { status: 'pending' });
  }

  /**
   * Records how an attempt ended; returns false (and changes nothing) when the run has already ended or the outcome
   * belongs to an earlier attempt: a run is recorded done or failed once.
   */
  finish(outcome: RunOutcome): boolean {
    const entry = this.entry(outcome.id);
    if (this.final(outcome.id) || outcome.attempt !== entry.attempt) return false;
    if (outcome.status === 'interrupted') {
      this.pending(outcome.id);
      return false;
    }
    const { metric, validation, test, details, worker, minutes, error, finished, status } = outcome;
    this.change(entry, { status, metric, validation, test, details, worker, minutes, error, finished });
    return true;
  }

  /** Records a run failed without an outcome of its own (its first stage failed, its job failed in the queue). */
  fail(id: string, error: string): boolean {
    const entry = this.entry(id);
    if (this.final(id)) return false;
    this.change(entry, { status: 'failed', error, finished: new Date().toISOString() });
    return true;
  }

  /** The run's folder, absolute if DIR is. */
  runDir(id: string): string {
    return join(this.dir, this.entry(id).dir);
  }

  counts(): Record<RunStatus, number> {
    const counts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.file.runs) counts[r.status]++;
    return counts;
  }

  private change(entry: SweepEntry, changes: Partial<SweepEntry>): void {
    Object.assign(entry, changes);
    appendJsonLine(join(this.dir, SWEEP_FILES.events), { time: new Date().toISOString(), id: entry.id, status: entry.status, attempt: entry.attempt, worker: entry.worker, ...(entry.error ? { error: entry.error } : {}) });
    this.save();
  }

  save(): void {
    this.file.updated = new Date().toISOString();
    writeFileAtomic(join(this.dir, SWEEP_FILES.record), `${JSON.stringify(this.file, null, 2)}\n`);
  }
}

/** What makes a run the same run: its command, flags (in any order) and parent. */
function runKey(run: SweepRun): string {
  return JSON.stringify([run.command, Object.entries(run.flags).sort(([a], [b]) => a.localeCompare(b)), run.parent]);
}

function newEntry(run: SweepRun): SweepEntry {
  return { ...run, status: 'pending', attempt: 1, dir: join(SWEEP_FILES.runs, run.id), metric: null, validation: null, test: null, details: {}, minutes: null, worker: null, error: null, finished: null };
}

/** Reads a sweep.json; says what is wrong with one that is not. */
export function readSweepFile(path: string): SweepFile {
  let file: SweepFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as SweepFile;
  } catch (error) {
    throw new Error(`sweep: ${path} is not readable JSON (${(error as Error).message})`);
  }
  if (file?.version !== 1 || !Array.isArray(file.runs)) throw new Error(`sweep: ${path} is not a sweep record (expected version 1 and a list of runs)`);
  return file;
}
