import * as tf from '@tensorflow/tfjs-core';

/** A training-mode batch norm's output and the batch statistics it used (per channel; the caller disposes them). */
export interface BatchNormed {
  /** The normalised output (after the ReLU when `relu` is set), x's shape. */
  y: tf.Tensor4D;
  /** [C] batch mean per channel. */
  mean: tf.Tensor1D;
  /** [C] biased batch variance per channel (divisor B·H·W). */
  variance: tf.Tensor1D;
}

/**
 * Batch normalisation of NHWC x with the batch's own statistics (biased variance), scaled by `weight` and shifted by
 * `bias`, then ReLU when `relu` is set, as one differentiable op. Written out in tfjs ops, its gradient would keep
 * about a dozen image-sized tensors until the whole backward pass ends (tfjs frees a gradient's intermediates only
 * then); this one keeps x and the output, and frees its own temporaries as it goes:
 *   x̂ = (x − μ)/σ,  g = dy (masked where ReLU cut),  dβ = Σg,  dγ = Σ g·x̂,  dx = γ/σ · (g − dβ/n − x̂·dγ/n).
 * The batch mean and variance come back for the running statistics; no gradient flows through them.
 */
export function batchNormTraining(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number, relu: boolean): BatchNormed {
  const backend = tf.getBackend();
  if (tf.getKernel(BATCH_NORM_TRAINING_KERNEL, backend) && tf.getKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, backend)) {
    return batchNormByKernels(x, weight, bias, eps, relu);
  }
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  let stats!: { mean: tf.Tensor1D; variance: tf.Tensor1D };
  const op = tf.customGrad(((input: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(input, [0, 1, 2]) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    const normed = normalize(input, mean, variance, gamma, beta, eps);
    const value = relu ? tf.relu(normed) : normed;
    save([input, mean, tf.rsqrt(tf.add(variance, eps)), gamma, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor4D, [xs, mu, invStd, scale, out]: tf.Tensor[]) => {
        // Image-sized temporaries are freed as soon as they are used: at most four live at once.
        const g = relu ? tf.tidy(() => tf.mul(dy, tf.step(out))) : dy;
        const xHat = tf.tidy(() => tf.mul(tf.sub(xs, mu), invStd));
        const [dWeight, dBias] = tf.tidy(() => [tf.sum(tf.mul(g, xHat), [0, 1, 2]), tf.sum(g, [0, 1, 2])]);
        const k = tf.mul(scale, invStd);
        // dx = k·g − (x̂·k·dγ/n + k·dβ/n)
        const correction = tf.tidy(() => tf.add(tf.mul(xHat, tf.mul(k, tf.div(dWeight, n))), tf.mul(k, tf.div(dBias, n))));
        xHat.dispose();
        const dx = tf.tidy(() => tf.sub(tf.mul(g, k), correction));
        tf.dispose([correction, k, ...(g === dy ? [] : [g])]);
        return [dx, dWeight, dBias];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, weight, bias) as tf.Tensor4D;
  return { y, ...stats };
}

/**
 * The kernels a backend may register to run batchNormTraining in two passes over the data each way (@not/backends
 * does on wasm with oneDNN): forward, inputs x, weight, bias and attributes eps, relu, outputs y, mean, variance;
 * gradient, inputs dy, x, y, mean, variance, weight, outputs dx, dWeight, dBias (the formulas above).
 */
export const BATCH_NORM_TRAINING_KERNEL = 'NotBatchNormTraining';
/** See {@link BATCH_NORM_TRAINING_KERNEL}. */
export const BATCH_NORM_TRAINING_GRAD_KERNEL = 'NotBatchNormTrainingGrad';

function batchNormByKernels(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number, relu: boolean): BatchNormed {
  let stats!: { mean: tf.Tensor1D; variance: tf.Tensor1D };
  const attrs = { eps, relu };
  const op = tf.customGrad(((input: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [value, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, { x: input, weight: gamma, bias: beta }, attrs) as tf.Tensor[];
    stats = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    save([input, value, mean, variance, gamma]);
    return {
      value,
      gradFunc: (dy: tf.Tensor4D, [xs, out, mu, v, scale]: tf.Tensor[]) =>
        tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, { dy, x: xs, y: out, mean: mu, variance: v, weight: scale }, attrs) as tf.Tensor[],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, weight, bias) as tf.Tensor4D;
  return { y, ...stats };
}

/**
 * (x − mean)·weight/√(variance + eps) + bias per channel, in three image-sized ops: wasm's own FusedBatchNorm kernel
 * takes ~3× as long (80 against 25 ms on [64, 64, 64, 48]).
 */
export function normalize(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(tf.sub(x, mean), tf.mul(tf.rsqrt(tf.add(variance, eps)), weight)), bias) as tf.Tensor4D);
}
