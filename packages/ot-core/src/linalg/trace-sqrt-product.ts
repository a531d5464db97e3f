import { pivotedCholeskyRaw } from './cholesky';
import { gemmNT, mirrorUpper } from './matmul';
import { assertSymmetric, symmetrizedCopy, type Matrix } from './matrix';
import { eigenRaw } from './symmetric-eigen';

/** Options of {@link traceSqrtProduct}. */
export interface TraceSqrtProductOptions {
  /**
   * Eigenvalues of A^{1/2} B A^{1/2} down to −tolerance·max|μ| count as rounding and are clamped to 0; more
   * negative ones throw (b is not PSD). Default 1e-9.
   */
  psdTolerance?: number;
  /** Relative symmetry tolerance of the input checks (default 1e-6). */
  symmetryTolerance?: number;
}

/**
 * Tr (A^{1/2} B A^{1/2})^{1/2} for symmetric positive semi-definite A and B: the cross term of the
 * Bures–Wasserstein / Fréchet distance. Equal to Σ √μ over the eigenvalues μ of A·B.
 *
 * Computed without any matrix square root: with a pivoted Cholesky factor A = P L Lᵀ Pᵀ (which stops at the
 * numerical rank r, so singular covariances are fine), M = Lᵀ (Pᵀ B P) L is r×r symmetric PSD with the same
 * non-zero eigenvalues as A^{1/2} B A^{1/2}; only M's eigenvalues are needed. Cost ≈ (1/6 + 1/2 + 1/3)n³
 * multiply-adds plus a values-only eigen-solve ((2/3)n³), about a quarter of forming A^{1/2} by eigenvectors.
 */
export function traceSqrtProduct(a: Matrix, b: Matrix, options: TraceSqrtProductOptions = {}): number {
  const fn = 'traceSqrtProduct';
  assertSymmetric(fn, 'a', a, options.symmetryTolerance);
  assertSymmetric(fn, 'b', b, options.symmetryTolerance);
  if (a.rows !== b.rows) {
    throw new Error(`${fn}: a and b must have the same size, got ${a.rows}×${a.rows} and ${b.rows}×${b.rows}`);
  }
  return traceSqrtProductRaw(a.data, b.data, a.rows, options.psdTolerance ?? 1e-9, fn, 'a', 'b');
}

/** {@link traceSqrtProduct} on validated raw data; errors name `fn`, `nameA` and `nameB`. @internal */
export function traceSqrtProductRaw(
  a: Float64Array,
  b: Float64Array,
  n: number,
  psdTolerance: number,
  fn: string,
  nameA: string,
  nameB: string,
): number {
  if (n === 0) return 0;
  const mu = productEigenvalues(a, b, n, fn, nameA);
  let maxAbs = 0;
  for (let i = 0; i < mu.length; i++) maxAbs = Math.max(maxAbs, Math.abs(mu[i]));
  let s = 0;
  for (let i = 0; i < mu.length; i++) {
    const x = mu[i];
    if (x < -psdTolerance * maxAbs) {
      throw new Error(
        `${fn}: ${nameB} must be positive semi-definite, got eigenvalue ${x.toExponential(3)} of ` +
          `${nameA}^{1/2} ${nameB} ${nameA}^{1/2} (largest ${maxAbs.toExponential(3)})`,
      );
    }
    if (x > 0) s += Math.sqrt(x);
  }
  return s;
}

/**
 * Eigenvalues (ascending) of A^{1/2} B A^{1/2}, i.e. of A·B, restricted to the numerical range of A: r values
 * where r is A's numerical rank. @internal
 */
export function productEigenvalues(a: Float64Array, b: Float64Array, n: number, fn: string, nameA: string): Float64Array {
  const { lt, perm, rank: r } = pivotedCholeskyRaw(symmetrizedCopy(a, n), n, undefined, fn, nameA);
  if (r === 0) return new Float64Array(0);
  // Bp = Pᵀ B P (symmetrized), then Yt = Lᵀ Bp (r×n) and M = Lᵀ Bp L = Yt L (r×r).
  const bp = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const pi = perm[i];
    for (let j = 0; j < n; j++) {
      const pj = perm[j];
      bp[i * n + j] = 0.5 * (b[pi * n + pj] + b[pj * n + pi]);
    }
  }
  // Yt[q][j] = Σ_p Lt[q][p] Bp[j][p] (Bp symmetric); Lt row q is zero before p = q.
  const yt = new Float64Array(r * n);
  gemmNT(yt, lt, bp, r, n, n, { aUpperTriangular: true });
  // M[q][s] = Σ_p Lt[q][p] Yt[s][p], upper triangle only (M is symmetric).
  const m = new Float64Array(r * r);
  gemmNT(m, lt, yt, r, r, n, { aUpperTriangular: true, upper: true });
  mirrorUpper(m, r);
  return eigenRaw(m, r, false, fn).values;
}

