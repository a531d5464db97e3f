import * as tf from '@tensorflow/tfjs-core';

/** Hidden-layer nonlinearities. Smooth ones (silu, softplus) suit potentials whose gradients define maps. */
export type Activation = 'relu' | 'leaky-relu' | 'silu' | 'softplus' | 'tanh';

/** Applies `activation` elementwise ('leaky-relu' with slope 0.2, silu as x·sigmoid(x)); throws on an unknown name. */
export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leaky-relu':
      return tf.leakyRelu(x, 0.2);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'softplus':
      return tf.softplus(x);
    case 'tanh':
      return tf.tanh(x);
    default:
      throw new Error(`activate: unknown activation "${String(activation)}"; expected relu, leaky-relu, silu, softplus or tanh`);
  }
}
