import { checkInteger } from '../checks';
import type { Rng } from '../rng';
import type { Matrix } from './matrix';

/**
 * A Haar-distributed (uniformly random) n×n orthogonal matrix: the Q of a Householder QR of a standard Gaussian
 * matrix, with column k multiplied by sign(R_kk) so the distribution is exactly uniform (without the sign fix QR
 * is biased). Deterministic for a given Rng state; O(n³).
 */
export function randomOrthogonal(n: number, rng: Rng): Matrix {
  checkInteger('randomOrthogonal', 'n', n, { min: 0 });
  // gt[j] is column j of the Gaussian matrix G (rows of Gᵀ, so every access is contiguous).
  const gt = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) gt[i] = rng.normal();
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ck = k * n;
    let norm2 = 0;
    for (let i = k; i < n; i++) norm2 += gt[ck + i] * gt[ck + i];
    const norm = Math.sqrt(norm2);
    const x0 = gt[ck + k];
    const v = new Float64Array(n - k);
    vs.push(v);
    if (norm === 0) {
      signs[k] = 1;
      continue;
    }
    const alpha = x0 >= 0 ? -norm : norm; // R_kk
    signs[k] = alpha >= 0 ? 1 : -1;
    v[0] = x0 - alpha;
    for (let i = k + 1; i < n; i++) v[i - k] = gt[ck + i];
    const beta = -1 / (alpha * v[0]);
    betas[k] = beta;
    for (let j = k + 1; j < n; j++) {
      const cj = j * n;
      let s = 0;
      for (let i = k; i < n; i++) s += v[i - k] * gt[cj + i];
      s *= beta;
      for (let i = k; i < n; i++) gt[cj + i] -= s * v[i - k];
    }
  }
  // Q = H₀ H₁ ⋯ H_{n−1}, accumulated backwards: H_k only touches rows and columns ≥ k of the partial product.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const v = vs[k];
    u.fill(0, k);
    for (let i = k; i < n; i++) {
      const vi = v[i - k];
      const r = i * n;
      for (let c = k; c < n; c++) u[c] += vi * q[r + c];
    }
    for (let i = k; i < n; i++) {
      const f = beta * v[i - k];
      const r = i * n;
      for (let c = k; c < n; c++) q[r + c] -= f * u[c];
    }
  }
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let k = 0; k < n; k++) q[r + k] *= signs[k];
  }
  return { rows: n, cols: n, data: q };
}
