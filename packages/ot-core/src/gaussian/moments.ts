import { checkPositiveInt } from '../checks';
import { gemmNT, mirrorUpper } from '../linalg/matmul';
import type { Matrix } from '../linalg/matrix';

/** Sample mean and covariance of N points in ℝ^d. */
export interface SampleMoments {
  /** Length d. */
  readonly mean: Float64Array;
  /** d×d, symmetric. */
  readonly cov: Matrix;
}

/**
 * Mean and covariance of n samples of dimension d stored row-major in `samples` (length n·d), computed in
 * float64 whatever the input type. Two passes (mean first, then centered products), so large means do not
 * cancel digits. `unbiased` (default true, as numpy's np.cov and pytorch-fid) divides by n − 1, else by n.
 */
export function meanAndCovariance(
  samples: Float64Array | Float32Array | ArrayLike<number>,
  n: number,
  d: number,
  options: { unbiased?: boolean } = {},
): SampleMoments {
  const fn = 'meanAndCovariance';
  checkPositiveInt(fn, 'n', n);
  checkPositiveInt(fn, 'd', d);
  if (samples.length !== n * d) {
    throw new Error(`${fn}: samples must hold n·d = ${n * d} values for n = ${n}, d = ${d}, got ${samples.length}`);
  }
  const unbiased = options.unbiased ?? true;
  if (unbiased && n < 2) throw new Error(`${fn}: the unbiased covariance needs n >= 2, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) {
      const x = samples[r + j];
      if (!Number.isFinite(x)) throw new Error(`${fn}: samples must be finite, got ${x} at sample ${i}, coordinate ${j}`);
      mean[j] += x;
    }
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Centered samples, CH at a time and transposed (d×CH), so cov += Xcᵀ Xc is a dot-product GEMM.
  const CH = 256;
  const xt = new Float64Array(d * CH);
  const cov = new Float64Array(d * d);
  for (let i0 = 0; i0 < n; i0 += CH) {
    const rows = Math.min(CH, n - i0);
    for (let r = 0; r < rows; r++) {
      const src = (i0 + r) * d;
      for (let j = 0; j < d; j++) xt[j * rows + r] = samples[src + j] - mean[j];
    }
    gemmNT(cov, xt, xt, d, d, rows, { upper: true });
  }
  mirrorUpper(cov, d);
  const scale = 1 / (unbiased ? n - 1 : n);
  for (let i = 0; i < d * d; i++) cov[i] *= scale;
  return { mean, cov: { rows: d, cols: d, data: cov } };
}
