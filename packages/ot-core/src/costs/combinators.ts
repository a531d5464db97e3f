import * as tf from '@tensorflow/tfjs-core';
import type { CostContext, TransportCost } from '../types';
import { type Scheduled, valueAt } from '../schedule';
import { checkFinite, checkPositiveInt } from '../checks';
import { checkCostInputs } from './check-inputs';
import { checkPointSets } from './point-cost';

/**
 * Wraps a user's cost function as a TransportCost; inputs are checked, outputs must be [B]. Giving `pairwise` too
 * (c(a_i, b_j) for point sets a [N, D], b [M, D], shape [N, M]) makes it usable by set losses such as relaxedEmd.
 */
export function defineCost({
  name,
  minSamples = 1,
  evaluate,
  pairwise,
}: {
  name: string;
  minSamples?: number;
  evaluate: (x: tf.Tensor, ys: tf.Tensor, context: CostContext) => tf.Tensor;
  pairwise?: (a: tf.Tensor2D, b: tf.Tensor2D, context: CostContext) => tf.Tensor2D;
}): TransportCost {
  if (!name) throw new Error('defineCost: name must be a non-empty string');
  checkPositiveInt('defineCost', 'minSamples', minSamples);
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
    ...(pairwise && {
      pairwise(a: tf.Tensor2D, b: tf.Tensor2D, context?: CostContext): tf.Tensor2D {
        checkPointSets(`cost "${name}".pairwise`, a, b);
        const out = tf.tidy(() => pairwise(a, b, context ?? { step: 0 }));
        if (out.rank !== 2 || out.shape[0] !== a.shape[0] || out.shape[1] !== b.shape[0]) {
          const shape = out.shape;
          out.dispose();
          throw new Error(`cost "${name}": pairwise must return shape [${a.shape[0]}, ${b.shape[0]}], got [${shape}]`);
        }
        return out;
      },
    }),
  });
}

/** The sum of several costs; needs as many samples as the most demanding term; pairwise when every term is. */
export function sumCosts(...costs: TransportCost[]): TransportCost {
  if (costs.length === 0) throw new Error('sumCosts: needs at least one cost');
  return Object.freeze({
    name: costs.map((c) => c.name).join(' + '),
    minSamples: Math.max(...costs.map((c) => c.minSamples)),
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      return tf.tidy(() => tf.addN(costs.map((c) => c.evaluate(x, ys, context))));
    },
    ...(costs.every((c) => c.pairwise) && {
      pairwise(a: tf.Tensor2D, b: tf.Tensor2D, context?: CostContext): tf.Tensor2D {
        return tf.tidy(() => tf.addN(costs.map((c) => c.pairwise!(a, b, context))));
      },
    }),
  });
}

/** w · cost, with w a number or a Schedule of the outer step; pairwise when the cost is. */
export function scaleCost(cost: TransportCost, weight: Scheduled): TransportCost {
  if (typeof weight !== 'function') checkFinite('scaleCost', 'weight', weight);
  return Object.freeze({
    name: `${typeof weight === 'number' ? weight : 'w(t)'}·${cost.name}`,
    minSamples: cost.minSamples,
    evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor {
      const w = valueAt(weight, context?.step ?? 0);
      return tf.tidy(() => tf.mul(cost.evaluate(x, ys, context), w));
    },
    ...(cost.pairwise && {
      pairwise(a: tf.Tensor2D, b: tf.Tensor2D, context?: CostContext): tf.Tensor2D {
        const w = valueAt(weight, context?.step ?? 0);
        return tf.tidy(() => tf.mul(cost.pairwise!(a, b, context), w));
      },
    }),
  });
}
