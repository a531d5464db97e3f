import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, type Rng } from '@not/ot-core';
import { conv2dWithBias } from './conv2d-bias';
import { variableFrom } from './init';

/**
 * How a convolution's weight is drawn (the bias, when there is one, always keeps PyTorch's default
 * U(−1/√fan_in, 1/√fan_in)):
 * - 'pytorch-default': nn.Conv2d's reset_parameters, kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in) with
 *   fan_in = in·kh·kw;
 * - 'kaiming-normal-fan-out': kaiming_normal_(mode='fan_out', nonlinearity='leaky_relu') with its default a=0,
 *   i.e. N(0, std²) with std = √2/√fan_out, fan_out = out·kh·kw. (In PyTorch, calculate_gain('leaky_relu', 0) uses
 *   slope 0 because a=0 is passed explicitly: the 0.01 default applies only to param=None. So the gain is √2, not
 *   √(2/(1+0.01²)).) This is the reference potential's weights_init_D.
 */
export type ConvInit = 'pytorch-default' | 'kaiming-normal-fan-out';

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Channels of the input. */
  inChannels: number;
  /** Channels of the output (the number of filters). */
  outChannels: number;
  /** Square kernel side. */
  kernelSize: number;
  /** Zero padding on each side (stride 1, so `(kernelSize − 1) / 2` keeps the size). Default 0. */
  padding?: number;
  /** Default true. */
  bias?: boolean;
  /** How the weight is drawn. Default 'pytorch-default'. */
  init?: ConvInit;
  /** Draws the initial weights (weight first, then bias). */
  rng: Rng;
}

/**
 * A stride-1 2-D convolution on NHWC images. The weight is kept in PyTorch's layout [out, in, kh, kw] so the state
 * dict ({ weight, bias }) is PyTorch's; it is transposed to tfjs' [kh, kw, in, out] inside `apply`. Padding is an
 * explicit zero `tf.pad` followed by a 'valid' convolution (numeric conv pads are unreliable on some backends), or 'same'
 * where that is the same padding.
 */
export class Conv2d {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Side k of the square kernel. */
  readonly kernelSize: number;
  /** Zero padding p on each side. */
  readonly padding: number;
  /** [out, in, k, k] in PyTorch's layout; trainable. */
  readonly weight: tf.Variable;
  /** [out], trainable; null for a convolution without bias. */
  readonly bias: tf.Variable | null;
  /** Variables by PyTorch name: `weight` and, with a bias, `bias`. */
  readonly state: Readonly<Record<string, tf.Variable>>;

  constructor({ inChannels, outChannels, kernelSize, padding = 0, bias = true, init = 'pytorch-default', rng }: Conv2dOptions) {
    for (const [name, value, least] of [['inChannels', inChannels, 1], ['outChannels', outChannels, 1], ['kernelSize', kernelSize, 1], ['padding', padding, 0]] as const) {
      checkInteger('Conv2d', name, value, { min: least });
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.padding = padding;
    const fanIn = inChannels * kernelSize * kernelSize;
    const fanOut = outChannels * kernelSize * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(outChannels * fanIn);
    if (init === 'pytorch-default') {
      for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * bound;
    } else if (init === 'kaiming-normal-fan-out') {
      const std = Math.SQRT2 / Math.sqrt(fanOut);
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    } else {
      throw new Error(`Conv2d: init must be 'pytorch-default' or 'kaiming-normal-fan-out', got "${String(init)}"`);
    }
    this.weight = variableFrom(() => tf.tensor4d(w, [outChannels, inChannels, kernelSize, kernelSize]));
    if (bias) {
      const b = new Float32Array(outChannels);
      for (let i = 0; i < b.length; i++) b[i] = (2 * rng.uniform() - 1) * bound;
      this.bias = variableFrom(() => tf.tensor1d(b));
      this.state = { weight: this.weight, bias: this.bias };
    } else {
      this.bias = null;
      this.state = { weight: this.weight };
    }
  }

  /** [B, H, W, in] → [B, H + 2p − k + 1, W + 2p − k + 1, out]. */
  apply(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new Error(`Conv2d.apply: expected x of shape [B, H, W, ${this.inChannels}], got [${x.shape}]`);
    }
    const p = this.padding;
    const [, h, w] = x.shape as number[];
    if (h + 2 * p < this.kernelSize || w + 2 * p < this.kernelSize) {
      throw new Error(`Conv2d.apply: image [${x.shape.slice(1, 3)}] with padding ${p} is smaller than the ${this.kernelSize}×${this.kernelSize} kernel`);
    }
    return tf.tidy(() => {
      const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D;
      // For an odd kernel with p = (k − 1)/2, 'same' is exactly that zero padding and saves a copy and its gradient.
      const same = 2 * p === this.kernelSize - 1;
      const input = p > 0 && !same ? tf.pad(x as tf.Tensor4D, [[0, 0], [p, p], [p, p], [0, 0]]) : (x as tf.Tensor4D);
      const pad = same ? 'same' : 'valid';
      return this.bias ? conv2dWithBias(input, filter, this.bias as tf.Tensor1D, pad) : tf.conv2d(input, filter, 1, pad);
    });
  }
}
