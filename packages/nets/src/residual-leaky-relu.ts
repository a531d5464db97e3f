import * as tf from '@tensorflow/tfjs-core';

/**
 * LeakyReLU(shortcut + ratio·residual) as one differentiable op, the tail of the potential's residual blocks. Its
 * gradient keeps only the output: the slope is 1 where the output is positive and `alpha` elsewhere (alpha ≥ 0 keeps
 * the sign), so the sum and the scaled residual, and their gradients, need not live until the backward pass ends
 * (tfjs frees a gradient's intermediates only then).
 */
export function residualLeakyRelu(shortcut: tf.Tensor4D, residual: tf.Tensor4D, ratio: number, alpha: number): tf.Tensor4D {
  if (!(alpha >= 0)) throw new Error(`residualLeakyRelu: alpha must be >= 0, got ${alpha}`);
  const op = tf.customGrad(((a: tf.Tensor4D, b: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const value = tf.leakyRelu(tf.add(a, tf.mul(b, ratio)), alpha) as tf.Tensor4D;
    save([value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor4D, [out]: tf.Tensor[]) => {
        const g = tf.tidy(() => tf.mul(dy, tf.step(out, alpha)));
        return [g, tf.mul(g, ratio)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(shortcut, residual) as tf.Tensor4D;
}
