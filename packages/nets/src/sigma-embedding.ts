import * as tf from '@tensorflow/tfjs-core';

/**
 * Sinusoidal features of a noise level σ ([B] → [B, dims]) from c = ln(σ)/4 (EDM's noise conditioning),
 * with geometric frequencies from 1 to 100, so a network can condition on σ over several orders of magnitude.
 */
export function sigmaEmbedding(sigma: tf.Tensor, dims: number): tf.Tensor2D {
  if (dims % 2 !== 0 || dims < 2) throw new Error(`sigmaEmbedding: dims must be an even number >= 2, got ${dims}`);
  return tf.tidy(() => {
    const half = dims / 2;
    const freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.pow(100, half > 1 ? i / (half - 1) : 0)));
    const c = tf.div(tf.log(tf.reshape(sigma, [-1, 1])), 4);
    const angles = tf.mul(c, freqs);
    return tf.concat([tf.cos(angles), tf.sin(angles)], 1) as tf.Tensor2D;
  });
}
