import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinear as resize } from './bilinear';

/** Half the size, rounded down, at least 1 pixel. */
const half = (x: tf.Tensor4D): [number, number] => [Math.max(1, Math.floor(x.shape[1] / 2)), Math.max(1, Math.floor(x.shape[2] / 2))];

/**
 * The Laplacian pyramid of `x`: `levels` detail bands from fine to coarse, then the remaining low-pass image. Optimizing
 * an image through its pyramid lets coarse structure (colour, large shapes) move as fast as fine detail.
 */
export function laplacianPyramid(x: tf.Tensor4D, levels: number): tf.Tensor4D[] {
  return tf.tidy(() => {
    const bands: tf.Tensor4D[] = [];
    let current = x;
    for (let l = 0; l < levels; l++) {
      const [h, w] = half(current);
      const down = resize(current, h, w);
      bands.push(tf.sub(current, resize(down, current.shape[1], current.shape[2])));
      current = down;
    }
    bands.push(current);
    return bands;
  });
}

/** The image a pyramid encodes: the low-pass image upsampled band by band, each band added. */
export function foldPyramid(bands: readonly tf.Tensor4D[]): tf.Tensor4D {
  return tf.tidy(() => {
    let current = bands[bands.length - 1];
    for (let l = bands.length - 2; l >= 0; l--) current = tf.add(bands[l], resize(current, bands[l].shape[1], bands[l].shape[2]));
    return current;
  });
}

/** The detail of `x` ([1, H, W, C]) lost by halving and restoring its size: x − up(down(x)), the pyramid's finest band. */
export function laplacian(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => laplacianPyramid(x, 1)[0]);
}
