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
    return tf.maximum(tf.mean(minAlong(c, 1)), tf.mean(minAlong(c, 0))) as tf.Scalar;
  });
}

/**
 * The minimum of each row (axis 1) or column (axis 0) of c, with the gradient routed to the one position that holds it
 * (as PyTorch's min(dim) does). tf.min's own gradient compares every entry with the minimum, a broadcast that tfjs'
 * wasm backend runs element by element; a scatter of N values is linear in the output instead.
 */
function minAlong(c: tf.Tensor2D, axis: 0 | 1): tf.Tensor1D {
  const op = tf.customGrad(((matrix: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const at = tf.argMin(matrix, axis);
    save([at]);
    return {
      value: tf.min(matrix, axis),
      gradFunc: (dy: tf.Tensor, [where]: tf.Tensor[]) => {
        const along = tf.range(0, where.shape[0], 1, 'int32');
        const cells = axis === 1 ? tf.stack([along, where], 1) : tf.stack([where, along], 1);
        return tf.scatterND(cells, dy, matrix.shape);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(c) as tf.Tensor1D;
}
