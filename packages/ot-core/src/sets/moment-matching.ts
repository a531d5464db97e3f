import * as tf from '@tensorflow/tfjs-core';
import { checkPointSets } from '../costs/point-cost';

/**
 * Moment matching between point sets a [N, C] and b [M, C]: |μ_a − μ_b|₁ / C + |Σ_a − Σ_b|₁ / C², with μ the mean
 * and Σ the covariance (divided by the number of points) of each set: the mean absolute difference of the first
 * and second moments. Returns a scalar.
 */
export function momentMatching(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  checkPointSets('momentMatching', a, b);
  return tf.tidy(() => {
    const moments = (x: tf.Tensor2D) => {
      const mean = tf.mean(x, 0, true);
      const centred = tf.sub(x, mean);
      return { mean, covariance: tf.div(tf.matMul(centred, centred, true, false), x.shape[0]) };
    };
    const ma = moments(a);
    const mb = moments(b);
    return tf.add(tf.mean(tf.abs(tf.sub(ma.mean, mb.mean))), tf.mean(tf.abs(tf.sub(ma.covariance, mb.covariance)))) as tf.Scalar;
  });
}
