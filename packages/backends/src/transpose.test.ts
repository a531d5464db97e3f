import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// Imported statically so that tfjs's own wasm Transpose can be captured before useBackend replaces it.
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from './index';
import { transposeAxes } from './kernels/transpose';
import { onBackend, pick, randomInt, randomValues, seededRandom, wasmDataIds } from './test-helpers';

const stock = tf.getKernel('Transpose', 'wasm') as tf.KernelConfig;

function transposed(values: Float32Array, shape: number[], dtype: 'float32' | 'int32' | 'bool', perm: number[]) {
  return tf.tidy(() => {
    const x = tf.tensor(dtype === 'float32' ? values : Array.from(values, (v) => (dtype === 'int32' ? Math.round(v * 1000) : Number(v > 0))), shape, dtype);
    const y = tf.transpose(x, perm);
    return { shape: y.shape, values: Array.from(y.dataSync()) };
  });
}

describe('wasm Transpose (replaced where the innermost axis moves)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
    expect(tf.getKernel('Transpose', 'wasm')).not.toBe(stock);
  });

  it('merges axes that stay together and drops length-1 axes', () => {
    expect(transposeAxes([16, 64, 64, 64], [3, 1, 2, 0])).toEqual({ shape: [16, 4096, 64], perm: [2, 1, 0] });
    expect(transposeAxes([16, 64, 64, 64], [1, 2, 0, 3])).toEqual({ shape: [16, 4096, 64], perm: [1, 0, 2] });
    expect(transposeAxes([2, 1, 3], [2, 1, 0])).toEqual({ shape: [2, 3], perm: [1, 0] });
    expect(transposeAxes([5, 1], [1, 0])).toEqual({ shape: [5], perm: [0] });
  });

  it('equals cpu exactly on 60 random cases (ranks 2-5, float32/int32/bool), leaking nothing', async () => {
    const rand = seededRandom(23);
    for (let n = 0; n < 60; n++) {
      const rank = randomInt(rand, 2, 5);
      const shape = Array.from({ length: rank }, () => randomInt(rand, 1, n < 10 && rank <= 3 ? 40 : 7));
      const perm = shape.map((_, i) => i).sort(() => rand() - 0.5);
      const dtype = pick(rand, ['float32', 'float32', 'int32', 'bool'] as const);
      const values = randomValues(rand, shape);
      const cpu = await onBackend('cpu', () => transposed(values, shape, dtype, perm));
      await tf.setBackend('wasm');
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const ours = transposed(values, shape, dtype, perm);
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(ours, JSON.stringify({ shape, perm, dtype })).toEqual(cpu);
    }
  });

  it('a filter gradient layout (NHWC → CHWN, longer than a tile on both axes) equals tfjs-wasm', () => {
    const rand = seededRandom(5);
    const shape = [37, 5, 3, 70];
    const values = randomValues(rand, shape);
    const ours = transposed(values, shape, 'float32', [3, 1, 2, 0]);
    const current = tf.getKernel('Transpose', 'wasm') as tf.KernelConfig;
    tf.unregisterKernel('Transpose', 'wasm');
    tf.registerKernel(stock);
    try {
      expect(ours).toEqual(transposed(values, shape, 'float32', [3, 1, 2, 0]));
    } finally {
      tf.unregisterKernel('Transpose', 'wasm');
      tf.registerKernel(current);
    }
  });
});
