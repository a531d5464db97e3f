import { gemmNT, mirrorUpper, transposeData } from './matmul';
import { assertSymmetric, DEFAULT_PSD_TOLERANCE, symmetrizedCopy, type Matrix } from './matrix';
import { eigenRaw } from './symmetric-eigen';

/** Options of {@link sqrtmPsd}. */
export interface SqrtmOptions {
  /**
   * Eigenvalues down to −tolerance·max|λ| are taken as rounding error and clamped to 0; anything more negative
   * throws (the matrix is not PSD). Default 1e-6.
   */
  psdTolerance?: number;
  /** Relative symmetry tolerance of the input check (default 1e-6). */
  symmetryTolerance?: number;
}

/**
 * The principal square root S = V diag(√λ) Vᵀ of a symmetric positive semi-definite matrix (S is symmetric
 * PSD and S·S = A). Tiny negative eigenvalues from rounding are clamped to 0.
 */
export function sqrtmPsd(a: Matrix, options: SqrtmOptions = {}): Matrix {
  const fn = 'sqrtmPsd';
  assertSymmetric(fn, 'a', a, options.symmetryTolerance);
  const n = a.rows;
  const { values, w } = eigenRaw(symmetrizedCopy(a.data, n), n, true, fn);
  const f = psdSqrt(values, options.psdTolerance ?? DEFAULT_PSD_TOLERANCE, fn, 'a');
  return { rows: n, cols: n, data: spectralProduct(w!, f, n) };
}

/** Options of {@link inverseSqrtmSpd}. */
export interface InverseSqrtmOptions {
  /** Smallest accepted λ_min / λ_max; default n·ε (below that the inverse is numerically meaningless). */
  minRelativeEigenvalue?: number;
  /** Relative symmetry tolerance of the input check (default 1e-6). */
  symmetryTolerance?: number;
}

/**
 * A^{-1/2} = V diag(1/√λ) Vᵀ of a symmetric positive-definite matrix. Throws when the smallest eigenvalue is not
 * above `minRelativeEigenvalue`·λ_max.
 */
export function inverseSqrtmSpd(a: Matrix, options: InverseSqrtmOptions = {}): Matrix {
  const fn = 'inverseSqrtmSpd';
  assertSymmetric(fn, 'a', a, options.symmetryTolerance);
  const n = a.rows;
  const { values, w } = eigenRaw(symmetrizedCopy(a.data, n), n, true, fn);
  const f = spdInverseSqrt(values, options.minRelativeEigenvalue ?? n * Number.EPSILON, fn, 'a');
  return { rows: n, cols: n, data: spectralProduct(w!, f, n) };
}

/**
 * Both A^{1/2} and A^{-1/2} of a symmetric positive-definite matrix from one eigen-decomposition.
 * @internal (the Gaussian OT map needs both)
 */
export function sqrtAndInverseSqrtSpd(
  a: Matrix,
  fn: string,
  name: string,
  symmetryTolerance?: number,
): { sqrt: Matrix; inverseSqrt: Matrix } {
  assertSymmetric(fn, name, a, symmetryTolerance);
  const n = a.rows;
  const { values, w } = eigenRaw(symmetrizedCopy(a.data, n), n, true, fn);
  const inv = spdInverseSqrt(values, n * Number.EPSILON, fn, name);
  const sq = inv.map((x) => 1 / x);
  return {
    sqrt: { rows: n, cols: n, data: spectralProduct(w!, sq, n) },
    inverseSqrt: { rows: n, cols: n, data: spectralProduct(w!, inv, n) },
  };
}

/** √λ with rounding-level negatives clamped to 0; throws on a clearly negative eigenvalue. @internal */
export function psdSqrt(values: Float64Array, tolerance: number, fn: string, name: string): Float64Array {
  const n = values.length;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x < -tolerance * maxAbs) {
      throw new Error(
        `${fn}: ${name} must be positive semi-definite, got eigenvalue ${x.toExponential(3)} ` +
          `(largest |eigenvalue| ${maxAbs.toExponential(3)})`,
      );
    }
    out[i] = x > 0 ? Math.sqrt(x) : 0;
  }
  return out;
}

function spdInverseSqrt(values: Float64Array, minRel: number, fn: string, name: string): Float64Array {
  const n = values.length;
  const max = n === 0 ? 0 : values[n - 1];
  const min = n === 0 ? 1 : values[0];
  if (!(min > minRel * max) || !(max > 0)) {
    throw new Error(
      `${fn}: ${name} must be positive definite, got smallest eigenvalue ${min.toExponential(3)} ` +
        `(largest ${max.toExponential(3)})`,
    );
  }
  return values.map((x) => 1 / Math.sqrt(x));
}

/**
 * V diag(f) Vᵀ from eigenvectors stored as the ROWS of w (w = Vᵀ): entry (i, j) = Σ_k w[k][i] f_k w[k][j].
 * Only the upper triangle is computed, then mirrored, so the result is exactly symmetric. @internal
 */
export function spectralProduct(w: Float64Array, f: ArrayLike<number>, n: number): Float64Array {
  const v = transposeData(w, n, n); // v[i][k] = w[k][i]
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let k = 0; k < n; k++) g[r + k] = v[r + k] * f[k];
  }
  const out = new Float64Array(n * n);
  gemmNT(out, g, v, n, n, n, { upper: true });
  mirrorUpper(out, n);
  return out;
}
