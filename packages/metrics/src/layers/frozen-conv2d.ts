import * as tf from '@tensorflow/tfjs-core';
import { checkNhwc, pair, type IntPair } from './pair';

export interface FrozenConv2dOptions {
  /** Default 1. */
  stride?: IntPair;
  /** Zero padding on each side, as nn.Conv2d's `padding` (rows, columns). Default 0. */
  padding?: IntPair;
  /** Applied after the bias, fused into the convolution. Default 'linear'. */
  activation?: 'linear' | 'relu';
}

/**
 * An inference-only nn.Conv2d on NHWC images (groups 1, dilation 1), built from PyTorch-layout weights: `weight`
 * [out, in, kh, kw] and optional `bias` [out]. The weights are copied into the layer (transposed once to tfjs'
 * [kh, kw, in, out]); the caller keeps its own tensors. For feature networks (Inception, AlexNet, VGG) that are
 * never trained.
 */
export class FrozenConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly activation: 'linear' | 'relu';
  private readonly filter: tf.Tensor4D;
  private readonly bias: tf.Tensor1D | null;

  constructor(weight: tf.Tensor, bias: tf.Tensor | null, { stride = 1, padding = 0, activation = 'linear' }: FrozenConv2dOptions = {}) {
    const fn = 'FrozenConv2d';
    if (!(weight instanceof tf.Tensor) || weight.rank !== 4) {
      throw new Error(`${fn}: weight must be a tensor of shape [out, in, kh, kw], got ${weight instanceof tf.Tensor ? `[${weight.shape}]` : String(weight)}`);
    }
    const [out, inChannels, kh, kw] = weight.shape;
    if (bias !== null && (!(bias instanceof tf.Tensor) || bias.shape.join() !== String(out))) {
      throw new Error(`${fn}: bias must be a tensor of shape [${out}], got ${bias instanceof tf.Tensor ? `[${bias.shape}]` : String(bias)}`);
    }
    if (activation !== 'linear' && activation !== 'relu') throw new Error(`${fn}: activation must be 'linear' or 'relu', got "${String(activation)}"`);
    this.inChannels = inChannels;
    this.outChannels = out;
    this.kernelSize = [kh, kw];
    this.stride = pair(fn, 'stride', stride, 1);
    this.padding = pair(fn, 'padding', padding, 0);
    this.activation = activation;
    this.filter = tf.tidy(() => tf.transpose(tf.cast(weight, 'float32'), [2, 3, 1, 0]) as tf.Tensor4D);
    this.bias = bias === null ? null : tf.tidy(() => tf.cast(tf.reshape(bias, [out]), 'float32') as tf.Tensor1D);
  }

  /** [B, H, W, in] → [B, ⌊(H + 2ph − kh) / sh⌋ + 1, ⌊(W + 2pw − kw) / sw⌋ + 1, out]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const fn = 'FrozenConv2d.apply';
    checkNhwc(fn, x);
    if (x.shape[3] !== this.inChannels) throw new Error(`${fn}: expected x of shape [B, H, W, ${this.inChannels}], got [${x.shape}]`);
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    const [ph, pw] = this.padding;
    if (x.shape[1] + 2 * ph < kh || x.shape[2] + 2 * pw < kw) {
      throw new Error(`${fn}: image [${x.shape.slice(1, 3)}] with padding [${this.padding}] is smaller than the ${kh}×${kw} kernel`);
    }
    return tf.tidy(() => {
      // For stride 1 and an odd kernel with p = (k − 1) / 2, 'same' is that zero padding and saves a padded copy.
      const same = sh === 1 && sw === 1 && 2 * ph === kh - 1 && 2 * pw === kw - 1;
      const input = same || (ph === 0 && pw === 0) ? x : tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
      return tf.fused.conv2d({
        x: input,
        filter: this.filter,
        strides: [sh, sw],
        pad: same ? 'same' : 'valid',
        bias: this.bias ?? undefined,
        activation: this.activation,
      });
    });
  }

  dispose(): void {
    this.filter.dispose();
    this.bias?.dispose();
  }
}
