import * as tf from '@tensorflow/tfjs-core';
import { LPIPS_NORMALIZE_EPS } from './lpips-architecture';

/**
 * lpips.normalize_tensor on NHWC: each pixel's feature vector divided by (its Euclidean norm over channels + eps), so
 * a pixel whose features are all 0 (every ReLU off) stays 0 instead of becoming NaN.
 */
export function normalizeChannels(x: tf.Tensor4D, eps = LPIPS_NORMALIZE_EPS): tf.Tensor4D {
  return tf.tidy(() => tf.div(x, tf.add(tf.sqrt(tf.sum(tf.square(x), 3, true)), eps)));
}
