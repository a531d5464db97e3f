import { assertFinite, assertSymmetric, type Matrix } from '../linalg/matrix';

/**
 * Checks one Gaussian's parameters (finite mean of length d, finite symmetric d×d covariance) and returns d.
 * PSD-ness is checked by the factorizations that follow (they throw naming `covName`).
 * @internal
 */
export function validateGaussian(
  fn: string,
  meanName: string,
  mean: ArrayLike<number>,
  covName: string,
  cov: Matrix,
  symmetryTolerance?: number,
): number {
  if (mean === null || typeof mean !== 'object' || typeof mean.length !== 'number') {
    throw new Error(`${fn}: ${meanName} must be an array of numbers, got ${mean === null ? 'null' : typeof mean}`);
  }
  assertFinite(fn, meanName, mean);
  assertSymmetric(fn, covName, cov, symmetryTolerance);
  if (cov.rows !== mean.length) {
    throw new Error(`${fn}: ${covName} must be ${mean.length}×${mean.length} to match ${meanName}, got ${cov.rows}×${cov.cols}`);
  }
  return mean.length;
}

/** Throws unless both Gaussians live in the same dimension. @internal */
export function assertSameDimension(fn: string, d1: number, d2: number): void {
  if (d1 !== d2) throw new Error(`${fn}: both Gaussians must have the same dimension, got ${d1} and ${d2}`);
}
