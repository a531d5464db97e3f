import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { type Scheduled, valueAt } from '../schedule';
import { checkCostInputs } from './check-inputs';

/** Wraps a user's cost function as a TransportCost; inputs are checked, outputs must be [B]. */
export function defineCost({
  name,
  minSamples = 1,
  evaluate,
}: {
  name: string;
  minSamples?: number;
  evaluate: (x: tf.Tensor, ys: tf.Tensor, context: CostContext) => tf.Tensor;
}): TransportCost {
  if (!name) throw new Error('defineCost: name must be a non-empty string');
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) {
    throw new Error(`defineCost: minSamples must be an integer >= 1, got ${minSamples}`);
  }
  return Object.freeze({
    name,
    minSamples,
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      const { batch } = checkCostInputs(`cost "${name}"`, x, ys, minSamples);
      const out = tf.tidy(() => evaluate(x, ys, context ?? { step: 0 }));
      if (out.rank !== 1 || out.shape[0] !== batch) {
        const shape = out.shape;
        out.dispose();
        throw new Error(`cost "${name}": evaluate must return shape [${batch}], got [${shape}]`);
      }
      return out;
    },
  });
}

/** The sum of several costs; needs as many samples as the most demanding term. */
export function sumCosts(...costs: TransportCost[]): TransportCost {
  if (costs.length === 0) throw new Error('sumCosts: needs at least one cost');
  return Object.freeze({
    name: costs.map((c) => c.name).join(' + '),
    minSamples: Math.max(...costs.map((c) => c.minSamples)),
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      return tf.tidy(() => tf.addN(costs.map((c) => c.evaluate(x, ys, context))));
    },
  });
}

/** w · cost, with w a number or a Schedule of the outer step. */
export function scaleCost(cost: TransportCost, weight: Scheduled): TransportCost {
  if (typeof weight === 'number' && !Number.isFinite(weight)) throw new Error(`scaleCost: weight must be finite, got ${weight}`);
  return Object.freeze({
    name: `${typeof weight === 'number' ? weight : 'w(t)'}·${cost.name}`,
    minSamples: cost.minSamples,
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      const w = valueAt(weight, context?.step ?? 0);
      return tf.tidy(() => tf.mul(cost.evaluate(x, ys, context), w));
    },
  });
}
