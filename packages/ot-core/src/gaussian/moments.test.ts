import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matrixToRows } from '../linalg/matrix';
import { maxAbsDiff } from '../linalg/test-helpers';
import { meanAndCovariance } from './moments';

describe('meanAndCovariance', () => {
  it('computes the unbiased (default) and biased covariance of a small sample', () => {
    const x = [1, 2, 3, 4, 5, 0];
    const u = meanAndCovariance(x, 3, 2);
    expect(Array.from(u.mean)).toEqual([3, 2]);
    expect(matrixToRows(u.cov)).toEqual([[4, -2], [-2, 4]]);
    const b = meanAndCovariance(Float32Array.from(x), 3, 2, { unbiased: false });
    expect(maxAbsDiff(b.cov.data, [8 / 3, -4 / 3, -4 / 3, 8 / 3])).toBeLessThan(1e-15);
  });

  it('matches the two-loop definition across chunk boundaries and is exactly symmetric', () => {
    const rng = new Rng(80);
    const n = 601;
    const d = 7;
    const x = Float64Array.from({ length: n * d }, () => rng.normal());
    const { mean, cov } = meanAndCovariance(x, n, d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += (x[k * d + i] - mean[i]) * (x[k * d + j] - mean[j]);
        expect(Math.abs(cov.data[i * d + j] - s / (n - 1))).toBeLessThan(1e-14);
        expect(cov.data[i * d + j]).toBe(cov.data[j * d + i]);
      }
    }
  });

  it('is not thrown off by a large common offset (two-pass)', () => {
    const rng = new Rng(81);
    const n = 1000;
    const x = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const shifted = x.map((v) => v + 1e8);
    expect(maxAbsDiff(meanAndCovariance(shifted, n, 2).cov, meanAndCovariance(x, n, 2).cov)).toBeLessThan(1e-7);
  });

  it('validates sizes and values', () => {
    expect(() => meanAndCovariance([1, 2, 3], 2, 2)).toThrow(/meanAndCovariance: samples must hold n·d = 4 values/);
    expect(() => meanAndCovariance([1, 2], 1, 2)).toThrow(/meanAndCovariance: the unbiased covariance needs n >= 2, got 1/);
    expect(() => meanAndCovariance([1, NaN, 3, 4], 2, 2)).toThrow(/meanAndCovariance: samples must be finite, got NaN/);
  });
});
