import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { checkCostInputs } from './check-inputs';

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
  return Object.freeze({
    name: scale === 'mean' ? 'quadratic' : 'quadratic(½-sum)',
    minSamples: 1,
    evaluate(x: tf.Tensor, ys: tf.Tensor, _context?: CostContext): tf.Tensor {
      const { batch, samples, elements } = checkCostInputs('quadraticCost', x, ys, 1);
      return tf.tidy(() => {
        const diff = tf.sub(tf.reshape(ys, [batch, samples, elements]), tf.reshape(x, [batch, 1, elements]));
        const perSample = tf.sum(tf.square(diff), 2);
        return tf.mul(tf.mean(perSample, 1), quadraticFactor(scale, elements));
      });
    },
  });
}
