import { describe, expect, it } from 'vitest';
import { Rng, frechetDistance, meanAndCovariance } from '@not/ot-core';
import { FeatureStatistics } from './feature-statistics';

function samples(n: number, d: number, seed: number, offset = 0): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = rng.normals(d, 'float64');
    for (let j = 0; j < d; j++) x[i * d + j] = offset + z[j] * (j + 1) + (j > 0 ? 0.5 * z[j - 1] : 0);
  }
  return x;
}

function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}

describe('FeatureStatistics', () => {
  it('streams batches of any size to the two-pass mean and unbiased covariance, even far from the origin', () => {
    const d = 7;
    const n = 1300; // spans several internal chunks
    const x = samples(n, d, 3, 1e4);
    const stats = new FeatureStatistics(d);
    for (let start = 0, size = 1; start < n; start += size, size = (size * 7) % 401 + 1) stats.add(x.subarray(start * d, Math.min(n, start + size) * d));
    const want = meanAndCovariance(x, n, d);
    expect(stats.count).toBe(n);
    expect(maxRelativeDiff(stats.mean(), want.mean)).toBeLessThan(1e-14);
    expect(maxRelativeDiff(stats.covariance().data, want.cov.data)).toBeLessThan(1e-10);
  });

  it('gives the Fréchet distance of its moments, and 0 to itself', () => {
    const d = 5;
    const a = new FeatureStatistics(d, 'test');
    const b = new FeatureStatistics(d, 'test');
    a.add(samples(600, d, 1));
    b.add(samples(900, d, 2, 0.3));
    const want = frechetDistance(a.mean(), a.covariance(), b.mean(), b.covariance());
    expect(a.frechetDistance(b)).toBeCloseTo(want, 12);
    expect(a.frechetDistance(b)).toBeGreaterThan(5 * 0.09 * 0.9);
    expect(a.frechetDistance(a)).toBeLessThan(1e-9);
  });

  it("round-trips through JSON and reads the reference's {mu, sigma} files", () => {
    const stats = new FeatureStatistics(3, 'test');
    stats.add(samples(50, 3, 5));
    const json = JSON.parse(JSON.stringify(stats.toJSON()));
    expect(json).toMatchObject({ count: 50, features: 'test' });
    const back = FeatureStatistics.fromJSON(json);
    expect(Array.from(back.covariance().data)).toEqual(Array.from(stats.covariance().data).map((v) => expect.closeTo(v, 12)));
    back.add(samples(10, 3, 6));
    expect(back.count).toBe(60);
    const reference = FeatureStatistics.fromJSON({ mu: json.mu, sigma: json.sigma });
    expect(reference.frechetDistance(stats)).toBeLessThan(1e-9);
    expect(reference.count).toBeNaN();
    expect(() => reference.add([1, 2, 3])).toThrow(/loaded without a count/);
  });

  it('refuses bad input with errors that say what was expected', () => {
    const stats = new FeatureStatistics(3);
    expect(() => stats.add([1, 2])).toThrow('FeatureStatistics.add: expected rows of 3 features, got 2 values');
    expect(() => stats.add([1, NaN, 2])).toThrow('features must be finite, got NaN in row 0, feature 1');
    stats.add([1, 2, 3]);
    expect(() => stats.covariance()).toThrow('needs at least 2 feature vectors, got 1');
    expect(() => FeatureStatistics.fromJSON({ mu: [0, 0], sigma: [[1, 0]] }, 'stats.json')).toThrow('stats.json: sigma must be 2×2');
    const a = new FeatureStatistics(2, 'inception-pool3');
    const b = new FeatureStatistics(2, 'fashion-classifier');
    a.add([0, 0, 1, 1]);
    b.add([0, 0, 1, 1]);
    expect(() => a.frechetDistance(b)).toThrow(/different features, 'inception-pool3' and 'fashion-classifier'/);
  });
});
