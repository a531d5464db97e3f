import * as tf from '@tensorflow/tfjs-core';

/** nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True) on NHWC images. */
export function upsampleBilinear2x(x: tf.Tensor): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`upsampleBilinear2x: expected x of shape [B, H, W, C], got [${x.shape}]`);
  const [, h, w] = x.shape as number[];
  return tf.image.resizeBilinear(x as tf.Tensor4D, [2 * h, 2 * w], true);
}
