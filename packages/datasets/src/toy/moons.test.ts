import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { moons } from './moons';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('moons', () => {
  it('gives [n, 2] float32 batches, the same per seed, fresh on every call', () => {
    const a = moons({ seed: 5 });
    const b = moons({ seed: 5 });
    const a1 = a.sample(30);
    const a2 = a.sample(30);
    const b1 = b.sample(30);
    expect(a1.shape).toEqual([30, 2]);
    expect(a1.dtype).toBe('float32');
    expect(Array.from(b1.dataSync())).toEqual(Array.from(a1.dataSync()));
    expect(Array.from(a2.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    tf.dispose([a1, a2, b1]);
  });

  it('balances its labels and puts noiseless points on their arcs', () => {
    const n = 10000;
    const { points, labels } = moons({ seed: 1, noise: 0, centered: false }).sampleLabelled(n);
    const p = points.dataSync();
    const l = labels.dataSync();
    let ones = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = [p[2 * i], p[2 * i + 1]];
      if (l[i] === 0) {
        expect(Math.hypot(x, y)).toBeCloseTo(1, 5);
        expect(y).toBeGreaterThanOrEqual(-1e-6);
      } else {
        ones++;
        expect(Math.hypot(x - 1, y - 0.5)).toBeCloseTo(1, 5);
        expect(y).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
    expect(Math.abs(ones / n - 0.5)).toBeLessThan(0.02);
    tf.dispose([points, labels]);
  });

  it('is centred at the origin by default, with the noise it was given', () => {
    const n = 20000;
    const x = moons({ seed: 2 }).sample(n);
    const mean = tf.mean(x, 0);
    const [mx, my] = Array.from(mean.dataSync());
    expect(Math.abs(mx)).toBeLessThan(0.02);
    expect(Math.abs(my)).toBeLessThan(0.02);
    tf.dispose([x, mean]);
  });

  it('leaks no tensors and names bad options', () => {
    const q = moons({ seed: 0 });
    const before = tf.memory().numTensors;
    const { points, labels } = q.sampleLabelled(8);
    tf.dispose([points, labels, q.sample(8)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => moons({ noise: -0.1 })).toThrow('moons: noise must be a finite number >= 0, got -0.1');
  });
});
