import * as tf from '@tensorflow/tfjs-core';
import { checkFiniteSample } from './finite-sample';
import { checkInteger, checkPositiveInt, cholesky, diagonalMatrix, matmul, matrix, randomOrthogonal, Rng, type RngState, sqrtmPsd, transpose, type Matrix, type Sampler } from '@not/ot-core';
import { type ToySeedOptions, samplerRng } from './toy/seed-source';

/** Two Gaussians N(m1, S1), N(m2, S2) in the same dimension. */
export interface GaussianPair {
  /** Mean of the first Gaussian, length dim. */
  readonly m1: Float64Array;
  /** Covariance of the first Gaussian, dim×dim, symmetric positive definite. */
  readonly S1: Matrix;
  /** Mean of the second Gaussian, length dim. */
  readonly m2: Float64Array;
  /** Covariance of the second Gaussian, dim×dim, symmetric positive definite. */
  readonly S2: Matrix;
}

/** Options of {@link randomGaussianPair}. */
export interface GaussianPairOptions {
  /** Covariance eigenvalues are log-uniform in [lo, hi] (default [0.25, 4]: condition number ≤ 16). */
  eigenvalueRange?: readonly [number, number];
  /** Means have i.i.d. N(0, meanScale²) entries (default 1). */
  meanScale?: number;
}

/**
 * A random pair of well-conditioned Gaussians in `dim` dimensions: each covariance is Q diag(λ) Qᵀ with a
 * Haar-random orthogonal Q and eigenvalues λ log-uniform in `eigenvalueRange`; means are Gaussian. Draws only from
 * `rng`, so a seed gives the same pair everywhere. Ground truth for solvers: the OT map and W2 have closed forms
 * (`gaussianOtMap`, `gaussianW2Squared` in @not/ot-core).
 */
export function randomGaussianPair(dim: number, rng: Rng, options: GaussianPairOptions = {}): GaussianPair {
  const fn = 'randomGaussianPair';
  checkPositiveInt(fn, 'dim', dim);
  if (!(rng instanceof Rng)) throw new Error(`${fn}: rng must be an Rng, got ${typeof rng}`);
  const [lo, hi] = options.eigenvalueRange ?? [0.25, 4];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && hi >= lo)) {
    throw new Error(`${fn}: eigenvalueRange must be [lo, hi] with 0 < lo <= hi, got [${lo}, ${hi}]`);
  }
  const meanScale = options.meanScale ?? 1;
  if (!(Number.isFinite(meanScale) && meanScale >= 0)) {
    throw new Error(`${fn}: meanScale must be a non-negative number, got ${meanScale}`);
  }
  const covariance = (): Matrix => {
    const q = randomOrthogonal(dim, rng);
    const eig = Array.from({ length: dim }, () => lo * Math.pow(hi / lo, rng.uniform()));
    const s = matmul(matmul(q, diagonalMatrix(eig)), transpose(q));
    // Exactly symmetric: average away the rounding of the two products.
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (s.data[i * dim + j] + s.data[j * dim + i]);
        s.data[i * dim + j] = v;
        s.data[j * dim + i] = v;
      }
    }
    return s;
  };
  const mean = (): Float64Array => Float64Array.from({ length: dim }, () => meanScale * rng.normal());
  const m1 = mean();
  const S1 = covariance();
  const m2 = mean();
  const S2 = covariance();
  return { m1, S1, m2, S2 };
}

/**
 * Samples N(mean, cov) as float32 tensors [n, D]: x = mean + L z with z ~ N(0, I) from the sampler's own `Rng`
 * (in JavaScript, so a seed gives the same batches on every backend). L is the Cholesky factor of `cov`, or its
 * symmetric square root when `cov` is only positive semi-definite (singular).
 *
 * @example
 * const { m1, S1 } = randomGaussianPair(4, new Rng(0));
 * const p = new GaussianSampler(m1, S1, { seed: 1 });
 * const x = p.sample(256); // tf.Tensor2D [256, 4] float32, the caller disposes it
 */
export class GaussianSampler implements Sampler {
  readonly shape: readonly number[];
  /** The mean, length D (a copy of the constructor's argument). */
  readonly mean: Float64Array;
  /** The covariance, D×D (a copy of the constructor's argument). */
  readonly cov: Matrix;
  private readonly factorT: Matrix; // Lᵀ, so a batch is Z·Lᵀ
  private readonly rng: Rng;

  /** `seed`, or an `rng` to fork (one draw from it) so the sampler has its own stream. Default seed 0. */
  constructor(mean: ArrayLike<number>, cov: Matrix, options: ToySeedOptions = {}) {
    const fn = 'GaussianSampler';
    const d = mean.length;
    if (d < 1) throw new Error(`${fn}: mean must have at least one entry, got ${d}`);
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(mean[i])) throw new Error(`${fn}: mean must be finite, got ${mean[i]} at index ${i}`);
    }
    if (cov.rows !== d || cov.cols !== d) {
      throw new Error(`${fn}: cov must be ${d}×${d} to match mean, got ${cov.rows}×${cov.cols}`);
    }
    let factor: Matrix;
    try {
      factor = cholesky(cov);
    } catch (err) {
      if (/must be symmetric|must be finite|must be square/.test(String(err))) {
        throw new Error(`${fn}: cov is invalid: ${(err as Error).message}`);
      }
      // Singular but PSD: the symmetric square root also satisfies F Fᵀ = cov (and throws if cov is not PSD).
      try {
        factor = sqrtmPsd(cov);
      } catch (err2) {
        throw new Error(`${fn}: cov must be positive semi-definite: ${(err2 as Error).message}`);
      }
    }
    this.rng = samplerRng(fn, options);
    this.shape = [d];
    this.mean = Float64Array.from(mean);
    this.cov = matrix(d, d, cov.data);
    this.factorT = transpose(factor);
  }

  /** n samples as a float32 tensor [n, D] (the caller owns it). */
  sample(n: number): tf.Tensor2D {
    checkInteger('GaussianSampler.sample', 'n', n, { min: 0 });
    const d = this.mean.length;
    const z = matrix(n, d, this.rng.normals(n * d, 'float64'));
    const x = matmul(z, this.factorT);
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = x.data[i * d + j] + this.mean[j];
    }
    checkFiniteSample('GaussianSampler.sample', out, d, (row) => `point ${row} (from mean and cov: beyond float32's range?)`);
    return tf.tensor2d(out, [n, d], 'float32');
  }

  /** Where the sampler's random stream stands; `restore(state())` makes it draw the same batches again. */
  state(): RngState {
    return this.rng.getState();
  }

  /** Rewinds (or advances) the random stream to a point saved by {@link GaussianSampler.state}. */
  restore(state: RngState): void {
    this.rng.setState(state);
  }
}
