import { gaussianW2Squared, meanAndCovariance, trace, type Matrix } from '@not/ot-core';
import { readPoints, type PointBatch } from './points';

/** Options of {@link bw2Uvp}. */
export interface Bw2UvpOptions {
  /** Var(Q) to divide by; default Tr(targetCov). Pass the benchmark's sample variance to reproduce its numbers. */
  targetVariance?: number;
  /** Moment-matching covariance of the pushed samples divides by N − 1 (default true, as numpy's np.cov) or N. */
  unbiased?: boolean;
}

/**
 * BW2-UVP of a fitted map T̂ from samples of T̂♯P, against a target Q with mean `targetMean` and covariance
 * `targetCov` (W2 benchmark, Korotin et al., 2021):
 *
 *   BW2-UVP(T̂) = 100 · BW2²(N(μ̂, Σ̂), N(μ_Q, Σ_Q)) / (½ Var(Q))   [%]
 *
 * where μ̂, Σ̂ are the mean and covariance of `pushedSamples` (moment matching, float64) and BW2² uses the
 * ½-cost convention of the benchmark's `get_linear_transport_cost`:
 *
 *   BW2²(N1, N2) = ½ [‖μ1 − μ2‖² + Tr Σ1 + Tr Σ2 − 2 Tr (Σ1^{1/2} Σ2 Σ1^{1/2})^{1/2}].
 *
 * The two halves cancel: the value equals 100 · F / Var(Q) with F the Fréchet distance (`gaussianW2Squared`), the
 * formula the same authors' barycenter-benchmark code uses (`100 * calculate_frechet_distance(...) / var`).
 * UNVERIFIED against the paper's own code (REFERENCE.md §3): if the paper meant BW2² without the ½ but still
 * divided by ½ Var(Q), its numbers would be twice these. Var(Q) defaults to Tr Σ_Q. 0% means T̂♯P has exactly Q's
 * first two moments.
 */
export function bw2Uvp(
  pushedSamples: PointBatch,
  targetMean: ArrayLike<number>,
  targetCov: Matrix,
  options: Bw2UvpOptions = {},
): number {
  const fn = 'bw2Uvp';
  const { data, n, d } = readPoints(fn, 'pushedSamples', pushedSamples);
  if (targetMean.length !== d) {
    throw new Error(`${fn}: targetMean must have D = ${d} entries to match pushedSamples, got ${targetMean.length}`);
  }
  const unbiased = options.unbiased ?? true;
  if (unbiased && n < 2) throw new Error(`${fn}: moment matching needs at least 2 pushed samples, got ${n}`);
  const { mean, cov } = meanAndCovariance(data, n, d, { unbiased });
  return bw2UvpFromMoments(mean, cov, targetMean, targetCov, options.targetVariance, fn);
}

/**
 * {@link bw2Uvp} from moments: 100 · ½F(N(mean, cov), N(targetMean, targetCov)) / (½ Var(Q)), with Var(Q) =
 * `targetVariance` or Tr(targetCov). Errors name `fn`.
 */
export function bw2UvpFromMoments(
  mean: ArrayLike<number>,
  cov: Matrix,
  targetMean: ArrayLike<number>,
  targetCov: Matrix,
  targetVariance?: number,
  fn = 'bw2UvpFromMoments',
): number {
  let variance: number;
  try {
    variance = targetVariance ?? trace(targetCov);
  } catch (err) {
    throw new Error(`${fn}: targetCov is invalid: ${(err as Error).message}`);
  }
  if (!(Number.isFinite(variance) && variance > 0)) {
    throw new Error(`${fn}: Var(Q) must be a positive number, got ${variance}`);
  }
  let bw2: number;
  try {
    bw2 = 0.5 * gaussianW2Squared(mean, cov, targetMean, targetCov);
  } catch (err) {
    // gaussianW2Squared names S1 (the pushed moments) and S2 (the target); say which function the user called.
    throw new Error(`${fn}: ${(err as Error).message}`);
  }
  return (100 * bw2) / (0.5 * variance);
}
