// Test helper (not exported): Gaussian samples and the closed-form OT map, from @not/ot-core.
import { applyAffineMap, cholesky, gaussianOtMap, matmul, matrix, Rng, transpose, type Matrix } from '@not/ot-core';

/** n samples of N(m, S), row-major n×d, float64. */
export function sampleGaussian(m: ArrayLike<number>, s: Matrix, n: number, rng: Rng): Float64Array {
  const d = m.length;
  const z = matrix(n, d, rng.normals(n * d, 'float64'));
  const x = matmul(z, transpose(cholesky(s))).data;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] += m[j];
  return x;
}

/** A fixed well-conditioned 3-D Gaussian pair and its true map applied to n source samples. */
export function gaussianProblem(n: number, seed: number) {
  const d = 3;
  const m1 = [0.5, -1, 2];
  const S1 = matrix(3, 3, [2, 0.3, 0.1, 0.3, 1, -0.2, 0.1, -0.2, 0.5]);
  const m2 = [-1, 0, 1];
  const S2 = matrix(3, 3, [1, -0.4, 0, -0.4, 1.5, 0.3, 0, 0.3, 0.8]);
  const rng = new Rng(seed);
  const x = sampleGaussian(m1, S1, n, rng);
  const map = gaussianOtMap(m1, S1, m2, S2);
  const y = applyAffineMap(map, x);
  return { d, m1, S1, m2, S2, x, y, map, rng };
}
