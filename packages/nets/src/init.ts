import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@not/ot-core';

/** Initialisation schemes for weights; PyTorch's defaults so that results carry over from reference code. */
export type WeightInit = 'pytorch-default' | 'kaiming-normal';

/**
 * A [fanOut, fanIn] weight (PyTorch layout) and a [fanOut] bias.
 * 'pytorch-default' is nn.Linear's reset_parameters: weight and bias ~ U(−1/√fanIn, 1/√fanIn).
 * 'kaiming-normal' is kaiming_normal_(fan_in, relu) for the weight, N(0, 2/fanIn); the bias keeps the default.
 */
export function initLinear(fanIn: number, fanOut: number, rng: Rng, scheme: WeightInit): {
  /** [fanOut, fanIn] weight (PyTorch's layout), trainable. */
  weight: tf.Variable;
  /** [fanOut] bias, trainable. */
  bias: tf.Variable;
} {
  const bound = 1 / Math.sqrt(fanIn);
  const weight = new Float32Array(fanIn * fanOut);
  if (scheme === 'kaiming-normal') {
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < weight.length; i++) weight[i] = rng.normal() * std;
  } else if (scheme === 'pytorch-default') {
    for (let i = 0; i < weight.length; i++) weight[i] = (2 * rng.uniform() - 1) * bound;
  } else {
    throw new Error(`initLinear: unknown init "${String(scheme)}"; expected 'pytorch-default' or 'kaiming-normal'`);
  }
  const bias = new Float32Array(fanOut);
  for (let i = 0; i < fanOut; i++) bias[i] = (2 * rng.uniform() - 1) * bound;
  return {
    weight: variableFrom(() => tf.tensor2d(weight, [fanOut, fanIn])),
    bias: variableFrom(() => tf.tensor1d(bias)),
  };
}

/** A trainable variable initialised from a tensor that is freed right away (the variable keeps the data). */
export function variableFrom(make: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(make(), true));
}
