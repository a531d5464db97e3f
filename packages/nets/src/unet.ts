import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt, type ApplyOptions, joinStateDicts, type Module, Rng, type StateDict } from '@not/ot-core';
import { Conv2d } from './conv2d';
import { DoubleConv } from './double-conv';
import { maxPool2d } from './pooling';
import { loadNamed } from './state';
import { upsampleBilinear2x } from './upsample';

/** Options of {@link UNet}. */
export interface UNetOptions {
  /** Channels of the input image (the reference map: 3, or 3 + 1 noise channel for the weak map). */
  inChannels: number;
  /** Channels of the output image. */
  outChannels: number;
  /** Width b of the first level; the levels have b, 2b, 4b, 8b, 8b channels. Default 48 (the reference's T). */
  base?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Activation checkpointing of the DoubleConv blocks in training mode; see `recomputeActivations`. */
  recomputeActivations?: boolean;
}

/**
 * The reference transport network of NOT (milesial's Pytorch-UNet with bilinear upsampling, `UNet(n_channels,
 * n_classes, base_factor)`), on NHWC images whose height and width are multiples of 16 (the reference runs 64 and 128).
 *
 * inc DoubleConv(in→b) · down1..4: MaxPool2d(2) → DoubleConv (b→2b→4b→8b→8b) · up1..4: bilinear ×2 upsample
 * (align_corners=True), concatenate [skip, upsampled] on channels, DoubleConv(in→out, mid = in/2)
 * (16b→4b, 8b→2b, 4b→b, 2b→b) · outc: 1×1 Conv2d(b→outChannels). No final activation. PyTorch's default init.
 * Parameters and batch-norm buffers carry the reference's names (`inc.double_conv.0.weight`,
 * `down1.maxpool_conv.1.double_conv.1.running_mean`, `up1.conv.double_conv.3.bias`, `outc.conv.weight`, …).
 */
export class UNet implements Module {
  /** Channels of the input image. */
  readonly inChannels: number;
  /** Channels of the output image. */
  readonly outChannels: number;
  /** Width b of the first level; the levels have b, 2b, 4b, 8b, 8b channels. */
  readonly base: number;
  /**
   * In training mode, run each DoubleConv under activation checkpointing: a gradient keeps only the blocks' inputs
   * and outputs and recomputes the rest (same values, gradients and running statistics, a fraction of the memory,
   * about one more forward pass). For batches that would not fit otherwise.
   */
  recomputeActivations: boolean;
  private readonly inc: DoubleConv;
  private readonly downs: DoubleConv[];
  private readonly ups: DoubleConv[];
  private readonly outc: Conv2d;
  private readonly state: Record<string, tf.Variable>;

  constructor({ inChannels, outChannels, base = 48, seed = 0, recomputeActivations = false }: UNetOptions) {
    for (const [name, value] of [['inChannels', inChannels], ['outChannels', outChannels], ['base', base]] as const) {
      checkPositiveInt('UNet', name, value);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.base = base;
    this.recomputeActivations = recomputeActivations;
    const rng = new Rng(seed);
    const b = base;
    this.inc = new DoubleConv(inChannels, b, b, rng);
    // Down(in, out): MaxPool2d(2) → DoubleConv(in, out); the last one halves 16b (bilinear factor 2).
    this.downs = [[b, 2 * b], [2 * b, 4 * b], [4 * b, 8 * b], [8 * b, 8 * b]].map(([cin, cout]) => new DoubleConv(cin, cout, cout, rng));
    // Up(in, out): DoubleConv(in, out, mid = in / 2), in = skip channels + upsampled channels.
    this.ups = [[16 * b, 4 * b], [8 * b, 2 * b], [4 * b, b], [2 * b, b]].map(([cin, cout]) => new DoubleConv(cin, cout, cin / 2, rng));
    this.outc = new Conv2d({ inChannels: b, outChannels, kernelSize: 1, rng });
    this.state = joinStateDicts([
      ['inc', this.inc.state],
      ...this.downs.map((d, i): [string, Record<string, tf.Variable>] => [`down${i + 1}.maxpool_conv.1`, d.state]),
      ...this.ups.map((u, i): [string, Record<string, tf.Variable>] => [`up${i + 1}.conv`, u.state]),
      ['outc.conv', this.outc.state],
    ]);
  }

  /** Trainable parameters (convolution weights and biases, batch-norm weights and biases). */
  get variables(): tf.Variable[] {
    return Object.values(this.state).filter((v) => v.trainable);
  }

  /**
   * [B, H, W, inChannels] → [B, H, W, outChannels], H and W multiples of 16. `training: true` normalises with
   * batch statistics and updates the running ones (PyTorch's train mode); the default is inference mode.
   */
  apply(x: tf.Tensor, options: ApplyOptions = {}): tf.Tensor4D {
    const [, h, w, c] = x.shape;
    if (x.rank !== 4 || c !== this.inChannels || !(h >= 16 && h % 16 === 0) || !(w >= 16 && w % 16 === 0)) {
      throw new Error(`UNet.apply: expected x of shape [B, H, W, ${this.inChannels}] with H and W multiples of 16, got [${x.shape}]`);
    }
    const training = options.training ?? false;
    return tf.tidy(() => {
      const c = this.recomputeActivations;
      const skips: tf.Tensor4D[] = [this.inc.apply(x, training, c)];
      for (const down of this.downs) skips.push(down.apply(maxPool2d(skips[skips.length - 1]), training, c));
      let y = skips.pop() as tf.Tensor4D;
      for (const up of this.ups) {
        const skip = skips.pop() as tf.Tensor4D;
        y = up.apply(tf.concat([skip, upsampleBilinear2x(y)], 3), training, c);
      }
      return this.outc.apply(y);
    });
  }

  /** Parameters and batch-norm buffers by the reference's names. Not copies. */
  stateDict(): Record<string, tf.Variable> {
    return { ...this.state };
  }

  loadStateDict(state: StateDict): void {
    loadNamed('UNet', this.state, state);
  }

  /** Frees the parameters and the batch-norm buffers. */
  dispose(): void {
    for (const v of Object.values(this.state)) v.dispose();
  }
}
