import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { standardNormal } from './standard-normal';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('standardNormal', () => {
  it('gives [n, dim] float32 batches, the same per seed, fresh on every call', () => {
    const a = standardNormal(3, { seed: 1 });
    const b = standardNormal(3, { seed: 1 });
    const a1 = a.sample(10);
    const a2 = a.sample(10);
    const b1 = b.sample(10);
    expect(a.shape).toEqual([3]);
    expect(a1.shape).toEqual([10, 3]);
    expect(a1.dtype).toBe('float32');
    expect(Array.from(b1.dataSync())).toEqual(Array.from(a1.dataSync()));
    expect(Array.from(a2.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    tf.dispose([a1, a2, b1]);
  });

  it('has mean 0 and identity covariance', () => {
    const n = 40000;
    const d = 3;
    const x = standardNormal(d, { seed: 2 }).sample(n);
    const p = x.dataSync();
    for (let i = 0; i < d; i++) {
      let m = 0;
      for (let k = 0; k < n; k++) m += p[k * d + i];
      expect(Math.abs(m / n)).toBeLessThan(0.02);
      for (let j = 0; j < d; j++) {
        let c = 0;
        for (let k = 0; k < n; k++) c += p[k * d + i] * p[k * d + j];
        expect(Math.abs(c / n - (i === j ? 1 : 0))).toBeLessThan(0.03);
      }
    }
    x.dispose();
  });

  it('defaults to 2-D, leaks no tensors, names a bad dim', () => {
    const q = standardNormal();
    expect(q.shape).toEqual([2]);
    const before = tf.memory().numTensors;
    q.sample(4).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => standardNormal(0)).toThrow('standardNormal: dim must be a positive integer, got 0');
  });
});
