import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@not/ot-core';
import { bilinearTaps } from './bilinear';

/** Pixel positions in an image, as parallel row and column indices. */
export interface Positions {
  /** Row index of each position, 0 at the top. */
  rows: Int32Array;
  /** Column index of each position, as many as `rows`. */
  cols: Int32Array;
}

/** `count` distinct pixel positions of an height×width image drawn with `rng` (all of them, shuffled, when count ≥ height·width). */
export function randomPositions(rng: Rng, height: number, width: number, count: number): Positions {
  const total = height * width;
  const n = Math.min(count, total);
  // A partial Fisher-Yates shuffle: the first n entries are a uniform sample without replacement.
  const order = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(total - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = Math.floor(order[i] / width);
    cols[i] = order[i] % width;
  }
  return { rows, cols };
}

/**
 * Rows of `table` [R, C] at `indices` ([K] int32), → [K, C]. The gradient is a scatter-add (ScatterNd), linear in K;
 * tf.gather's own gradient goes through UnsortedSegmentSum, which tfjs' CPU backend runs once per row of the table.
 */
const gatherRows = tf.customGrad(((table: tf.Tensor, indices: tf.Tensor, save: tf.GradSaveFunc) => {
  save([indices]);
  return {
    value: tf.gather(table, indices),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0], 1), dy, table.shape), tf.zerosLike(saved[0])],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (table: tf.Tensor2D, indices: tf.Tensor1D) => tf.Tensor2D;

/**
 * Hypercolumns: the feature vectors of one image's maps ([1, h_l, w_l, C_l] each, e.g. VGG16 layers) at pixel
 * positions of the height×width image, each map read as if bilinearly upsampled to the image size, concatenated to
 * [N, ΣC_l]. Only the N positions are interpolated, so memory grows with N, not with the image; gradients flow to the
 * maps (through a gather).
 */
export function sampleHypercolumns(maps: readonly tf.Tensor4D[], positions: Positions, [height, width]: readonly [number, number]): tf.Tensor2D {
  const fn = 'sampleHypercolumns';
  const n = positions.rows.length;
  if (n === 0 || positions.cols.length !== n) throw new Error(`${fn}: positions must hold as many rows as columns (at least one), got ${positions.rows.length} and ${positions.cols.length}`);
  for (let i = 0; i < n; i++) {
    if (!(positions.rows[i] >= 0 && positions.rows[i] < height && positions.cols[i] >= 0 && positions.cols[i] < width)) {
      throw new Error(`${fn}: position ${i} (${positions.rows[i]}, ${positions.cols[i]}) lies outside the ${height}×${width} image`);
    }
  }
  return tf.tidy(() => {
    const columns = maps.map((map, l) => {
      if (map.rank !== 4 || map.shape[0] !== 1) throw new Error(`${fn}: map ${l} must have shape [1, h, w, C], got [${map.shape}]`);
      const [, h, w, channels] = map.shape;
      const indices = new Int32Array(4 * n);
      const weights = new Float32Array(4 * n);
      for (let i = 0; i < n; i++) {
        const [r0, r1, ry] = bilinearTaps(positions.rows[i], height, h);
        const [c0, c1, cx] = bilinearTaps(positions.cols[i], width, w);
        const corners: [number, number][] = [
          [r0 * w + c0, (1 - ry) * (1 - cx)],
          [r0 * w + c1, (1 - ry) * cx],
          [r1 * w + c0, ry * (1 - cx)],
          [r1 * w + c1, ry * cx],
        ];
        corners.forEach(([index, weight], k) => {
          indices[k * n + i] = index;
          weights[k * n + i] = weight;
        });
      }
      const gathered = tf.reshape(gatherRows(tf.reshape(map, [h * w, channels]), tf.tensor1d(indices, 'int32')), [4, n, channels]);
      return tf.sum(tf.mul(gathered, tf.tensor3d(weights, [4, n, 1])), 0);
    });
    return (columns.length === 1 ? columns[0] : tf.concat(columns, 1)) as tf.Tensor2D;
  });
}
