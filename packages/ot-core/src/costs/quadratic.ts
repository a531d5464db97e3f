import * as tf from '@tensorflow/tfjs-core';
import type { TransportCost } from '../types';
import { pairwiseSquaredDistances, pointCost } from './point-cost';

/**
 * How a squared distance is scaled:
 * - 'mean': ||x − y||² / D, the per-element mean the reference NOT code uses (D = C·H·W for images);
 * - 'half-sum': ½||x − y||², the convention of the OT literature (W2 is the optimal value of this cost).
 * Both give the same optimal map; they differ only by a constant factor.
 */
export type QuadraticScale = 'mean' | 'half-sum';

/** Factor turning a sum of squares over D elements into the chosen scale. */
export function quadraticFactor(scale: QuadraticScale, elements: number): number {
  if (scale === 'mean') return 1 / elements;
  if (scale === 'half-sum') return 0.5;
  throw new Error(`quadraticCost: scale must be 'mean' or 'half-sum', got ${String(scale)}`);
}

/**
 * The strong quadratic cost c(x, y) = ||x − y||² (scaled). With K outputs per x it averages
 * over them, which estimates ∫c(x, y)dμ(y) without bias.
 */
export function quadraticCost({ scale = 'mean' }: { scale?: QuadraticScale } = {}): TransportCost {
  quadraticFactor(scale, 1);
  return pointCost({
    fn: 'quadraticCost',
    name: scale === 'mean' ? 'quadratic' : 'quadratic(½-sum)',
    paired: (x, ys) => tf.mul(tf.sum(tf.square(tf.sub(ys, x)), 2), quadraticFactor(scale, x.shape[2])),
    pairwise: (a, b) => tf.mul(pairwiseSquaredDistances(a, b), quadraticFactor(scale, a.shape[1])) as tf.Tensor2D,
  });
}
