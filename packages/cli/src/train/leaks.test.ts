import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { runTraining } from './train-run';

// A long run on wasm, the default backend, with everything a run does besides steps: sample grids (pushes),
// evaluations on the test split, checkpoints. Neither the tensors nor wasm's heap may grow from step to step.

const dir = mkdtempSync(join(tmpdir(), 'not-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await useBackend('wasm', { threads: 1 });
});

/** wasm's heap size in bytes (it grows to its peak and never shrinks, so growth is a leak's trace). */
const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;

describe('a long training run', () => {
  it('holds as many tensors, bytes and heap at step 300 as at step 120, through pushes, evaluations and checkpoints', async () => {
    const seen: { step: number; tensors: number; bytes: number; heap: number }[] = [];
    const before = tf.memory().numTensors;
    const result = await runTraining({
      flags: { ...TINY_TRAIN_FLAGS, size: 32, steps: 300, tIters: 1, sampleEvery: 50, checkpointEvery: 50, evalEvery: 100 },
      preset: 'cpu',
      out: join(dir, 'run'),
      cacheDir: join(dir, 'cache'),
      onStep: (m) => seen.push({ step: m.step, tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: heapBytes() }),
    });
    expect(result.step).toBe(300);
    expect(tf.memory().numTensors).toBe(before);
    // From step 120 on (after the first evaluation built what evaluations keep), every step ends in the same state.
    const late = seen.filter((s) => s.step >= 120);
    expect(late).toHaveLength(181);
    for (const key of ['tensors', 'bytes', 'heap'] as const) {
      expect(new Set(late.map((s) => s[key])), key).toEqual(new Set([late[0][key]]));
    }
  }, 300_000);
});
