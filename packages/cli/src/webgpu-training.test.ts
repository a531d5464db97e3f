import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadTransportMap } from '@not/stacking/node';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const not = (args: string[]) =>
  promisify(execFile)(process.execPath, [bin, ...args, '--backend', 'webgpu'], {
    timeout: 300_000,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  }).catch((error: { stdout: string; stderr: string; message: string }) => ({ ...error, failed: error.message }));
const jsonLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));

// The whole training path on WebGPU (lavapipe's software adapter in CI): every device read is asynchronous there.
describe('training on webgpu', () => {
  it('not train and not stack run end to end: steps, evaluation, checkpoints, the map and the stack files', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'not-webgpu-'));
    const tiny = ['--size', '32', '--base', '4', '--filters', '4', '--max-filters', '8', '--batch-size', '4', '--t-iters', '2'];
    const run = join(dir, 'run');
    const train = await not(['train', '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', ...tiny, '--steps', '2', '--eval-every', '2', '--out', run]);
    if (/backend "webgpu" is not available/.test(train.stderr)) {
      console.warn(`webgpu training test skipped: ${train.stderr.trim()}`);
      ctx.skip();
    }
    expect('failed' in train ? train.stderr : '').toBe('');
    expect(train.stderr).toMatch(/^backend webgpu \(requested; adapter /m);
    const metrics = jsonLines(join(run, 'metrics.jsonl'));
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(metrics.every((m) => Number.isFinite(m.mapLoss) && Number.isFinite(m.potentialLoss))).toBe(true);
    expect(jsonLines(join(run, 'eval.jsonl'))[0]).toMatchObject({ step: 2, metric: 'classifier' });
    expect(existsSync(join(run, 'checkpoint.safetensors')) && existsSync(join(run, 'samples', 'step-000002.png'))).toBe(true);

    const stackDir = join(dir, 'stack');
    const stack = await not(['stack', '--first', run, '--stages', '2', '--stage-steps', '2', '--init', 'previous', '--eval-every', '0', '--out', stackDir]);
    expect('failed' in stack ? stack.stderr : '').toBe('');
    const summary = JSON.parse(readFileSync(join(stackDir, 'summary.json'), 'utf8'));
    expect(summary.stages.map((s: { stage: number }) => s.stage)).toEqual([1, 2]);

    // The files load on another backend and map images to finite values.
    await useBackend('cpu');
    const { map, layout } = await loadTransportMap({ path: join(stackDir, 'stages', 'stack-2.safetensors') });
    expect(layout).toBe('stack');
    const y = map.apply(tf.zeros([2, 32, 32, 1]));
    expect(Array.from(await y.data()).every(Number.isFinite)).toBe(true);
    tf.dispose(y);
    map.dispose();
  }, 600_000);
});
