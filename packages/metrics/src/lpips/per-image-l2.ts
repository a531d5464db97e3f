import * as tf from '@tensorflow/tfjs-core';

/**
 * The plain L2 between image pairs: the mean over pixels and channels of (x − y)², one value per image, [n]. Both
 * NHWC with the same shape (any value range; no scaling).
 */
export function perImageL2(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor1D {
  const fn = 'perImageL2';
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 4) throw new Error(`${fn}: ${name} must be a tensor of shape [n, H, W, C], got ${t instanceof tf.Tensor ? `[${t.shape}]` : String(t)}`);
  }
  if (x.shape.join() !== y.shape.join()) throw new Error(`${fn}: x and y must have the same shape, got [${x.shape}] and [${y.shape}]`);
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.cast(x, 'float32'), tf.cast(y, 'float32')), [1, 2, 3]) as tf.Tensor1D);
}
