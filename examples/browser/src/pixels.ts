import * as tf from '@tensorflow/tfjs-core';

/**
 * RGBA bytes of a size×size picture (as a canvas gives them) → [1, size, size, channels] in [-1, 1]; one channel is
 * ITU-R 601-2 luma, as `not train` turns RGB into grayscale.
 */
export function pixelsToImage(rgba: ArrayLike<number>, size: number, channels: 1 | 3): tf.Tensor4D {
  const values = new Float32Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = [rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]];
    if (channels === 1) values[p] = (2 * ((r * 299 + g * 587 + b * 114) / 1000)) / 255 - 1;
    else for (let c = 0; c < 3; c++) values[3 * p + c] = (2 * [r, g, b][c]) / 255 - 1;
  }
  return tf.tensor4d(values, [1, size, size, channels]);
}

/** [size, size, channels] values in [-1, 1] → RGBA bytes for a canvas (grayscale repeated). */
export function imageToPixels(values: ArrayLike<number>, size: number, channels: 1 | 3): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = Math.round(((values[p * channels + (channels === 1 ? 0 : c)] + 1) / 2) * 255);
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}
