import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from './matmul';
import { diagonalMatrix, matrix, matrixFromRows, symmetrize, transpose, type Matrix } from './matrix';
import type { ProductEigenvalues } from './product-eigenvalues';
import { productEigenvaluesJs } from './product-eigenvalues-js';
import { productEigenvaluesWasm, type ProductEigenOptions } from './product-eigenvalues-wasm';
import { randomOrthogonal } from './random-orthogonal';
import { randomPsd } from './test-helpers';
import { wasmKernels } from './wasm/wasm-kernels';

// The WebAssembly kernels against the JavaScript path they replace: same eigenvalues of A·B (to rounding), same
// ranks, same errors, on every thread count and band width (the small band widths exercise the bulge chasing with
// many sweeps per block).
const request = (a: Matrix, b: Matrix, psdTolerance?: number) =>
  ({ a: a.data, b: b.data, n: a.rows, fn: 'f', nameA: 'a', nameB: 'b', psdTolerance });
const eig = (a: Matrix, b: Matrix, options: ProductEigenOptions, psdTolerance?: number) =>
  productEigenvaluesWasm(request(a, b, psdTolerance), options);
const eigJs = (a: Matrix, b: Matrix, psdTolerance?: number) => productEigenvaluesJs(request(a, b, psdTolerance));
const configs: ProductEigenOptions[] = [
  { threads: 1 },
  { threads: 2 },
  { threads: 1, bandwidth: 3 },
  { threads: 2, bandwidth: 5 },
];

function expectSameEigenvalues(got: ProductEigenvalues | null, want: ProductEigenvalues, tol: number): void {
  expect(got).not.toBeNull();
  expect(got!.fullRank).toBe(want.fullRank);
  const [g, w] = [got!.values, want.values];
  expect(g.length).toBe(w.length);
  const top = Math.max(...w.map(Math.abs), 0);
  for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual(tol * top);
}

/** Both orders of the pair, on every configuration, give the JavaScript path's eigenvalues to tol·max. */
function expectSameAsJs(a: Matrix, b: Matrix, tol: number): void {
  for (const [x, y] of [[a, b], [b, a]]) {
    const want = eigJs(x, y);
    for (const options of configs) expectSameEigenvalues(eig(x, y, options), want, tol);
  }
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe.skipIf(wasmKernels() === null)('productEigenvaluesWasm', () => {
  it('matches the JavaScript path on full-rank and singular pairs of many sizes, both orders', () => {
    const rng = new Rng(60);
    const shapes: [number, number, number][] = [
      [1, 1, 1], [2, 3, 3], [3, 3, 1], [5, 9, 9], [33, 50, 40], [40, 10, 60], [40, 60, 15], [65, 80, 80],
      [130, 200, 150], [200, 50, 300], [257, 300, 300],
    ];
    for (const [n, ca, cb] of shapes) expectSameAsJs(randomPsd(n, rng, ca), randomPsd(n, rng, cb), 1e-12);
  });

  it('is scale-invariant: covariances of 1e-8 and 1e8 give the scaled eigenvalues', () => {
    const rng = new Rng(61);
    const a = randomPsd(70, rng, 90);
    const b = randomPsd(70, rng, 90);
    const scaled = (m: Matrix, s: number) => matrix(m.rows, m.cols, m.data.map((v) => v * s));
    const want = eigJs(a, b);
    for (const options of configs) {
      expectSameEigenvalues(eig(scaled(a, 1e-8), scaled(b, 1e8), options), want, 1e-12);
    }
  });

  it('takes the pivoted path for PSD matrices that went through float32, as the JavaScript path does', () => {
    const rng = new Rng(62);
    const a = randomPsd(30, rng, 6);
    const b = randomPsd(30, rng, 40);
    expectSameAsJs(matrix(30, 30, Float32Array.from(a.data)), b, 1e-10);
  });

  it('throws the JavaScript path\'s errors for matrices that are not PSD', () => {
    const rng = new Rng(63);
    const psd = randomPsd(40, rng, 50);
    const indefinite = matrix(40, 40, psd.data.map((v, i) => (i % 41 === 0 && i < 41 * 5 ? v - 3 : v)));
    const cases: [Matrix, Matrix][] = [
      [diagonalMatrix([1, 1]), diagonalMatrix([1, -1])],
      [diagonalMatrix([1, -1]), diagonalMatrix([1, 1])],
      [diagonalMatrix([1, 1]), matrixFromRows([[0, 1], [1, 0]])],
      [psd, indefinite],
      [indefinite, psd],
    ];
    for (const [x, y] of cases) {
      const want = errorOf(() => eigJs(x, y));
      expect(want).toMatch(/must be positive semi-definite/);
      for (const options of configs) expect(errorOf(() => eig(x, y, options))).toBe(want);
    }
  });

  it('counts negative pivots within psdTolerance as rounding, as the JavaScript path does', () => {
    // A's last pivot is −1e-5·max(diag): not PSD under the default tolerance (1e-6), rank 2 under 1e-4.
    const a = diagonalMatrix([1, 1, -1e-5]);
    const b = randomPsd(3, new Rng(67));
    expect(errorOf(() => eigJs(a, b))).toMatch(/a must be positive semi-definite/);
    for (const options of configs) expect(errorOf(() => eig(a, b, options))).toBe(errorOf(() => eigJs(a, b)));
    const want = eigJs(a, b, 1e-4);
    expect(want.values.length).toBe(2);
    for (const options of configs) expectSameEigenvalues(eig(a, b, options, 1e-4), want, 1e-12);
  });

  it('returns no eigenvalues when either side is zero', () => {
    for (const options of configs) {
      expect(eig(matrix(3, 3), randomPsd(3, new Rng(64)), options)!.values).toEqual(new Float64Array(0));
      expect(eig(randomPsd(3, new Rng(65)), matrix(3, 3), options)!.values).toEqual(new Float64Array(0));
    }
  });

  it('keeps genuine eigenvalues far below ε·max when both covariances are positive definite', () => {
    // Spectra from 1 down to 1e-9 (like covariances of barely more samples than features): A·B has eigenvalues down
    // to ~1e-18 of the largest, which count in the trace (SciPy's sqrtm counts them too); a singular side instead
    // truncates its null space.
    const rng = new Rng(66);
    const spectrum = (n: number) => Array.from({ length: n }, (_, i) => 10 ** (-9 * (i / (n - 1))));
    const withSpectrum = (values: number[]) => {
      const q = randomOrthogonal(values.length, rng);
      return symmetrize(matmul(matmul(q, diagonalMatrix(values)), transpose(q)));
    };
    const a = withSpectrum(spectrum(120));
    const b = withSpectrum(spectrum(120));
    for (const options of configs) {
      const got = eig(a, b, options)!;
      expect(got.fullRank).toBe(true);
      expect(got.values[0]).toBeLessThan(1e-14 * got.values[119]);
      expectSameEigenvalues(got, eigJs(a, b), 1e-12);
    }
    expect(eig(a, randomPsd(120, rng, 100), configs[0])!.fullRank).toBe(false);
  });
});
