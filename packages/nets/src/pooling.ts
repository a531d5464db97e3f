import * as tf from '@tensorflow/tfjs-core';

function checkImage(fn: string, x: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`${fn}: expected x of shape [B, H, W, C], got [${x.shape}]`);
}

/** nn.MaxPool2d(2) on NHWC: 2×2 windows, stride 2, no padding (an odd last row or column is dropped). */
export function maxPool2d(x: tf.Tensor): tf.Tensor4D {
  checkImage('maxPool2d', x);
  const [, h, w] = x.shape as number[];
  if (h < 2 || w < 2) throw new Error(`maxPool2d: expected H and W >= 2, got x of shape [${x.shape}]`);
  return tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
}

/**
 * nn.AvgPool2d(3, stride=2, padding=1) on NHWC with PyTorch's default count_include_pad=True: the zero padding counts
 * in every average (so border windows divide by 9). Done as an explicit zero pad and a 'valid' 3×3 average.
 */
export function avgPool3x3s2(x: tf.Tensor): tf.Tensor4D {
  checkImage('avgPool3x3s2', x);
  return tf.tidy(() => tf.avgPool(tf.pad(x as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid'));
}
