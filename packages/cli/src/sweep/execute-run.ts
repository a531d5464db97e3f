import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDir, writeFileAtomic } from '../files/atomic-write';
import type { SweepCommand } from './command-flags';
import { readRunMetrics } from './run-metrics';
import { type RunOutcome, SWEEP_FILES } from './sweep-record';

/** What a worker needs to run one run: the same on every machine, since DIR is a path all workers share. */
export interface RunJob {
  /** The sweep's id (sweep.json). */
  sweep: string;
  id: string;
  attempt: number;
  command: SweepCommand;
  /** The run's folder (absolute). */
  dir: string;
  /** The command's flags as arguments (a stack run on a train run has --first <its folder>). */
  args: string[];
}

export interface ExecuteRunOptions {
  /** Aborting it interrupts the run (SIGINT: it stops after its step with a checkpoint); the outcome is 'interrupted'. */
  signal?: AbortSignal;
  /** Called with the run's process id once it started. */
  onStart?: (pid: number) => void;
}

/**
 * Runs one run in a child process (`not <command> … --out <dir> --resume --json`), so that a crash or a kill ends
 * that run only, and writes how it ended to <dir>/sweep-run.json (atomically) unless it was interrupted. `--resume`
 * makes a run taken again continue from its last checkpoint (a run with none starts afresh). An outcome already on
 * disk for this attempt (the worker that wrote it died before reporting) is returned without running again. The
 * run's own output goes to <dir>/sweep.log.
 */
export async function executeRun(job: RunJob, worker: string, { signal, onStart }: ExecuteRunOptions = {}): Promise<RunOutcome> {
  const outcomePath = join(job.dir, SWEEP_FILES.outcome);
  const previous = readOutcome(outcomePath);
  if (previous && previous.attempt === job.attempt && previous.status !== 'interrupted') return previous;
  makeDir(job.dir);
  const logPath = join(job.dir, SWEEP_FILES.log);
  const started = new Date();
  const log = openSync(logPath, 'a');
  const logStart = statSync(logPath).size;
  const args = [job.command, ...job.args, '--out', job.dir, '--resume', '--json'];
  writeSync(log, `--- ${started.toISOString()} attempt ${job.attempt} on ${worker}: not ${args.join(' ')}\n`);
  let stdout = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    const child = spawn(process.execPath, [childEntry(), ...args], { stdio: ['ignore', 'pipe', log, 'ipc'], detached: true, env: process.env });
    // Its own process group: a Ctrl-C in the terminal reaches the run once, from here (see `signal`).
    const interrupt = () => child.kill('SIGINT');
    signal?.addEventListener('abort', interrupt, { once: true });
    if (signal?.aborted) interrupt();
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    if (child.pid !== undefined) onStart?.(child.pid);
    exit = await new Promise((resolve, reject) => {
      child.once('error', reject);
      // 'close', not 'exit': the run's last stdout line (its JSON summary) has been read by then.
      child.once('close', (code, sig) => resolve({ code, signal: sig }));
    });
    signal?.removeEventListener('abort', interrupt);
  } finally {
    closeSync(log);
  }
  const finished = new Date();
  const base = { id: job.id, attempt: job.attempt, worker, minutes: (finished.getTime() - started.getTime()) / 60_000, started: started.toISOString(), finished: finished.toISOString() };
  const none = { metric: null, validation: null, test: null, details: {} };
  const summary = lastJsonLine(stdout);
  let outcome: RunOutcome;
  if (exit.code === 0 && summary?.interrupted === true) outcome = { ...base, ...none, status: 'interrupted', error: null };
  else if (exit.code === 0) {
    try {
      outcome = { ...base, ...readRunMetrics(job.command, job.dir), status: 'done', error: null };
    } catch (error) {
      outcome = { ...base, ...none, status: 'failed', error: (error as Error).message };
    }
  } else outcome = { ...base, ...none, status: 'failed', error: failure(exit, readFileSync(logPath).subarray(logStart).toString()) };
  if (outcome.status !== 'interrupted') writeFileAtomic(outcomePath, `${JSON.stringify(outcome, null, 2)}\n`);
  return outcome;
}

/** The outcome a worker wrote in a run's folder, if any. */
export function readOutcome(path: string): RunOutcome | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunOutcome;
  } catch {
    // Written atomically, so this is not ours: treat the run as without an outcome.
    return null;
  }
}

/** The script a run's process starts: dist/run-child.js (beside this module once built; from the sources, in dist/). */
export function childEntry(): string {
  const candidates = [new URL('./run-child.js', import.meta.url), new URL('../../dist/run-child.js', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`executeRun: the run entry is not built (looked for ${candidates.join(' and ')}); run pnpm --filter @not/cli build`);
  return found;
}

/** Why a run failed, in one line: the command's own error ("not: …"), else the last line it wrote. */
function failure(exit: { code: number | null; signal: NodeJS.Signals | null }, output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const message = [...lines].reverse().find((l) => l.startsWith('not: '))?.slice(5) ?? lines.at(-1);
  const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return message ? `${how}: ${message}` : how;
}

function lastJsonLine(text: string): Record<string, unknown> | null {
  const line = text.trim().split('\n').at(-1);
  if (!line) return null;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}
