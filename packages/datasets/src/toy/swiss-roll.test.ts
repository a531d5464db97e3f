import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { swissRoll } from './swiss-roll';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('swissRoll', () => {
  it('gives [n, 2] float32 batches, the same per seed, fresh on every call', () => {
    const a = swissRoll({ seed: 11 });
    const b = swissRoll({ seed: 11 });
    const a1 = a.sample(20);
    const a2 = a.sample(20);
    const b1 = b.sample(20);
    expect(a.shape).toEqual([2]);
    expect(a1.shape).toEqual([20, 2]);
    expect(a1.dtype).toBe('float32');
    expect(Array.from(b1.dataSync())).toEqual(Array.from(a1.dataSync()));
    expect(Array.from(a2.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    tf.dispose([a1, a2, b1]);
  });

  it('without noise lies on the spiral r = scale·t, t in [1.5π, 4.5π]', () => {
    const scale = 1 / 7.5;
    const x = swissRoll({ seed: 2, noise: 0 }).sample(2000);
    const p = x.dataSync();
    let rMin = Infinity;
    let rMax = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const r = Math.hypot(p[2 * i], p[2 * i + 1]);
      rMin = Math.min(rMin, r);
      rMax = Math.max(rMax, r);
      // The angle of the point is t itself (mod 2π), with t = r / scale.
      const t = r / scale;
      expect(Math.abs(p[2 * i] - r * Math.cos(t))).toBeLessThan(1e-4);
      expect(Math.abs(p[2 * i + 1] - r * Math.sin(t))).toBeLessThan(1e-4);
    }
    expect(rMin).toBeGreaterThanOrEqual(1.5 * Math.PI * scale - 1e-5);
    expect(rMax).toBeLessThanOrEqual(4.5 * Math.PI * scale + 1e-5);
    // Uniform t covers the range.
    expect(rMin).toBeLessThan(1.5 * Math.PI * scale + 0.01);
    expect(rMax).toBeGreaterThan(4.5 * Math.PI * scale - 0.01);
    x.dispose();
  });

  it('with the default noise keeps its mean radius at scale·3π and spreads by noise·scale', () => {
    const q = swissRoll({ seed: 4 });
    expect(q.noise).toBe(0.8);
    expect(q.scale).toBeCloseTo(1 / 7.5);
    const n = 20000;
    const x = q.sample(n);
    const p = x.dataSync();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.hypot(p[2 * i], p[2 * i + 1]);
    expect(sum / n).toBeCloseTo((3 * Math.PI) / 7.5, 1);
    x.dispose();
  });

  it('honours scale (the weak seminar uses 1/6.5)', () => {
    const a = swissRoll({ seed: 9, scale: 1 / 6.5 }).sample(5);
    const b = swissRoll({ seed: 9 }).sample(5);
    const pa = a.dataSync();
    const pb = b.dataSync();
    for (let i = 0; i < 10; i++) expect(pa[i] * 6.5).toBeCloseTo(pb[i] * 7.5, 4);
    tf.dispose([a, b]);
  });

  it('leaks no tensors and names bad options', () => {
    const q = swissRoll({ seed: 0 });
    const before = tf.memory().numTensors;
    q.sample(10).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => swissRoll({ scale: 0 })).toThrow('swissRoll: scale must be a finite number > 0, got 0');
    expect(() => swissRoll({ noise: Number.NaN })).toThrow('swissRoll: noise must be');
  });
});
