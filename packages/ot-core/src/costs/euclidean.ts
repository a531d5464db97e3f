import * as tf from '@tensorflow/tfjs-core';
import type { TransportCost } from '../types';
import { pairwiseSquaredDistances, pointCost } from './point-cost';

/** Squared distances below this are raised to it before the square root, so the gradient at x = y stays finite. */
const MIN_SQUARED = 1e-12;

const root = (squared: tf.Tensor) => tf.sqrt(tf.maximum(squared, MIN_SQUARED));

/** The Euclidean distance c(x, y) = ||x − y|| (not squared), e.g. between pixel colours in style transfer. */
export function euclideanCost(): TransportCost {
  return pointCost({
    fn: 'euclideanCost',
    name: 'euclidean',
    paired: (x, ys) => root(tf.sum(tf.square(tf.sub(ys, x)), 2)),
    pairwise: (a, b) => root(pairwiseSquaredDistances(a, b)) as tf.Tensor2D,
  });
}
