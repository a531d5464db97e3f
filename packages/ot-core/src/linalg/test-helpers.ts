// Shared by the linalg and gaussian tests and the benchmark (not exported from the package).
import { Rng } from '../rng';
import { type Matrix, matrix } from './matrix';

/** A random symmetric n×n matrix with N(0, 1) entries. */
export function randomSymmetric(n: number, rng: Rng): Matrix {
  const a = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a.data[i * n + j] = x;
      a.data[j * n + i] = x;
    }
  }
  return a;
}

/** G Gᵀ / cols + ridge·I for an n×cols Gaussian G: PSD of rank min(n, cols) when ridge = 0. */
export function randomPsd(n: number, rng: Rng, cols = n, ridge = 0): Matrix {
  return randomPsdWithFactor(n, rng, cols, ridge).a;
}

/** {@link randomPsd} together with its factor F = G/√cols (n×cols), so a = F Fᵀ + ridge·I. */
export function randomPsdWithFactor(n: number, rng: Rng, cols = n, ridge = 0): { a: Matrix; f: Matrix } {
  const g = new Float64Array(n * cols);
  for (let i = 0; i < g.length; i++) g[i] = rng.normal();
  const f = matrix(n, cols, g.map((x) => x / Math.sqrt(cols)));
  const a = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += g[i * cols + k] * g[j * cols + k];
      s /= cols;
      if (i === j) s += ridge;
      a.data[i * n + j] = s;
      a.data[j * n + i] = s;
    }
  }
  return { a, f };
}

/** Plain triple-loop product, the reference for the blocked kernels. */
export function naiveMatmul(a: Matrix, b: Matrix): Matrix {
  const c = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      c.data[i * b.cols + j] = s;
    }
  }
  return c;
}

/** max |a − b| over all entries. */
export function maxAbsDiff(a: Matrix | ArrayLike<number>, b: Matrix | ArrayLike<number>): number {
  const x = 'data' in a ? a.data : a;
  const y = 'data' in b ? b.data : b;
  if (x.length !== y.length) throw new Error(`maxAbsDiff: lengths differ (${x.length} vs ${y.length})`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** max |a_ij| */
export function maxAbs(a: Matrix | ArrayLike<number>): number {
  const x = 'data' in a ? a.data : a;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** V diag(values) Vᵀ with eigenvectors as the columns of V. */
export function fromEigen(values: ArrayLike<number>, v: Matrix): Matrix {
  const n = v.rows;
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < values.length; k++) s += v.data[i * n + k] * values[k] * v.data[j * n + k];
      out.data[i * n + j] = s;
    }
  }
  return out;
}

/** The integer-formula matrices of fixtures/gaussian-w2-scipy.py. */
export function fixtureGrid(rows: number, cols: number, a: number, b: number, c: number, m: number): Float64Array {
  const h = Math.floor(m / 2);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = (((a * i + b * j + c) % m) - h) / h;
  return out;
}
export function fixtureCov(g: Float64Array, rows: number, cols: number, ridge: number): Matrix {
  const s = matrix(cols, cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let t = 0;
      for (let k = 0; k < rows; k++) t += g[k * cols + i] * g[k * cols + j];
      s.data[i * cols + j] = t / rows + (i === j ? ridge : 0);
    }
  }
  return s;
}

/**
 * n×d feature rows (row-major) of fixtures/make-frechet-fixture.py, bit for bit: k latent factors with loadings in
 * [-½, ½) plus independent noise of scale 1/(1 + j/8), drawn from Rng(seed) in the script's order.
 */
export function fixtureFeatures(seed: number, n: number, d: number, k: number): Float64Array {
  const rng = new Rng(seed);
  const w = new Float64Array(k * d);
  for (let q = 0; q < k; q++) for (let j = 0; j < d; j++) w[q * d + j] = rng.uniform() - 0.5;
  const scale = Array.from({ length: d }, (_, j) => 1 / (1 + j / 8));
  const x = new Float64Array(n * d);
  const f = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) f[q] = rng.uniform() - 0.5;
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let q = 0; q < k; q++) v += f[q] * w[q * d + j];
      x[i * d + j] = v + scale[j] * (rng.uniform() - 0.5);
    }
  }
  return x;
}
