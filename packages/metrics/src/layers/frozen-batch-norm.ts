import * as tf from '@tensorflow/tfjs-core';
import { checkNhwc } from './pair';

/** An nn.BatchNorm2d's state-dict tensors (each [C]). */
export interface BatchNormState {
  weight: tf.Tensor;
  bias: tf.Tensor;
  running_mean: tf.Tensor;
  running_var: tf.Tensor;
}

/**
 * nn.BatchNorm2d in eval mode on NHWC images: y = (x − running_mean) / √(running_var + eps) · weight + bias, kept as
 * one scale and one shift per channel (which is also how PyTorch's CPU inference kernel applies it).
 */
export class FrozenBatchNorm2d {
  readonly numFeatures: number;
  readonly eps: number;
  /** weight / √(running_var + eps), [C]. */
  readonly scale: tf.Tensor1D;
  /** bias − running_mean · scale, [C]. */
  readonly shift: tf.Tensor1D;

  /** Copies what it needs from `state`; `eps` defaults to PyTorch's 1e-5 (Inception's BasicConv2d uses 1e-3). */
  constructor(state: BatchNormState, eps = 1e-5) {
    const fn = 'FrozenBatchNorm2d';
    if (!(eps > 0)) throw new Error(`${fn}: eps must be > 0, got ${eps}`);
    const c = state?.weight?.size;
    for (const key of ['weight', 'bias', 'running_mean', 'running_var'] as const) {
      const t = state?.[key];
      if (!(t instanceof tf.Tensor) || t.rank !== 1 || t.size !== c) {
        throw new Error(`${fn}: ${key} must be a tensor of shape [${c ?? 'C'}], got ${t instanceof tf.Tensor ? `[${t.shape}]` : String(t)}`);
      }
    }
    this.numFeatures = c;
    this.eps = eps;
    [this.scale, this.shift] = tf.tidy(() => {
      const scale = tf.mul(tf.rsqrt(tf.add(tf.cast(state.running_var, 'float32'), eps)), tf.cast(state.weight, 'float32')) as tf.Tensor1D;
      const shift = tf.sub(tf.cast(state.bias, 'float32'), tf.mul(tf.cast(state.running_mean, 'float32'), scale)) as tf.Tensor1D;
      return [scale, shift];
    });
  }

  /** [B, H, W, C] → same shape. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkNhwc('FrozenBatchNorm2d.apply', x);
    if (x.shape[3] !== this.numFeatures) throw new Error(`FrozenBatchNorm2d.apply: expected x of shape [B, H, W, ${this.numFeatures}], got [${x.shape}]`);
    return tf.tidy(() => tf.add(tf.mul(x, this.scale), this.shift));
  }

  /**
   * The weight and bias of one convolution equal to `conv` (weight [out, in, kh, kw], optional bias [out]) followed by
   * this batch norm: weight · scale per output channel, (bias − mean) · scale + bias_bn. New tensors; the caller owns them.
   */
  foldInto(weight: tf.Tensor, bias: tf.Tensor | null): { weight: tf.Tensor4D; bias: tf.Tensor1D } {
    if (!(weight instanceof tf.Tensor) || weight.rank !== 4 || weight.shape[0] !== this.numFeatures) {
      throw new Error(`FrozenBatchNorm2d.foldInto: weight must have shape [${this.numFeatures}, in, kh, kw], got ${weight instanceof tf.Tensor ? `[${weight.shape}]` : String(weight)}`);
    }
    return tf.tidy(() => ({
      weight: tf.mul(tf.cast(weight, 'float32'), tf.reshape(this.scale, [this.numFeatures, 1, 1, 1])) as tf.Tensor4D,
      bias: (bias === null ? tf.clone(this.shift) : tf.add(tf.mul(tf.cast(bias, 'float32'), this.scale), this.shift)) as tf.Tensor1D,
    }));
  }

  dispose(): void {
    this.scale.dispose();
    this.shift.dispose();
  }
}
