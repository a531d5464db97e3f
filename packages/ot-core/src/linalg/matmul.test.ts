import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from './matmul';
import { matrix, matrixFromRows, matrixToRows, symmetrize, trace, transpose } from './matrix';
import { maxAbsDiff, naiveMatmul } from './test-helpers';

function randomMatrix(rows: number, cols: number, rng: Rng) {
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => rng.normal()));
}

describe('matmul / transpose / symmetrize', () => {
  it('matches the triple loop for awkward shapes (remainders of the 4×2 blocking, tiles > 256)', () => {
    const rng = new Rng(10);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [4, 2, 2], [9, 300, 5], [70, 33, 130], [5, 1, 9]]) {
      const a = randomMatrix(m, k, rng);
      const b = randomMatrix(k, n, rng);
      expect(maxAbsDiff(matmul(a, b), naiveMatmul(a, b))).toBeLessThan(1e-12);
    }
  });

  it('computes small products exactly', () => {
    const c = matmul(matrixFromRows([[1, 2], [3, 4]]), matrixFromRows([[5, 6], [7, 8]]));
    expect(matrixToRows(c)).toEqual([[19, 22], [43, 50]]);
    expect(matrixToRows(transpose(matrixFromRows([[1, 2, 3]])))).toEqual([[1], [2], [3]]);
    expect(matrixToRows(symmetrize(matrixFromRows([[1, 2], [4, 1]])))).toEqual([[1, 3], [3, 1]]);
    expect(trace(matrixFromRows([[1, 2], [4, 5]]))).toBe(6);
  });

  it('names the function and the shapes on mismatch', () => {
    expect(() => matmul(matrix(2, 3), matrix(2, 3))).toThrow(/matmul: a.cols must equal b.rows, got a 2×3 and b 2×3/);
    expect(() => matrix(2, 2, [1, 2, 3])).toThrow(/matrix: data must hold rows·cols = 4/);
    expect(() => trace(matrix(2, 3))).toThrow(/trace: a must be square/);
    expect(() => matmul(matrix(1, 1, [Infinity]), matrix(1, 1))).toThrow(/matmul: a must be finite, got Infinity/);
  });
});
