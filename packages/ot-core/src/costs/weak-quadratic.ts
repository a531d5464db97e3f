import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { type Scheduled, valueAt } from '../schedule';
import { checkFinite } from '../checks';
import { checkCostInputs } from './check-inputs';
import { type QuadraticScale, quadraticFactor } from './quadratic';

/**
 * The γ-weak quadratic cost C(x, μ) = ∫||x − y||²dμ(y) − γ·Var(μ) (scaled like quadraticCost), estimated without
 * bias from K ≥ 2 draws y_k ~ μ: ||x − ȳ||² + (1 − γ − 1/K)·Σ s², with ȳ the mean and s² the unbiased (K − 1)
 * variance of the draws. γ may follow a Schedule of the outer step (e.g. linearRamp from 0 to 0.66).
 */
export function weakQuadraticCost({ gamma, scale = 'mean' }: { gamma: Scheduled; scale?: QuadraticScale }): TransportCost {
  quadraticFactor(scale, 1);
  if (typeof gamma === 'number') checkGamma(gamma);
  else if (typeof gamma !== 'function') throw new Error(`weakQuadraticCost: gamma must be a number or a Schedule, got ${typeof gamma}`);
  return Object.freeze({
    name: `weak-quadratic(γ=${typeof gamma === 'number' ? gamma : 'scheduled'})`,
    minSamples: 2,
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      const { batch, samples, elements } = checkCostInputs('weakQuadraticCost', x, ys, 2);
      const g = checkGamma(valueAt(gamma, context?.step ?? 0));
      return tf.tidy(() => {
        const y = tf.reshape(ys, [batch, samples, elements]);
        const mean = tf.mean(y, 1);
        const bias = tf.sum(tf.square(tf.sub(mean, tf.reshape(x, [batch, elements]))), 1);
        const variance = tf.div(tf.sum(tf.square(tf.sub(y, tf.expandDims(mean, 1))), [1, 2]), samples - 1);
        const total = tf.add(bias, tf.mul(variance, 1 - g - 1 / samples));
        return tf.mul(total, quadraticFactor(scale, elements));
      });
    },
  });
}

function checkGamma(gamma: number): number {
  return checkFinite('weakQuadraticCost', 'gamma', gamma, { min: 0 });
}
