import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining, normalize } from './batch-norm-train';
import { variableFrom } from './init';
import { argumentError, checkPositiveInt } from '@not/ot-core';

/** Options of {@link BatchNorm2d}. */
export interface BatchNorm2dOptions {
  /** Default 1e-5 (PyTorch's). */
  eps?: number;
  /** Weight of the new batch in the running statistics. Default 0.1 (PyTorch's). */
  momentum?: number;
}

/**
 * PyTorch's nn.BatchNorm2d on NHWC images (statistics per channel, over batch and pixels).
 *
 * State, named as in PyTorch: `weight` (1) and `bias` (0), trainable; buffers (non-trainable variables)
 * `running_mean` (0), `running_var` (1) and `num_batches_tracked` (int32 scalar).
 *
 * Training mode normalises with the batch mean and biased variance (one fused op, `batchNormTraining`) and updates
 * the running statistics as PyTorch does: `r ← (1 − momentum)·r + momentum·batch`, with
 * the UNBIASED batch variance (divisor n − 1, n = B·H·W) for `running_var`, and counts the batch. Inference mode
 * normalises with the running statistics and changes nothing.
 */
export class BatchNorm2d {
  /** Channels C: the last axis of the input. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of a new batch in the running statistics. */
  readonly momentum: number;
  /** [C] scale γ, starting at 1; trainable. */
  readonly weight: tf.Variable;
  /** [C] shift β, starting at 0; trainable. */
  readonly bias: tf.Variable;
  /** [C] running mean (a buffer), starting at 0; inference mode normalises with it. */
  readonly runningMean: tf.Variable;
  /** [C] running unbiased variance (a buffer), starting at 1; inference mode normalises with it. */
  readonly runningVar: tf.Variable;
  /** int32 scalar: training batches recorded so far (a buffer). Only kept for PyTorch's state dict; momentum is fixed. */
  readonly numBatchesTracked: tf.Variable;
  /** Parameters and buffers by PyTorch name, in PyTorch's order. */
  readonly state: Readonly<Record<string, tf.Variable>>;

  constructor(numFeatures: number, { eps = 1e-5, momentum = 0.1 }: BatchNorm2dOptions = {}) {
    checkPositiveInt('BatchNorm2d', 'numFeatures', numFeatures);
    if (!(typeof eps === 'number' && eps > 0 && eps < Infinity)) throw argumentError('BatchNorm2d', 'eps', 'a finite number > 0', eps);
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`BatchNorm2d: momentum must be in [0, 1], got ${momentum}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = variableFrom(() => tf.ones([numFeatures]));
    this.bias = variableFrom(() => tf.zeros([numFeatures]));
    this.runningMean = tf.tidy(() => tf.variable(tf.zeros([numFeatures]), false));
    this.runningVar = tf.tidy(() => tf.variable(tf.ones([numFeatures]), false));
    this.numBatchesTracked = tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false));
    this.state = {
      weight: this.weight,
      bias: this.bias,
      running_mean: this.runningMean,
      running_var: this.runningVar,
      num_batches_tracked: this.numBatchesTracked,
    };
  }

  /**
   * [B, H, W, C] → same shape, then ReLU when `relu` is set (fused: the ReLU's gradient costs no extra tensors).
   * `training` uses batch statistics and records them in the running ones (unless `record` is false: a checkpointed
   * block's replay); otherwise it uses the running ones.
   */
  apply(x: tf.Tensor, training: boolean, { record = training, relu = false }: { record?: boolean; relu?: boolean } = {}): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.numFeatures) {
      throw new Error(`BatchNorm2d.apply: expected x of shape [B, H, W, ${this.numFeatures}], got [${x.shape}]`);
    }
    const [b, h, w] = x.shape as number[];
    const n = b * h * w;
    if (training && n < 2) {
      throw new Error(`BatchNorm2d.apply: training needs more than 1 value per channel (B·H·W), got x of shape [${x.shape}]`);
    }
    const weight = this.weight as tf.Tensor1D;
    const bias = this.bias as tf.Tensor1D;
    if (!training) {
      return tf.tidy(() => {
        const y = normalize(x as tf.Tensor4D, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, weight, bias, this.eps);
        return relu ? tf.relu(y) : y;
      });
    }
    const { y, mean, variance } = batchNormTraining(x as tf.Tensor4D, weight, bias, this.eps, relu);
    if (record) {
      // Running statistics take no part in the output, so no gradient flows into them.
      tf.tidy(() => {
        const m = this.momentum;
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / (n - 1))));
        this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
      });
    }
    tf.dispose([mean, variance]);
    return y;
  }
}
