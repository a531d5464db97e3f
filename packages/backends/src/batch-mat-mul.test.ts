import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './index';
import { difference, onBackend, randomInt, randomValues, runKernelOnData, seededRandom, wasmDataIds } from './test-helpers';

describe('wasm BatchMatMul with transposed operands (replaced) matches cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
  });

  it('on 40 random shapes, batch ranks 2–4, every transpose combination', async () => {
    const rand = seededRandom(11);
    for (let i = 0; i < 40; i++) {
      const [m, k, n] = [randomInt(rand, 1, 9), randomInt(rand, 1, 9), randomInt(rand, 1, 9)];
      const batch = Array.from({ length: randomInt(rand, 0, 2) }, () => randomInt(rand, 1, 3));
      const transposeA = rand() < 0.5;
      const transposeB = rand() < 0.5;
      const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...batch, ...(transposeB ? [n, k] : [k, n])];
      const inputs = { a: { shape: aShape, values: randomValues(rand, aShape) }, b: { shape: bShape, values: randomValues(rand, bShape) } };
      const attrs = { transposeA, transposeB };
      const want = await onBackend('cpu', () => runKernelOnData('BatchMatMul', inputs, attrs));
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const got = await onBackend('wasm', () => runKernelOnData('BatchMatMul', inputs, attrs));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(got.shape).toEqual([...batch, m, n]);
      expect(difference(got.values, want.values).relative, JSON.stringify({ aShape, bShape, attrs })).toBeLessThan(1e-5);
    }
  });
});
