import { gemmNT, matmul } from '../linalg/matmul';
import { DEFAULT_PSD_TOLERANCE, symmetrize, symmetrizedCopy, type Matrix } from '../linalg/matrix';
import { psdSqrt, spectralProduct, sqrtAndInverseSqrtSpd } from '../linalg/matrix-functions';
import { eigenRaw } from '../linalg/symmetric-eigen';
import { assertSameDimension, validateGaussian } from './validate';

/** An affine map T(x) = A x + b on ℝ^d. */
export interface AffineMap {
  /** d×d matrix (symmetric positive (semi-)definite for an OT map between Gaussians). */
  readonly A: Matrix;
  /** Offset, length d. */
  readonly b: Float64Array;
}

/** Options of the Gaussian closed forms. */
export interface GaussianOptions {
  /** Relative symmetry tolerance of the covariance checks (default 1e-6); covariances are then symmetrized. */
  symmetryTolerance?: number;
  /**
   * Relative PSD tolerance (default 1e-6): negative eigenvalues of S1^{1/2} S2 S1^{1/2} (the map) or Cholesky
   * pivots of S1, S2 (the W2 functions) down to −psdTolerance × the largest count as rounding; below that the
   * covariance is not PSD and the function throws.
   */
  psdTolerance?: number;
}

/**
 * The W2-optimal (Brenier) map from N(m1, S1) to N(m2, S2): T(x) = m2 + A(x − m1) = A x + b with
 * A = S1^{-1/2} (S1^{1/2} S2 S1^{1/2})^{1/2} S1^{-1/2} (symmetric; positive definite when S2 is) and b = m2 − A m1.
 * T pushes N(m1, S1) forward to N(m2, S2) exactly (A S1 A = S2). S1 must be positive definite, S2 PSD.
 */
export function gaussianOtMap(
  m1: ArrayLike<number>,
  S1: Matrix,
  m2: ArrayLike<number>,
  S2: Matrix,
  options: GaussianOptions = {},
): AffineMap {
  const fn = 'gaussianOtMap';
  const d = validateGaussian(fn, 'm1', m1, 'S1', S1, options.symmetryTolerance);
  assertSameDimension(fn, d, validateGaussian(fn, 'm2', m2, 'S2', S2, options.symmetryTolerance));
  const { sqrt: h, inverseSqrt: hi } = sqrtAndInverseSqrtSpd(S1, fn, 'S1', options.symmetryTolerance);
  // C = S1^{1/2} S2 S1^{1/2}; its PSD-ness is exactly S2's (S1^{1/2} is invertible).
  const c = matmul(matmul(h, symmetrize(S2)), h);
  const { values, w } = eigenRaw(symmetrizedCopy(c.data, d), d, true, fn);
  const root = { rows: d, cols: d, data: spectralProduct(w!, psdSqrt(values, options.psdTolerance ?? DEFAULT_PSD_TOLERANCE, fn, 'S2'), d) };
  const A = symmetrize(matmul(matmul(hi, root), hi));
  const b = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += A.data[i * d + j] * m1[j];
    b[i] = m2[i] - s;
  }
  return { A, b };
}

/**
 * Applies T(x) = A x + b to N points of dimension d stored row-major in `x` (length N·d, float32 or float64);
 * returns the N·d images as a Float64Array.
 */
export function applyAffineMap(map: AffineMap, x: ArrayLike<number>): Float64Array {
  const fn = 'applyAffineMap';
  const d = map.A.rows;
  if (map.A.cols !== d || map.b.length !== d) {
    throw new Error(`${fn}: map.A must be d×d and map.b of length d, got ${map.A.rows}×${map.A.cols} and ${map.b.length}`);
  }
  if (d === 0 ? x.length !== 0 : x.length % d !== 0) {
    throw new Error(`${fn}: x must hold N·d values for d = ${d}, got ${x.length}`);
  }
  const n = d === 0 ? 0 : x.length / d;
  const xs = x instanceof Float64Array ? x : Float64Array.from(x);
  const out = new Float64Array(n * d);
  // Y = X Aᵀ: row i of Y is A x_i.
  gemmNT(out, xs, map.A.data, n, d, d);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) out[r + j] += map.b[j];
  }
  return out;
}
