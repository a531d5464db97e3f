import type { Matrix } from '../linalg/matrix';
import { traceSqrtProductRaw } from '../linalg/trace-sqrt-product';
import type { GaussianOptions } from './gaussian-ot-map';
import { assertSameDimension, validateGaussian } from './validate';

/**
 * Squared 2-Wasserstein distance between N(m1, S1) and N(m2, S2) (cost ‖x − y‖², no ½):
 * W2² = ‖m1 − m2‖² + Tr S1 + Tr S2 − 2 Tr (S1^{1/2} S2 S1^{1/2})^{1/2}.
 * This is the squared Bures–Wasserstein distance and the Fréchet distance (FID is this on Inception features).
 * S1 and S2 must be symmetric PSD (singular is fine). Rounding can make the exact-zero case slightly negative;
 * the result is clamped at 0.
 */
export function gaussianW2Squared(
  m1: ArrayLike<number>,
  S1: Matrix,
  m2: ArrayLike<number>,
  S2: Matrix,
  options: GaussianOptions = {},
): number {
  return w2Squared('gaussianW2Squared', m1, S1, m2, S2, options);
}

/**
 * The Fréchet distance d² = ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1^{1/2} Σ2 Σ1^{1/2})^{1/2}) between two Gaussians, as
 * FID defines it: the same number as {@link gaussianW2Squared} (errors name `frechetDistance`).
 */
export function frechetDistance(
  mu1: ArrayLike<number>,
  sigma1: Matrix,
  mu2: ArrayLike<number>,
  sigma2: Matrix,
  options: GaussianOptions = {},
): number {
  return w2Squared('frechetDistance', mu1, sigma1, mu2, sigma2, options);
}

function w2Squared(
  fn: string,
  m1: ArrayLike<number>,
  S1: Matrix,
  m2: ArrayLike<number>,
  S2: Matrix,
  options: GaussianOptions,
): number {
  const d = validateGaussian(fn, 'm1', m1, 'S1', S1, options.symmetryTolerance);
  assertSameDimension(fn, d, validateGaussian(fn, 'm2', m2, 'S2', S2, options.symmetryTolerance));
  let meanTerm = 0;
  let traces = 0;
  for (let i = 0; i < d; i++) {
    const t = m1[i] - m2[i];
    meanTerm += t * t;
    traces += S1.data[i * d + i] + S2.data[i * d + i];
  }
  const cross = traceSqrtProductRaw(S1.data, S2.data, d, fn, 'S1', 'S2', options.psdTolerance);
  return Math.max(0, meanTerm + traces - 2 * cross);
}
