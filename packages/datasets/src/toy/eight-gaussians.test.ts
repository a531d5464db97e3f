import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@not/ot-core';
import { eightGaussians } from './eight-gaussians';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('eightGaussians', () => {
  it('gives [n, 2] float32 batches, the same per seed, fresh on every call', () => {
    const a = eightGaussians({ seed: 7 });
    const b = eightGaussians({ seed: 7 });
    const c = eightGaussians({ seed: 8 });
    const a1 = a.sample(32);
    const a2 = a.sample(32);
    const b1 = b.sample(32);
    const c1 = c.sample(32);
    expect(a.shape).toEqual([2]);
    expect(a1.shape).toEqual([32, 2]);
    expect(a1.dtype).toBe('float32');
    expect(Array.from(b1.dataSync())).toEqual(Array.from(a1.dataSync()));
    expect(Array.from(a2.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    expect(Array.from(c1.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    tf.dispose([a1, a2, b1, c1]);
  });

  it('puts every point near its own centre, each centre getting about 1/8 of the points', () => {
    const q = eightGaussians({ seed: 1 });
    const n = 8000;
    const { points, labels } = q.sampleLabelled(n);
    const p = points.dataSync();
    const l = labels.dataSync();
    expect(labels.dtype).toBe('int32');
    const counts = new Array(8).fill(0);
    let sq = 0;
    let misassigned = 0;
    for (let i = 0; i < n; i++) {
      const [cx, cy] = q.centers[l[i]];
      const d = Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy);
      // P(|ε| > 5σ) = e^{-12.5} ≈ 4e-6 for a 2-D Gaussian: never, in practice.
      expect(d).toBeLessThan(5 * 0.2);
      counts[l[i]]++;
      sq += d * d;
      // Neighbouring centres are 1.30 apart (3.25σ to the midline), so the nearest centre is nearly always its own.
      const nearest = q.centers.reduce(
        (best, [x, y], k) => (Math.hypot(p[2 * i] - x, p[2 * i + 1] - y) < best.d ? { k, d: Math.hypot(p[2 * i] - x, p[2 * i + 1] - y) } : best),
        { k: -1, d: Infinity },
      );
      if (nearest.k !== l[i]) misassigned++;
    }
    expect(misassigned / n).toBeLessThan(0.005);
    for (const c of counts) expect(Math.abs(c - n / 8)).toBeLessThan(0.12 * (n / 8));
    // E|x − c|² = 2σ² for a 2-D isotropic Gaussian.
    expect(Math.sqrt(sq / (2 * n))).toBeCloseTo(0.2, 2);
    tf.dispose([points, labels]);
  });

  it('has centres at angles k·45° on the given radius, plus the origin when asked', () => {
    const q = eightGaussians({ radius: 12, std: 1, withCenter: true });
    expect(q.numLabels).toBe(9);
    expect(q.centers[0][0]).toBeCloseTo(12);
    expect(q.centers[2][1]).toBeCloseTo(12);
    expect(q.centers[5][0]).toBeCloseTo(-12 / Math.SQRT2);
    expect(q.centers[8]).toEqual([0, 0]);
  });

  it('draws sample() and sampleLabelled() from one stream', () => {
    const a = eightGaussians({ seed: 3 }).sample(10);
    const { points, labels } = eightGaussians({ seed: 3 }).sampleLabelled(10);
    expect(Array.from(points.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, points, labels]);
  });

  it('forks a given Rng, so equal parents give equal samplers', () => {
    const a = eightGaussians({ rng: new Rng(5) }).sample(16);
    const b = eightGaussians({ rng: new Rng(5) }).sample(16);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
  });

  it('leaks no tensors', () => {
    const q = eightGaussians({ seed: 0 });
    const before = tf.memory().numTensors;
    const x = q.sample(100);
    const { points, labels } = q.sampleLabelled(100);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([x, points, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and batch sizes with a named error', () => {
    expect(() => eightGaussians({ std: -1 })).toThrow('eightGaussians: std must be a finite number >= 0, got -1');
    expect(() => eightGaussians({ seed: 1, rng: new Rng(1) })).toThrow('eightGaussians: give either seed or rng');
    expect(() => eightGaussians().sample(2.5)).toThrow('eightGaussians.sample: n must be an integer >= 0, got 2.5');
  });
});
