/**
 * A dense row-major float64 matrix: entry (i, j) is `data[i * cols + j]`.
 * Every linalg function takes and returns this shape and never mutates its inputs.
 */
export interface Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The rows·cols entries, one row after another. */
  readonly data: Float64Array;
}

/**
 * A rows×cols matrix. `data` (row-major, any numeric array) is copied into a fresh Float64Array;
 * without it the matrix is zero.
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0)) {
    throw new Error(`matrix: rows and cols must be non-negative integers, got ${rows}×${cols}`);
  }
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new Error(`matrix: data must hold rows·cols = ${rows * cols} values for ${rows}×${cols}, got ${data.length}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = data[i];
  }
  return { rows, cols, data: out };
}

/** A matrix from an array of equally long rows, e.g. `matrixFromRows([[1, 2], [3, 4]])`. */
export function matrixFromRows(rows: ReadonlyArray<ArrayLike<number>>): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) {
      throw new Error(`matrixFromRows: every row must have ${c} entries, row ${i} has ${rows[i].length}`);
    }
    for (let j = 0; j < c; j++) out[i * c + j] = rows[i][j];
  }
  return { rows: r, cols: c, data: out };
}

/** The rows of a matrix as plain arrays (for printing, JSON and tests). */
export function matrixToRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The n×n identity. */
export function identityMatrix(n: number): Matrix {
  const a = matrix(n, n);
  for (let i = 0; i < n; i++) a.data[i * n + i] = 1;
  return a;
}

/** The square matrix with `values` on the diagonal. */
export function diagonalMatrix(values: ArrayLike<number>): Matrix {
  const n = values.length;
  const a = matrix(n, n);
  for (let i = 0; i < n; i++) a.data[i * n + i] = values[i];
  return a;
}

/** Sum of the diagonal of a square matrix. */
export function trace(a: Matrix): number {
  assertSquare('trace', 'a', a);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

/** Aᵀ (blocked so that both matrices are walked in cache-sized tiles). */
export function transpose(a: Matrix): Matrix {
  assertMatrix('transpose', 'a', a);
  const { rows, cols } = a;
  const src = a.data;
  const dst = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j];
      }
    }
  }
  return { rows: cols, cols: rows, data: dst };
}

/** (A + Aᵀ) / 2: removes the rounding asymmetry that products such as S·B·S leave behind. */
export function symmetrize(a: Matrix): Matrix {
  assertSquare('symmetrize', 'a', a);
  const n = a.rows;
  const out = new Float64Array(a.data);
  symmetrizeInPlace(out, n);
  return { rows: n, cols: n, data: out };
}

/** Largest |a_ij − a_ji| relative to the largest |a_ij| (0 for a zero matrix). */
export function asymmetry(a: Matrix): number {
  assertSquare('asymmetry', 'a', a);
  return symmetryScan(a.data, a.rows);
}

/**
 * asymmetry() of square n×n data, or NaN when an entry is not finite: one pass over 32×32 tile pairs (walking a_ji
 * down a column would touch a new cache line per entry, ~8× slower at n = 2048).
 */
function symmetryScan(d: Float64Array, n: number): number {
  let maxAbs = 0;
  let maxDiff = 0;
  let probe = 0; // x·0 is 0, or NaN for ±∞ and NaN
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(i0 + T, n);
    for (let j0 = 0; j0 <= i0; j0 += T) {
      const j1 = Math.min(j0 + T, n);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) {
          const x = d[i * n + j];
          const y = d[j * n + i];
          probe += x * 0 + y * 0;
          const ax = Math.abs(x);
          const ay = Math.abs(y);
          const diff = Math.abs(x - y);
          if (ax > maxAbs) maxAbs = ax;
          if (ay > maxAbs) maxAbs = ay;
          if (diff > maxDiff) maxDiff = diff;
        }
      }
    }
  }
  if (probe !== 0) return NaN;
  return maxAbs === 0 ? 0 : maxDiff / maxAbs;
}

// ---- internal helpers shared by the linalg and gaussian modules (not exported from the package) ----

/** In-place (A + Aᵀ)/2 on row-major n×n data. */
export function symmetrizeInPlace(d: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (d[i * n + j] + d[j * n + i]);
      d[i * n + j] = m;
      d[j * n + i] = m;
    }
  }
}

/** @internal Lower triangle of (A + Aᵀ)/2 in a fresh array (the upper triangle is left as A's; the solver never reads it). */
export function symmetrizedCopy(src: Float64Array, n: number): Float64Array {
  const out = new Float64Array(src);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) out[i * n + j] = 0.5 * (src[i * n + j] + src[j * n + i]);
  }
  return out;
}

/** Throws unless `a` is a well-formed Matrix with finite entries. */
export function assertMatrix(fn: string, name: string, a: Matrix): void {
  assertShape(fn, name, a);
  assertFinite(fn, name, a.data);
}

function assertShape(fn: string, name: string, a: Matrix): void {
  if (a === null || typeof a !== 'object' || !(a.data instanceof Float64Array)) {
    throw new Error(`${fn}: ${name} must be a Matrix {rows, cols, data: Float64Array}, got ${describe(a)}`);
  }
  if (!(Number.isInteger(a.rows) && Number.isInteger(a.cols) && a.rows >= 0 && a.cols >= 0)) {
    throw new Error(`${fn}: ${name} must have integer rows and cols, got ${a.rows}×${a.cols}`);
  }
  if (a.data.length !== a.rows * a.cols) {
    throw new Error(`${fn}: ${name} is ${a.rows}×${a.cols} but its data holds ${a.data.length} values`);
  }
}

/** Throws unless `a` is a square Matrix with finite entries. */
export function assertSquare(fn: string, name: string, a: Matrix): void {
  assertMatrix(fn, name, a);
  if (a.rows !== a.cols) throw new Error(`${fn}: ${name} must be square, got ${a.rows}×${a.cols}`);
}

/**
 * Default relative symmetry tolerance of every input check: loose enough for matrices that went through float32
 * (e.g. covariances from a GPU), tight enough to reject a matrix that is not meant to be symmetric.
 */
export const DEFAULT_SYMMETRY_TOLERANCE = 1e-6;

/**
 * Default relative PSD tolerance: eigenvalues (or Cholesky pivots) down to −1e-6 × the largest count as rounding
 * and are clamped to 0, so covariances that went through float32 pass; more negative ones throw.
 */
export const DEFAULT_PSD_TOLERANCE = 1e-6;

/** Throws unless `a` is square and symmetric to `tol` relative to its largest entry. */
export function assertSymmetric(fn: string, name: string, a: Matrix, tol = DEFAULT_SYMMETRY_TOLERANCE): void {
  // One pass for finiteness and symmetry (the FID path checks two 2048×2048 covariances per call).
  assertShape(fn, name, a);
  if (a.rows !== a.cols) {
    assertFinite(fn, name, a.data);
    throw new Error(`${fn}: ${name} must be square, got ${a.rows}×${a.cols}`);
  }
  const r = symmetryScan(a.data, a.rows);
  if (Number.isNaN(r)) assertFinite(fn, name, a.data);
  if (r > tol) {
    throw new Error(`${fn}: ${name} must be symmetric (relative asymmetry ≤ ${tol}), got ${r.toExponential(3)}`);
  }
}

/** Throws naming the first non-finite entry. */
export function assertFinite(fn: string, name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`${fn}: ${name} must be finite, got ${x[i]} at index ${i}`);
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}
