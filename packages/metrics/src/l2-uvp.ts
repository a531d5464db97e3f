import { readPoints, type PointBatch } from './points';

/**
 * L2-UVP (unexplained variance percentage) of a fitted map T̂ against the true map T*, as in the W2 benchmark
 * (Korotin et al., 2021):
 *
 *   L2-UVP(T̂) = 100 · E_{x∼P} ‖T̂(x) − T*(x)‖² / Var(Q)   [%]
 *
 * `predicted` holds T̂(x_i) and `truth` holds T*(x_i) for the same N inputs x_i (shape [N, D] or [N, ...]);
 * `targetVariance` is Var(Q), the total variance (trace of the covariance) of the target Q = T*♯P — e.g.
 * `totalVariance(truth)` or, for a Gaussian target, the trace of its covariance. 0% is perfect; the constant map
 * x ↦ E[T*(x)] scores 100%. Computed in float64.
 */
export function l2Uvp(predicted: PointBatch, truth: PointBatch, targetVariance: number): number {
  const fn = 'l2Uvp';
  if (!(Number.isFinite(targetVariance) && targetVariance > 0)) {
    throw new Error(`${fn}: targetVariance must be a positive number, got ${targetVariance}`);
  }
  const p = readPoints(fn, 'predicted', predicted);
  const t = readPoints(fn, 'truth', truth);
  if (p.n !== t.n || p.d !== t.d) {
    throw new Error(`${fn}: predicted and truth must have the same shape, got [${p.n}, ${p.d}] and [${t.n}, ${t.d}]`);
  }
  let s = 0;
  for (let i = 0; i < p.data.length; i++) {
    const e = p.data[i] - t.data[i];
    s += e * e;
  }
  return (100 * (s / p.n)) / targetVariance;
}
