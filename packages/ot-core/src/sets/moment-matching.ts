import * as tf from '@tensorflow/tfjs-core';
import { checkPointSets } from '../costs/point-cost';

/** The first two moments of a point set: mean [1, C] and covariance [C, C] (divided by the number of points). */
export type Moments = {
  /** Mean of the points, [1, C]. */
  mean: tf.Tensor2D;
  /** Covariance of the points, [C, C], divided by N (not N − 1). */
  covariance: tf.Tensor2D;
};

/** The mean and covariance of x [N, C]; the caller owns them. Compute a fixed set's once to compare many sets with it. */
export function moments(x: tf.Tensor2D): Moments {
  checkPointSets('moments', x, x);
  return tf.tidy(() => {
    const mean = tf.mean(x, 0, true) as tf.Tensor2D;
    const centred = tf.sub(x, mean);
    return { mean, covariance: tf.div(gram(centred), x.shape[0]) as tf.Tensor2D };
  });
}

/**
 * Moment matching between point sets a [N, C] and b [M, C] (or b's precomputed {@link moments}):
 * |μ_a − μ_b|₁ / C + |Σ_a − Σ_b|₁ / C², the mean absolute difference of the means and of the covariances. Returns a
 * scalar.
 */
export function momentMatching(a: tf.Tensor2D, b: tf.Tensor2D | Moments): tf.Scalar {
  const fn = 'momentMatching';
  if (b instanceof tf.Tensor) checkPointSets(fn, a, b);
  else if (!(b?.mean instanceof tf.Tensor && b.covariance instanceof tf.Tensor) || b.mean.shape[1] !== a.shape[1]) {
    throw new Error(`${fn}: b must be a point set [M, ${a.shape[1]}] or its moments (mean [1, ${a.shape[1]}], covariance), got ${String(b)}`);
  }
  return tf.tidy(() => {
    const ma = moments(a);
    const mb = b instanceof tf.Tensor ? moments(b) : b;
    return tf.add(tf.mean(tf.abs(tf.sub(ma.mean, mb.mean))), tf.mean(tf.abs(tf.sub(ma.covariance, mb.covariance)))) as tf.Scalar;
  });
}

/**
 * XᵀX for X [N, C], with the gradient X·(G + Gᵀ) as one product: tf.matMul's gradient would take two, one per
 * operand, though both operands are X. For wide features (C in the thousands) these products dominate the cost.
 */
const gram = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.matMul(x, x, true, false),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.matMul(saved as tf.Tensor2D, tf.add(dy, tf.transpose(dy)) as tf.Tensor2D),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor2D;
