import * as tf from '@tensorflow/tfjs-core';
import type { TransportCost } from '../types';
import { pointCost } from './point-cost';

/** Norms below this count as this, so a zero vector has cosine 0 to everything instead of NaN. */
const MIN_NORM = 1e-8;

// √Σx² rather than tf.norm, whose pow-based gradient costs several passes over large feature matrices.
const unit = (x: tf.Tensor, axis: number) => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), axis, true)), MIN_NORM));

/**
 * The cosine distance c(x, y) = 1 − ⟨x, y⟩ / (||x||·||y||), in [0, 2]: it compares directions and ignores lengths,
 * which suits deep features whose magnitude varies with contrast.
 */
export function cosineCost(): TransportCost {
  return pointCost({
    fn: 'cosineCost',
    name: 'cosine',
    paired: (x, ys) => tf.sub(1, tf.sum(tf.mul(unit(ys, 2), unit(x, 2)), 2)),
    pairwise: (a, b) => tf.sub(1, tf.matMul(unit(a, 1), unit(b, 1), false, true)) as tf.Tensor2D,
  });
}
