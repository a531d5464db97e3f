import * as tf from '@tensorflow/tfjs-core';
import { argumentError, checkPositiveInt, Rng } from '@not/ot-core';

/** n feature vectors of length dim, row-major. */
export interface FeatureRows {
  /** rows·dim values, one feature vector after another. */
  data: Float32Array | Float64Array;
  /** Number of feature vectors (n, at least 2). */
  rows: number;
  /** Length of each feature vector. */
  dim: number;
}

/** Options of {@link kernelInceptionDistance}. */
export interface KidOptions {
  /** Random subsets averaged over (default 100, as torch-fidelity). */
  subsets?: number;
  /** Vectors drawn from each set per subset, without replacement (default 1000, capped by the smaller set). */
  subsetSize?: number;
  /** Seed of the subset draws, so results repeat (default 0). */
  seed?: number;
}

/** What {@link kernelInceptionDistance} returns: the KID, its spread over subsets, and the subsets actually used. */
export interface KidResult {
  /** Mean over the subsets of the unbiased MMD² estimate. */
  kid: number;
  /** Standard deviation of the subset estimates (torch-fidelity's kid_std). */
  std: number;
  /** std / √subsets: the standard error of `kid`. */
  standardError: number;
  /** Number of subsets averaged over. */
  subsets: number;
  /** Vectors drawn from each set per subset, after capping by the smaller set. */
  subsetSize: number;
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of MMD² with the cubic polynomial kernel
 * k(x, y) = (xᵀy / d + 1)³, averaged over random subsets. Unlike FID it has no bias from the sample size, so small
 * test splits compare fairly. The Gram matrices xxᵀ, yyᵀ, xyᵀ are float32 matrix products on the tfjs backend (d = 2048
 * would take minutes in float64 JavaScript); each is read once per subset, and the kernel and its sums run in float64
 * on the host: MMD² is a small difference of large sums, which float32 accumulation spoils (4.8e-3 relative at a few
 * hundred 256-d vectors).
 */
export async function kernelInceptionDistance(a: FeatureRows, b: FeatureRows, options: KidOptions = {}): Promise<KidResult> {
  const fn = 'kernelInceptionDistance';
  for (const [name, f] of [['a', a], ['b', b]] as const) {
    if (!(Number.isInteger(f.rows) && f.rows >= 2 && f.data.length === f.rows * f.dim)) {
      throw new Error(`${fn}: ${name} must hold at least 2 rows of dim values (rows·dim = data.length), got rows ${f.rows}, dim ${f.dim}, ${f.data.length} values`);
    }
  }
  if (a.dim !== b.dim) throw new Error(`${fn}: a and b must have the same feature length, got ${a.dim} and ${b.dim}`);
  const subsets = options.subsets ?? 100;
  const m = Math.min(options.subsetSize ?? 1000, a.rows, b.rows);
  checkPositiveInt(fn, 'subsets', subsets);
  if (!(Number.isInteger(m) && m >= 2)) throw argumentError(fn, 'subsetSize', 'an integer >= 2', options.subsetSize);
  const rng = new Rng(options.seed ?? 0);
  const d = a.dim;
  const [ta, tb] = [a, b].map((f) => tf.tensor2d(Float32Array.from(f.data), [f.rows, d]));
  const estimates: number[] = [];
  try {
    for (let s = 0; s < subsets; s++) {
      const ia = tf.tensor1d(sampleWithoutReplacement(a.rows, m, rng), 'int32');
      const ib = tf.tensor1d(sampleWithoutReplacement(b.rows, m, rng), 'int32');
      const grams = tf.tidy(() => {
        const x = tf.gather(ta, ia);
        const y = tf.gather(tb, ib);
        return tf.stack([tf.matMul(x, x, false, true), tf.matMul(y, y, false, true), tf.matMul(x, y, false, true)]);
      });
      tf.dispose([ia, ib]);
      let dots: Float32Array;
      try {
        dots = (await grams.data()) as Float32Array;
      } finally {
        grams.dispose();
      }
      const mm = m * m;
      const xx = kernelSum(dots, 0, m, d, true);
      const yy = kernelSum(dots, mm, m, d, true);
      const xy = kernelSum(dots, 2 * mm, m, d, false);
      estimates.push((xx + yy) / (m * (m - 1)) - (2 * xy) / mm);
    }
  } finally {
    tf.dispose([ta, tb]);
  }
  const kid = estimates.reduce((s, v) => s + v, 0) / subsets;
  const std = Math.sqrt(estimates.reduce((s, v) => s + (v - kid) ** 2, 0) / subsets);
  return { kid, std, standardError: std / Math.sqrt(subsets), subsets, subsetSize: m };
}

/** Σ k over the m×m dot products starting at `offset` (without the diagonal when `offDiagonal`), in float64. */
function kernelSum(dots: Float32Array, offset: number, m: number, d: number, offDiagonal: boolean): number {
  let total = 0;
  for (let i = 0; i < m; i++) {
    // One row at a time keeps the partial sums of similar size (less rounding than one running sum over m² terms).
    let row = 0;
    const base = offset + i * m;
    for (let j = 0; j < m; j++) {
      if (offDiagonal && i === j) continue;
      const t = dots[base + j] / d + 1;
      row += t * t * t;
    }
    total += row;
  }
  return total;
}

/** m distinct indices of [0, n), by a partial Fisher–Yates shuffle. */
function sampleWithoutReplacement(n: number, m: number, rng: Rng): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, m);
}
