import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from './matmul';
import { diagonalMatrix, matrix, matrixFromRows, symmetrize, transpose, type Matrix } from './matrix';
import { sqrtmPsd } from './matrix-functions';
import { symmetricEigenvalues } from './symmetric-eigen';
import { fixtureCov, fixtureGrid, randomPsd, randomPsdWithFactor } from './test-helpers';
import { traceSqrtProduct } from './trace-sqrt-product';

/**
 * Reference for A = F Fᵀ (F n×r): Tr (A^{1/2} B A^{1/2})^{1/2} = Σ √eig(Fᵀ B F), an r×r problem free of the
 * √(rounding) terms that explicit square roots of singular products pick up.
 */
function viaFactor(f: Matrix, b: Matrix): number {
  const m = matmul(matmul(transpose(f), b), f);
  let s = 0;
  for (const x of symmetricEigenvalues(symmetrize(m))) if (x > 0) s += Math.sqrt(x);
  return s;
}

/** The definition through explicit square roots, Tr sqrtm(A^{1/2} B A^{1/2}) (accurate for SPD A and B). */
function viaSqrtm(a: Matrix, b: Matrix): number {
  const h = sqrtmPsd(a);
  let s = 0;
  for (const x of symmetricEigenvalues(symmetrize(matmul(matmul(h, b), h)))) if (x > 0) s += Math.sqrt(x);
  return s;
}

describe('traceSqrtProduct', () => {
  it('equals Σ √(a_i b_i) for commuting (diagonal) matrices', () => {
    const a = [1, 4, 0.25, 9];
    const b = [9, 1, 4, 0];
    const want = a.reduce((s, x, i) => s + Math.sqrt(x * b[i]), 0);
    expect(traceSqrtProduct(diagonalMatrix(a), diagonalMatrix(b))).toBeCloseTo(want, 13);
  });

  it('matches the definition on SPD pairs, and the factored form on singular ones, both orders, to 1e-10', () => {
    const rng = new Rng(50);
    for (const [n, ca, cb] of [[1, 1, 1], [5, 9, 9], [40, 60, 50], [40, 10, 60], [40, 60, 15], [33, 8, 8], [70, 20, 35]]) {
      const { a, f: fa } = randomPsdWithFactor(n, rng, ca);
      const { a: b, f: fb } = randomPsdWithFactor(n, rng, cb);
      // Factor the singular side (a factor with more columns than rows would bring its own null space).
      const want = ca < n ? viaFactor(fa, b) : cb < n ? viaFactor(fb, a) : viaSqrtm(a, b);
      expect(Math.abs(traceSqrtProduct(a, b) - want) / want).toBeLessThan(1e-10);
      expect(Math.abs(traceSqrtProduct(b, a) - want) / want).toBeLessThan(1e-10);
    }
    expect(traceSqrtProduct(matrix(3, 3), randomPsd(3, rng))).toBe(0);
  });

  it('agrees with SciPy on the 64×64 fixture to 1e-8 relative', () => {
    const fx = JSON.parse(readFileSync(new URL('../../fixtures/gaussian-w2-scipy.json', import.meta.url), 'utf8'));
    const d = 64;
    const s1 = fixtureCov(fixtureGrid(d, d, 37, 91, 13, 101), d, d, 0.25);
    const s2 = fixtureCov(fixtureGrid(d, d, 53, 29, 7, 97), d, d, 0.1);
    const s3 = fixtureCov(fixtureGrid(24, d, 19, 43, 3, 89), 24, d, 0);
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
    expect(rel(traceSqrtProduct(s1, s2), fx.traceSqrtProduct)).toBeLessThan(1e-8);
    // Singular S3 (rank 24): against SciPy's factored reference (the sqrtm route itself is only good to ~3e-8 here).
    expect(rel(traceSqrtProduct(s1, s3), fx.traceSqrtProductSingular.factored)).toBeLessThan(1e-8);
    expect(rel(traceSqrtProduct(s3, s1), fx.traceSqrtProductSingular.factored)).toBeLessThan(1e-8);
    const r1 = sqrtmPsd(s1);
    let maxErr = 0;
    let maxRef = 0;
    fx.sqrtmS1.rows0to3.forEach((row: number[], i: number) =>
      row.forEach((x, j) => {
        maxErr = Math.max(maxErr, Math.abs(r1.data[i * d + j] - x));
        maxRef = Math.max(maxRef, Math.abs(x));
      }),
    );
    expect(maxErr / maxRef).toBeLessThan(1e-8);
    let tr = 0;
    for (let i = 0; i < d; i++) tr += r1.data[i * d + i];
    expect(rel(tr, fx.sqrtmS1.trace)).toBeLessThan(1e-8);
  });

  it('accepts singular covariances that went through float32 (PSD up to ~1e-7 relative)', () => {
    const rng = new Rng(51);
    const a = randomPsd(30, rng, 6);
    const b = randomPsd(30, rng, 40);
    const a32 = matrix(30, 30, Float32Array.from(a.data));
    const exact = traceSqrtProduct(a, b);
    expect(Math.abs(traceSqrtProduct(a32, b) - exact) / exact).toBeLessThan(1e-3);
    expect(Math.abs(traceSqrtProduct(b, a32) - exact) / exact).toBeLessThan(1e-3);
  });

  it('rejects mismatched sizes and non-PSD input, naming the argument', () => {
    expect(() => traceSqrtProduct(diagonalMatrix([1, 2]), diagonalMatrix([1]))).toThrow(
      /traceSqrtProduct: a and b must have the same size, got 2×2 and 1×1/,
    );
    expect(() => traceSqrtProduct(diagonalMatrix([1, 1]), diagonalMatrix([1, -1]))).toThrow(
      /traceSqrtProduct: b must be positive semi-definite/,
    );
    // Indefinite with a zero diagonal: only the remainder check sees it.
    expect(() => traceSqrtProduct(diagonalMatrix([1, 1]), matrixFromRows([[0, 1], [1, 0]]))).toThrow(
      /traceSqrtProduct: b must be positive semi-definite, got a remainder entry/,
    );
    expect(() => traceSqrtProduct(matrixFromRows([[1, 2], [2, 1]]), diagonalMatrix([1, 1]))).toThrow(
      /traceSqrtProduct: a must be positive semi-definite/,
    );
  });
});
