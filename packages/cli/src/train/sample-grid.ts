import * as tf from '@tensorflow/tfjs-core';
import type { NeuralOT } from '@not/ot-core';
import { imageGrid } from '../render/image-grid';

/**
 * The picture of a run's progress, one column per fixed example: a row of source images x, one row T(x) per noise
 * draw (several for a stochastic map, each with its own fixed seed, so the grids of successive steps compare), and a
 * row of target images y for reference. Everything is drawn with T in inference mode.
 */
export async function sampleGrid(solver: NeuralOT, x: tf.Tensor4D, y: tf.Tensor4D, { draws, seed }: { draws: number; seed: number }): Promise<Buffer> {
  const [n, h, w, c] = x.shape;
  const rows = tf.tidy(() => {
    const pushed = Array.from({ length: draws }, (_, k) => solver.push(x, { seed: seed + k }));
    return tf.concat([x, ...pushed, y], 0);
  });
  const values = await rows.data();
  rows.dispose();
  return imageGrid(values, rows.shape[0], h, w, c, { columns: n, scale: h < 64 ? 2 : 1 });
}
