import * as tf from '@tensorflow/tfjs-core';

/**
 * Where pixel p of an axis of `size` reads from an axis of `sourceSize` under bilinear resizing with half-pixel centres
 * (PyTorch's align_corners=False, tfjs' halfPixelCenters): the two source cells and the weight of the second.
 */
export function bilinearTaps(p: number, size: number, sourceSize: number): [number, number, number] {
  const source = Math.max(((p + 0.5) * sourceSize) / size - 0.5, 0);
  const low = Math.min(Math.floor(source), sourceSize - 1);
  return [low, Math.min(low + 1, sourceSize - 1), source - low];
}

/** The [size, sourceSize] matrix that resizes one axis. */
function resizeMatrix(size: number, sourceSize: number): tf.Tensor2D {
  const m = new Float32Array(size * sourceSize);
  for (let p = 0; p < size; p++) {
    const [low, high, weight] = bilinearTaps(p, size, sourceSize);
    m[p * sourceSize + low] += 1 - weight;
    m[p * sourceSize + high] += weight;
  }
  return tf.tensor2d(m, [size, sourceSize]);
}

/**
 * Bilinear resize of one image [1, h, w, C] to [1, height, width, C] with half-pixel centres, as two matrix products:
 * the same values as tf.image.resizeBilinear(x, size, false, true), but with a gradient that is right on every backend
 * (tfjs 4.22's CPU ResizeBilinearGrad swaps height and width).
 */
export function resizeBilinear(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  if (h === height && w === width) return tf.clone(x);
  return tf.tidy(() => {
    const rows = tf.reshape(tf.matMul(resizeMatrix(height, h), tf.reshape(x, [h, w * c])), [height, w, c]);
    return tf.reshape(tf.matMul(tf.expandDims(resizeMatrix(width, w), 0), rows), [1, height, width, c]);
  });
}
