import { assertSymmetric, DEFAULT_PSD_TOLERANCE, symmetrizedCopy, type Matrix } from './matrix';

/**
 * Cholesky factor of a symmetric positive-definite matrix: the lower-triangular L with A = L Lᵀ.
 * Reads the lower triangle of `a` (after checking symmetry to `symmetryTolerance`, relative).
 * Throws `cholesky: a must be positive definite …` when a pivot is not positive.
 */
export function cholesky(a: Matrix, options: { symmetryTolerance?: number } = {}): Matrix {
  assertSymmetric('cholesky', 'a', a, options.symmetryTolerance);
  const n = a.rows;
  const src = a.data;
  const l = new Float64Array(n * n);
  // Row-oriented (Cholesky–Banachiewicz): every entry is a dot of two contiguous row prefixes.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = src[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (j < i) {
        l[ri + j] = s / l[rj + j];
      } else {
        if (!(s > 0)) {
          throw new Error(`cholesky: a must be positive definite, got pivot ${s} at row ${i}`);
        }
        l[ri + i] = Math.sqrt(s);
      }
    }
  }
  return { rows: n, cols: n, data: l };
}

/** Result of {@link pivotedCholesky}: A[perm[i]][perm[j]] = Σ_k factor[i][k]·factor[j][k]. */
export interface PivotedCholesky {
  /** n×rank, lower trapezoidal in pivot order. */
  readonly factor: Matrix;
  /** perm[i] is the row of A that pivot position i stands for. */
  readonly perm: Int32Array;
  /** Number of pivots above the tolerance: the numerical rank. */
  readonly rank: number;
}

/** Options of {@link pivotedCholesky}. */
export interface PivotedCholeskyOptions {
  /** Stop when the largest remaining pivot is ≤ this. Default n·ε·max(diag A), as LAPACK's dpstrf. */
  tolerance?: number;
  /** Relative symmetry tolerance of the input check (default 1e-6). */
  symmetryTolerance?: number;
  /** Remaining pivots down to −psdTolerance·max(diag A) count as rounding (default 1e-6); below that a is not PSD. */
  psdTolerance?: number;
}

/**
 * Cholesky with complete (diagonal) pivoting of a symmetric positive semi-definite matrix; it stops at the
 * numerical rank, so singular covariances are fine. Throws when a remaining pivot is clearly negative
 * (a is not PSD).
 */
export function pivotedCholesky(a: Matrix, options: PivotedCholeskyOptions = {}): PivotedCholesky {
  assertSymmetric('pivotedCholesky', 'a', a, options.symmetryTolerance);
  const n = a.rows;
  const { lt, perm, rank } = pivotedCholeskyRaw(
    symmetrizedCopy(a.data, n),
    n,
    options.tolerance,
    'pivotedCholesky',
    'a',
    options.psdTolerance,
  );
  // lt holds Lᵀ (rank×n); hand back L (n×rank).
  const l = new Float64Array(n * rank);
  for (let q = 0; q < rank; q++) {
    for (let i = q; i < n; i++) l[i * rank + q] = lt[q * n + i];
  }
  return { factor: { rows: n, cols: rank, data: l }, perm, rank };
}

/**
 * Pivoted Cholesky on raw symmetric data (lower triangle read through the permutation). Returns Lᵀ as
 * rank×n rows: row q is the q-th column of L, zero before position q. Left-looking: column j is A's column
 * minus a sum of contiguous row segments of Lᵀ, so nothing but the factor itself is written.
 * @internal
 */
export function pivotedCholeskyRaw(
  a: Float64Array,
  n: number,
  tolerance: number | undefined,
  fn: string,
  name: string,
  psdTolerance = DEFAULT_PSD_TOLERANCE,
): { lt: Float64Array; perm: Int32Array; rank: number } {
  const perm = new Int32Array(n);
  const dg = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    perm[i] = i;
    dg[i] = a[i * n + i];
    maxDiag = Math.max(maxDiag, dg[i]);
  }
  const tol = tolerance ?? n * Number.EPSILON * maxDiag;
  // Rounding leaves remaining pivots of order n·ε·max (float32 inputs: ~1e-7·max); clearly below that means
  // an indefinite matrix.
  const negTol = Math.max(psdTolerance * maxDiag, 10 * tol);
  const lt = new Float64Array(n * n);
  let rank = 0;
  for (let j = 0; j < n; j++) {
    let piv = j;
    let minRemaining = Infinity;
    for (let i = j; i < n; i++) {
      if (dg[i] > dg[piv]) piv = i;
      minRemaining = Math.min(minRemaining, dg[i]);
    }
    if (minRemaining < -negTol) {
      throw new Error(
        `${fn}: ${name} must be positive semi-definite, got a remaining pivot of ${minRemaining.toExponential(3)} ` +
          `(largest diagonal ${maxDiag.toExponential(3)})`,
      );
    }
    if (!(dg[piv] > tol)) break;
    if (piv !== j) {
      const tp = perm[j];
      perm[j] = perm[piv];
      perm[piv] = tp;
      const td = dg[j];
      dg[j] = dg[piv];
      dg[piv] = td;
      for (let q = 0; q < j; q++) {
        const r = q * n;
        const t = lt[r + j];
        lt[r + j] = lt[r + piv];
        lt[r + piv] = t;
      }
    }
    const row = j * n;
    const pj = perm[j];
    // Column j of the permuted A, read from A's row pj (A is symmetric).
    for (let i = j + 1; i < n; i++) {
      const pi = perm[i];
      lt[row + i] = pi > pj ? a[pi * n + pj] : a[pj * n + pi];
    }
    // Subtract Σ_q L[j][q]·(column q of L) four rows of Lᵀ at a time.
    let q = 0;
    for (; q + 4 <= j; q += 4) {
      const r0 = q * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      const f0 = lt[r0 + j];
      const f1 = lt[r1 + j];
      const f2 = lt[r2 + j];
      const f3 = lt[r3 + j];
      for (let i = j + 1; i < n; i++) {
        lt[row + i] -= f0 * lt[r0 + i] + f1 * lt[r1 + i] + f2 * lt[r2 + i] + f3 * lt[r3 + i];
      }
    }
    for (; q < j; q++) {
      const r0 = q * n;
      const f0 = lt[r0 + j];
      for (let i = j + 1; i < n; i++) lt[row + i] -= f0 * lt[r0 + i];
    }
    const ljj = Math.sqrt(dg[j]);
    lt[row + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const x = lt[row + i] * inv;
      lt[row + i] = x;
      dg[i] -= x * x;
    }
    rank = j + 1;
  }
  if (rank < n) assertNegligibleRemainder(a, n, lt, perm, rank, negTol, fn, name);
  return { lt: rank === n ? lt : lt.slice(0, rank * n), perm, rank };
}

/**
 * After stopping at rank r, the part not factored, S = A₂₂ − L₂₁ L₂₁ᵀ, must be negligible: for a PSD matrix
 * |s_ij| ≤ √(s_ii s_jj), and every remaining pivot s_ii is below the tolerance. An indefinite matrix can hide
 * here with a small diagonal (e.g. [[0, 1], [1, 0]]), so check the off-diagonal entries too.
 */
function assertNegligibleRemainder(
  a: Float64Array,
  n: number,
  lt: Float64Array,
  perm: Int32Array,
  r: number,
  tol: number,
  fn: string,
  name: string,
): void {
  const m = n - r;
  // l21[i][q] = L[r+i][q], contiguous per remaining row.
  const l21 = new Float64Array(m * r);
  for (let q = 0; q < r; q++) for (let i = 0; i < m; i++) l21[i * r + q] = lt[q * n + r + i];
  for (let i = 0; i < m; i++) {
    const pi = perm[r + i];
    for (let j = 0; j <= i; j++) {
      const pj = perm[r + j];
      let s = pi > pj ? a[pi * n + pj] : a[pj * n + pi];
      for (let q = 0; q < r; q++) s -= l21[i * r + q] * l21[j * r + q];
      if (Math.abs(s) > tol) {
        throw new Error(
          `${fn}: ${name} must be positive semi-definite, got a remainder entry of ${s.toExponential(3)} after ` +
            `rank ${r} (tolerance ${tol.toExponential(3)})`,
        );
      }
    }
  }
}
