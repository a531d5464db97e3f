import { pivotedCholeskyRaw } from './cholesky';
import { gemmNT, mirrorUpper, transposeData } from './matmul';
import { assertSymmetric, symmetrizedCopy, type Matrix } from './matrix';
import { eigenRaw } from './symmetric-eigen';

/** Options of {@link traceSqrtProduct}. */
export interface TraceSqrtProductOptions {
  /** Relative symmetry tolerance of the input checks (default 1e-6). */
  symmetryTolerance?: number;
  /** Cholesky pivots down to −psdTolerance·max(diag) count as rounding (default 1e-6); below that, not PSD. */
  psdTolerance?: number;
}

/**
 * Tr (A^{1/2} B A^{1/2})^{1/2} for symmetric positive semi-definite A and B: the cross term of the
 * Bures–Wasserstein / Fréchet distance. Equal to Σ √μ over the eigenvalues μ of A·B, and symmetric in A and B.
 *
 * Computed without any matrix square root. Pivoted Cholesky factors A = Pa La Laᵀ Paᵀ and B = Pb Lb Lbᵀ Pbᵀ stop at
 * the numerical ranks ra, rb, so singular covariances are fine; then with K = (Pa La)ᵀ (Pb Lb) (ra×rb),
 * A·B has the non-zero eigenvalues of K Kᵀ, and the answer is Σ √eig(K Kᵀ) (the nuclear norm of K). Truncating
 * both null spaces keeps rounding noise out of the square roots: forming A^{1/2} B A^{1/2} for a singular B
 * adds terms of size √(ε‖A‖‖B‖) per null direction (~1e-8 relative); likewise eigenvalues of K Kᵀ at rounding
 * level (≤ r·ε·max) count as 0. Cost ≈ (1/3 + 1/2 + 1/2)n³
 * multiply-adds plus a values-only eigen-solve of the smaller side, about a third of forming A^{1/2} by
 * eigenvectors.
 */
export function traceSqrtProduct(a: Matrix, b: Matrix, options: TraceSqrtProductOptions = {}): number {
  const fn = 'traceSqrtProduct';
  assertSymmetric(fn, 'a', a, options.symmetryTolerance);
  assertSymmetric(fn, 'b', b, options.symmetryTolerance);
  if (a.rows !== b.rows) {
    throw new Error(`${fn}: a and b must have the same size, got ${a.rows}×${a.rows} and ${b.rows}×${b.rows}`);
  }
  return traceSqrtProductRaw(a.data, b.data, a.rows, fn, 'a', 'b', options.psdTolerance);
}

/** {@link traceSqrtProduct} on validated raw data; errors name `fn`, `nameA` and `nameB`. @internal */
export function traceSqrtProductRaw(
  a: Float64Array,
  b: Float64Array,
  n: number,
  fn: string,
  nameA: string,
  nameB: string,
  psdTolerance?: number,
): number {
  if (n === 0) return 0;
  const mu = productEigenvalues(a, b, n, fn, nameA, nameB, psdTolerance);
  const r = mu.length;
  if (r === 0) return 0;
  // K Kᵀ is PSD by construction, and its eigenvalues carry absolute errors of about r·ε·μ_max: a direction of
  // range(A) that B annihilates comes out as ±1e-16·μ_max instead of 0, and its square root (1e-8) would
  // dominate the error. Values at that level are indistinguishable from 0, so count them as 0.
  const floor = r * Number.EPSILON * mu[r - 1];
  let s = 0;
  for (let i = 0; i < r; i++) if (mu[i] > floor) s += Math.sqrt(mu[i]);
  return s;
}

/**
 * The non-zero eigenvalues (ascending) of A·B for PSD A, B: the eigenvalues of K Kᵀ or Kᵀ K (whichever is
 * smaller) with K = (Pa La)ᵀ (Pb Lb). @internal
 */
export function productEigenvalues(
  a: Float64Array,
  b: Float64Array,
  n: number,
  fn: string,
  nameA: string,
  nameB: string,
  psdTolerance?: number,
): Float64Array {
  const fa = pivotedCholeskyRaw(symmetrizedCopy(a, n), n, undefined, fn, nameA, psdTolerance);
  const fb = pivotedCholeskyRaw(symmetrizedCopy(b, n), n, undefined, fn, nameB, psdTolerance);
  const ra = fa.rank;
  const rb = fb.rank;
  if (ra === 0 || rb === 0) return new Float64Array(0);
  // Bring Lbᵀ's columns into A's pivot order: ltb[s][i] = Lb[position of perm_a[i] in perm_b][s].
  const posB = new Int32Array(n);
  for (let i = 0; i < n; i++) posB[fb.perm[i]] = i;
  const ltb = new Float64Array(rb * n);
  for (let s = 0; s < rb; s++) {
    const src = s * n;
    const dst = s * n;
    for (let i = 0; i < n; i++) ltb[dst + i] = fb.lt[src + posB[fa.perm[i]]];
  }
  // K[q][s] = Σ_i Lta[q][i] ltb[s][i]; Lta row q is zero before i = q.
  const k = new Float64Array(ra * rb);
  gemmNT(k, fa.lt, ltb, ra, rb, n, { aUpperTriangular: true });
  let g: Float64Array;
  let r: number;
  if (ra <= rb) {
    r = ra;
    g = new Float64Array(r * r);
    gemmNT(g, k, k, r, r, rb, { upper: true });
  } else {
    r = rb;
    const kt = transposeData(k, ra, rb);
    g = new Float64Array(r * r);
    gemmNT(g, kt, kt, r, r, ra, { upper: true });
  }
  mirrorUpper(g, r);
  return eigenRaw(g, r, false, fn).values;
}
