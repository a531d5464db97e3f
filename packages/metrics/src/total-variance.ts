import { readPoints, type PointBatch } from './points';

/**
 * Total variance of a batch: the sum of the per-coordinate variances (the trace of the covariance), the Var(Q)
 * that L2-UVP and BW2-UVP divide by. Computed in float64, two-pass.
 *
 * `unbiased` (default false) divides by N − 1 instead of N. The default matches the W2 benchmark's samplers, which
 * set `var = sample.var(axis=0).sum()` (numpy, ddof = 0); for a Gaussian target use `trace(cov)` instead.
 */
export function totalVariance(points: PointBatch, options: { unbiased?: boolean } = {}): number {
  const fn = 'totalVariance';
  const { data, n, d } = readPoints(fn, 'points', points);
  const unbiased = options.unbiased ?? false;
  if (unbiased && n < 2) throw new Error(`${fn}: the unbiased variance needs N >= 2 points, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - mean[j];
      s += t * t;
    }
  }
  return s / (unbiased ? n - 1 : n);
}
