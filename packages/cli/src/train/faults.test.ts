import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { readCheckpoint } from './checkpoint';
import { RUN_FILES, type TrainMetrics } from './train-run';

// `not train` as users run it, in child processes that get killed, and on a full disk and a read-only folder. The
// built CLI runs (turbo builds the package before its tests).
const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;
const FLAGS = [
  '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', '--size', '16', '--batch-size', '4', '--t-iters', '2',
  '--base', '4', '--filters', '4', '--max-filters', '8', '--sample-every', '2', '--seed', '7', '--eval-every', '0',
  '--backend', 'wasm', '--threads', '1',
];

beforeAll(async () => {
  await useBackend('cpu'); // for reading checkpoints here
});

const scratch = mkdtempSync(join(tmpdir(), 'not-faults-'));
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) execFileSync('umount', [dir]);
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts `not train …`; `done` resolves with its exit code (or signal) and output. */
function train(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; output: string }> } {
  const child = spawn(process.execPath, [BIN, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const done = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, output })));
  return { child, done };
}

const steps = (dir: string): TrainMetrics[] =>
  readFileSync(join(dir, RUN_FILES.metrics), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
const losses = (lines: TrainMetrics[]) => lines.map((m) => [m.step, m.mapLoss, m.potentialLoss]);

/** The step of a run's checkpoint, read as `--resume` reads it (which throws on a corrupt file). */
function checkpointStep(dir: string): number {
  const saved = readCheckpoint(join(dir, RUN_FILES.checkpoint));
  tf.dispose(Object.values(saved.tensors));
  return saved.progress.step;
}

/** Waits (polling as fast as it can) until `seen()` holds, or `ms` pass; returns whether it held. */
async function until(seen: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (seen()) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

/** A small tmpfs at `dir` (root only); false where mounting is not allowed. */
function mountTmpfs(dir: string, bytes: number): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return false;
  }
  mounts.push(dir);
  return true;
}

const canMount = mountTmpfs(join(scratch, 'probe'), 1 << 20);

describe('not train under faults', () => {
  const straight = join(scratch, 'straight');

  it('killed (SIGKILL) mid-run, resumes from its last checkpoint: one interval lost at most, the same numbers', async () => {
    const run = (out: string, more: string[] = []) => train([...FLAGS, '--steps', '8', '--checkpoint-every', '2', '--out', out, ...more]);
    expect((await run(straight).done).code).toBe(0);
    const out = join(scratch, 'killed');
    const { child, done } = run(out);
    expect(await until(() => existsSync(join(out, RUN_FILES.metrics)) && steps(out).length >= 5, 120_000)).toBe(true);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killedAfter = steps(out).length;
    const saved = checkpointStep(out);
    expect(killedAfter - saved).toBeLessThanOrEqual(2);
    const resumed = await train(['--resume', '--out', out, '--backend', 'wasm', '--threads', '1']).done;
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain(`resumed ${out} at step ${saved} of 8`);
    expect(losses(steps(out))).toEqual(losses(steps(straight)));
  }, 300_000);

  it('killed while writing a checkpoint, keeps the previous one whole and resumes from it', async () => {
    // A checkpoint every step; kill the moment one's temporary file appears. Retried if the write won the race.
    for (let attempt = 1; ; attempt++) {
      const out = join(scratch, `killed-writing-${attempt}`);
      const { child, done } = train([...FLAGS, '--steps', '40', '--checkpoint-every', '1', '--out', out]);
      const temporary = () => existsSync(out) && readdirSync(out).some((name) => name.startsWith(`.${RUN_FILES.checkpoint}.`));
      // Past the step-0 checkpoint first, so that there is an earlier one to keep.
      await until(() => existsSync(join(out, RUN_FILES.metrics)) && steps(out).length >= 2, 120_000);
      const seen = await until(temporary, 60_000);
      child.kill('SIGKILL');
      await done;
      if (!(seen && temporary())) {
        expect(attempt, 'never caught a checkpoint being written').toBeLessThan(5);
        continue;
      }
      const saved = checkpointStep(out);
      expect(saved).toBeGreaterThanOrEqual(1);
      const resumed = await train(['--resume', '--steps', String(saved + 1), '--out', out, '--backend', 'wasm', '--threads', '1']).done;
      expect(resumed.code, resumed.output).toBe(0);
      expect(resumed.output).toMatch(/removed 1 unfinished file of the interrupted run \(\.checkpoint\.safetensors\.\d+\.tmp\)/);
      expect(temporary()).toBe(false);
      expect(checkpointStep(out)).toBe(saved + 1);
      return;
    }
  }, 600_000);

  it.skipIf(!canMount)('on a full disk, stops with a clear error and keeps the earlier checkpoint', async () => {
    // Room for the whole straight run's folder but not for a second checkpoint beside the first.
    const sizes = readdirSync(straight, { recursive: true }).map((name) => statSync(join(straight, String(name))).size);
    const checkpoint = statSync(join(straight, RUN_FILES.checkpoint)).size;
    const disk = join(scratch, 'full');
    mountTmpfs(disk, sizes.reduce((a, b) => a + b, 0) + checkpoint / 2 + 64 * 1024);
    const out = join(disk, 'run');
    const result = await train([...FLAGS, '--steps', '200', '--checkpoint-every', '1', '--sample-every', '1', '--out', out]).done;
    expect(result.code).toBe(1);
    expect(result.output).toMatch(new RegExp(`not: cannot (write|append to) ${disk}/run/\\S+: the disk is full \\(ENOSPC\\)`));
    const saved = checkpointStep(out);
    // The run goes on where it stopped once there is room.
    const moved = join(scratch, 'full-moved');
    cpSync(out, moved, { recursive: true });
    const resumed = await train(['--resume', '--steps', String(saved + 2), '--out', moved, '--backend', 'wasm', '--threads', '1']).done;
    expect(resumed.code, resumed.output).toBe(0);
    expect(checkpointStep(moved)).toBe(saved + 2);
  }, 300_000);

  it.skipIf(!canMount)('in a read-only folder, says so, and leaves the run there as it was', async () => {
    const disk = join(scratch, 'read-only');
    mountTmpfs(disk, 64 << 20);
    cpSync(straight, join(disk, 'run'), { recursive: true });
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const resumed = await train(['--resume', '--steps', '10', '--out', join(disk, 'run'), '--backend', 'wasm', '--threads', '1']).done;
    expect(resumed.code).toBe(1);
    expect(resumed.output).toContain(`not: cannot write ${disk}/run/config.json: the file system is read-only (EROFS); the file that was there is untouched`);
    expect(checkpointStep(join(disk, 'run'))).toBe(8);
    const fresh = await train([...FLAGS, '--steps', '2', '--out', join(disk, 'new')]).done;
    expect(fresh.code).toBe(1);
    expect(fresh.output).toContain(`not: cannot create the folder ${disk}/new/samples: the file system is read-only (EROFS)`);
  }, 120_000);
});
