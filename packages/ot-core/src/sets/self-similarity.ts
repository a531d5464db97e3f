import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { costMatrix } from './relaxed-emd';

/** Column sums below this count as this, so a set of identical points gives 0 instead of NaN. */
const MIN_COLUMN_SUM = 1e-12;

/**
 * Self-similarity loss between two sets of the same N points seen through different features, a [N, Da] and
 * b [N, Db] (e.g. content and pastiche features at the same image positions, Kolkin et al. 2019):
 * mean over i, j of |A_ij / Σ_i A_ij − B_ij / Σ_i B_ij| with A = C(a, a) and B = C(b, b) the cost matrices within
 * each set. It compares how the points relate to each other, not the points themselves, so b may live in another
 * space than a. Each normalized column sums to 1, so the value is at most 2/N. Returns a scalar.
 */
export function selfSimilarity(a: tf.Tensor2D, b: tf.Tensor2D, cost: TransportCost, context?: CostContext): tf.Scalar {
  const fn = 'selfSimilarity';
  if (a?.rank === 2 && b?.rank === 2 && a.shape[0] !== b.shape[0]) {
    throw new Error(`${fn}: a and b must hold the same N points, got [${a.shape}] and [${b.shape}]`);
  }
  return tf.tidy(() => {
    const normalized = (x: tf.Tensor2D) => {
      const c = costMatrix(fn, x, x, cost, context);
      return tf.div(c, tf.maximum(tf.sum(c, 0, true), MIN_COLUMN_SUM));
    };
    return tf.mean(tf.abs(tf.sub(normalized(a), normalized(b)))) as tf.Scalar;
  });
}
