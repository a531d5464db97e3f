import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { checkCostInputs } from './check-inputs';

/**
 * Builds a cost between single points from its two forms on flattened vectors: `paired` compares x [B, 1, D] with
 * ys [B, K, D] by broadcasting (→ [B, K]); `pairwise` compares every row of a [N, D] with every row of b [M, D]
 * (→ [N, M]). The transport form averages `paired` over the K outputs.
 */
export function pointCost({
  fn,
  name,
  paired,
  pairwise,
}: {
  /** The public function's name, for errors. */
  fn: string;
  name: string;
  paired: (x: tf.Tensor3D, ys: tf.Tensor3D) => tf.Tensor;
  pairwise: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}): TransportCost {
  return Object.freeze({
    name,
    minSamples: 1,
    evaluate(x: tf.Tensor, ys: tf.Tensor, _context?: CostContext): tf.Tensor {
      const { batch, samples, elements } = checkCostInputs(fn, x, ys, 1);
      return tf.tidy(() => tf.mean(paired(tf.reshape(x, [batch, 1, elements]), tf.reshape(ys, [batch, samples, elements])), 1));
    },
    pairwise(a: tf.Tensor2D, b: tf.Tensor2D, _context?: CostContext): tf.Tensor2D {
      checkPointSets(`${fn}.pairwise`, a, b);
      return tf.tidy(() => pairwise(a, b));
    },
  });
}

/** Checks two point sets a [N, D] and b [M, D] (same D, N and M ≥ 1). */
export function checkPointSets(fn: string, a: tf.Tensor, b: tf.Tensor): void {
  for (const [label, t] of [['a', a], ['b', b]] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.size === 0) {
      throw new Error(`${fn}: ${label} must be a non-empty point set of shape [N, D], got ${t instanceof tf.Tensor ? `[${t.shape}]` : String(t)}`);
    }
  }
  if (a.shape[1] !== b.shape[1]) throw new Error(`${fn}: a and b must have the same dimension D, got [${a.shape}] and [${b.shape}]`);
}

/** ||a_i − b_j||² for all pairs, from the norms and one matrix product; clipped at 0 against rounding. */
export function pairwiseSquaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const aa = tf.sum(tf.square(a), 1, true);
    const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]);
    return tf.relu(tf.sub(tf.add(aa, bb), tf.mul(tf.matMul(a, b, false, true), 2))) as tf.Tensor2D;
  });
}
