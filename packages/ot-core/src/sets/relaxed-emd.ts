import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { checkPointSets } from '../costs/point-cost';

/** The cost's pairwise matrix [N, M], or an error naming the caller when the cost has no pairwise form. */
export function costMatrix(fn: string, a: tf.Tensor2D, b: tf.Tensor2D, cost: TransportCost, context?: CostContext): tf.Tensor2D {
  checkPointSets(fn, a, b);
  if (typeof cost?.pairwise !== 'function') {
    throw new Error(`${fn}: cost must compare single points (have a pairwise form, as quadratic, cosine and euclidean costs do), got "${cost?.name ?? String(cost)}"`);
  }
  return cost.pairwise(a, b, context);
}

/**
 * The relaxed earth mover's distance between point sets a [N, D] and b [M, D] (Kolkin et al. 2019):
 * max(mean_i min_j C_ij, mean_j min_i C_ij) with C the cost matrix. Each side is the optimal transport cost when
 * only that side's marginal is kept, so both are lower bounds of the EMD and the larger is the tighter one; it costs
 * one [N, M] matrix instead of solving a transport problem. Returns a scalar.
 */
export function relaxedEmd(a: tf.Tensor2D, b: tf.Tensor2D, cost: TransportCost, context?: CostContext): tf.Scalar {
  return tf.tidy(() => {
    const c = costMatrix('relaxedEmd', a, b, cost, context);
    return tf.maximum(tf.mean(tf.min(c, 1)), tf.mean(tf.min(c, 0))) as tf.Scalar;
  });
}
