import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { cholesky } from '../linalg/cholesky';
import { matmul } from '../linalg/matmul';
import { diagonalMatrix, matrix, matrixFromRows, transpose, type Matrix } from '../linalg/matrix';
import { randomOrthogonal } from '../linalg/random-orthogonal';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen';
import { fixtureCov, fixtureGrid, maxAbs, maxAbsDiff, randomPsd } from '../linalg/test-helpers';
import { applyAffineMap, gaussianOtMap } from './gaussian-ot-map';
import { gaussianW2Squared } from './gaussian-w2';

function randomMean(d: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: d }, () => rng.normal());
}

/** n samples of N(m, S) through the Cholesky factor, row-major n×d. */
function sampleGaussian(m: ArrayLike<number>, s: Matrix, n: number, rng: Rng): Float64Array {
  const d = m.length;
  const l = cholesky(s);
  const out = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let r = 0; r < d; r++) {
      let acc = m[r];
      for (let c = 0; c <= r; c++) acc += l.data[r * d + c] * z[c];
      out[i * d + r] = acc;
    }
  }
  return out;
}

describe('gaussianOtMap', () => {
  it('1-D: T(x) = m2 + (s2/s1)(x − m1)', () => {
    const [m1, s1, m2, s2] = [0.7, 1.5, -2, 0.4];
    const { A, b } = gaussianOtMap([m1], matrixFromRows([[s1 * s1]]), [m2], matrixFromRows([[s2 * s2]]));
    expect(A.data[0]).toBeCloseTo(s2 / s1, 14);
    expect(b[0]).toBeCloseTo(m2 - (s2 / s1) * m1, 14);
    const y = applyAffineMap({ A, b }, [1, 2, 3]);
    for (const [i, x] of [1, 2, 3].entries()) expect(y[i]).toBeCloseTo(m2 + (s2 / s1) * (x - m1), 13);
  });

  it('commuting covariances: A = Q diag(√(b/a)) Qᵀ', () => {
    const rng = new Rng(60);
    const d = 6;
    const q = randomOrthogonal(d, rng);
    const ea = [0.5, 1, 2, 3, 0.3, 4];
    const eb = [2, 1, 0.5, 0.25, 3, 1.5];
    const conj = (e: number[]) => matmul(matmul(q, diagonalMatrix(e)), transpose(q));
    const m1 = randomMean(d, rng);
    const m2 = randomMean(d, rng);
    const { A } = gaussianOtMap(m1, conj(ea), m2, conj(eb));
    expect(maxAbsDiff(A, conj(ea.map((x, i) => Math.sqrt(eb[i] / x))))).toBeLessThan(1e-12);
  });

  it('pushes N(m1, S1) to N(m2, S2) exactly (A S1 A = S2, A m1 + b = m2) with A symmetric PD', () => {
    const rng = new Rng(61);
    for (const d of [1, 2, 5, 16, 64]) {
      const s1 = randomPsd(d, rng, d + 4, 0.05);
      const s2 = randomPsd(d, rng, d + 4, 0.05);
      const m1 = randomMean(d, rng);
      const m2 = randomMean(d, rng);
      const map = gaussianOtMap(m1, s1, m2, s2);
      const { A } = map;
      expect(maxAbsDiff(matmul(matmul(A, s1), A), s2) / maxAbs(s2)).toBeLessThan(1e-10);
      expect(maxAbsDiff(applyAffineMap(map, m1), m2)).toBeLessThan(1e-10);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(A.data[i * d + j]).toBe(A.data[j * d + i]);
      expect(symmetricEigenvalues(A)[0]).toBeGreaterThan(0);
    }
  });

  it('its cost E‖x − T(x)‖² equals gaussianW2Squared, exactly and by Monte Carlo', () => {
    const rng = new Rng(62);
    const d = 4;
    const s1 = randomPsd(d, rng, 8, 0.1);
    const s2 = randomPsd(d, rng, 8, 0.1);
    const m1 = randomMean(d, rng);
    const m2 = randomMean(d, rng);
    const map = gaussianOtMap(m1, s1, m2, s2);
    const w2 = gaussianW2Squared(m1, s1, m2, s2);
    // Exact: E‖(I − A)x − b‖² = ‖(I − A)m1 − b‖² + Tr((I − A) S1 (I − A)ᵀ).
    const ima = matrix(d, d, map.A.data.map((x, k) => (k % (d + 1) === 0 ? 1 : 0) - x));
    const r = applyAffineMap({ A: ima, b: map.b.map((x) => -x) }, m1);
    let exact = r.reduce((s, x) => s + x * x, 0);
    const c = matmul(matmul(ima, s1), transpose(ima));
    for (let i = 0; i < d; i++) exact += c.data[i * d + i];
    expect(Math.abs(exact - w2) / w2).toBeLessThan(1e-12);
    // Monte Carlo with a 5-standard-error band.
    const n = 100_000;
    const x = sampleGaussian(m1, s1, n, rng);
    const y = applyAffineMap(map, x);
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += (x[i * d + j] - y[i * d + j]) ** 2;
      sum += t;
      sum2 += t * t;
    }
    const mean = sum / n;
    const se = Math.sqrt((sum2 / n - mean * mean) / n);
    expect(Math.abs(mean - w2)).toBeLessThan(5 * se);
  });

  it('matches SciPy on the 64-dimensional fixture to 1e-8 relative', () => {
    const fx = JSON.parse(readFileSync(new URL('../../fixtures/gaussian-w2-scipy.json', import.meta.url), 'utf8'));
    const d = 64;
    const s1 = fixtureCov(fixtureGrid(d, d, 37, 91, 13, 101), d, d, 0.25);
    const s2 = fixtureCov(fixtureGrid(d, d, 53, 29, 7, 97), d, d, 0.1);
    const m1 = Float64Array.from({ length: d }, (_, i) => (((17 * i + 5) % 23) - 11) / 7);
    const m2 = Float64Array.from({ length: d }, (_, i) => (((11 * i + 3) % 19) - 9) / 5);
    const { A, b } = gaussianOtMap(m1, s1, m2, s2);
    const rows: number[][] = fx.map.Arows0to3;
    const ref = maxAbs(rows.flat());
    rows.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(A.data[i * d + j] - x) / ref).toBeLessThan(1e-8)));
    expect(maxAbsDiff(b, fx.map.b) / maxAbs(fx.map.b)).toBeLessThan(1e-8);
    const w2 = gaussianW2Squared(m1, s1, m2, s2);
    expect(Math.abs(w2 - fx.w2Squared) / fx.w2Squared).toBeLessThan(1e-8);
  });

  it('validates its input, naming the function and the argument', () => {
    const i2 = diagonalMatrix([1, 1]);
    expect(() => gaussianOtMap([0, 0], i2, [0], diagonalMatrix([1]))).toThrow(
      /gaussianOtMap: both Gaussians must have the same dimension, got 2 and 1/,
    );
    expect(() => gaussianOtMap([0], i2, [0, 0], i2)).toThrow(/gaussianOtMap: S1 must be 1×1 to match m1, got 2×2/);
    expect(() => gaussianOtMap([0, NaN], i2, [0, 0], i2)).toThrow(/gaussianOtMap: m1 must be finite, got NaN/);
    expect(() => gaussianOtMap([0, 0], matrixFromRows([[1, 0.5], [0, 1]]), [0, 0], i2)).toThrow(
      /gaussianOtMap: S1 must be symmetric/,
    );
    expect(() => gaussianOtMap([0, 0], diagonalMatrix([1, 0]), [0, 0], i2)).toThrow(
      /gaussianOtMap: S1 must be positive definite/,
    );
    expect(() => gaussianOtMap([0, 0], i2, [0, 0], diagonalMatrix([1, -0.5]))).toThrow(
      /gaussianOtMap: S2 must be positive semi-definite/,
    );
    expect(() => applyAffineMap({ A: i2, b: new Float64Array(2) }, [1, 2, 3])).toThrow(
      /applyAffineMap: x must hold N·d values for d = 2, got 3/,
    );
  });
});
