import * as tf from '@tensorflow/tfjs-core';
import { joinStateDicts, type Rng } from '@not/ot-core';
import { checkpointed } from './activation-checkpoint';
import { Conv2d, type ConvInit } from './conv2d';
import { residualLeakyRelu } from './residual-leaky-relu';

/**
 * The potential's residual block (WGAN-QC's ResnetBlock without batch norm): with h = min(fin, fout),
 * dx = conv_1(LeakyReLU₀.₂(conv_0(x))) (3×3, pad 1, biased), shortcut x_s = conv_s(x) (1×1, no bias) when
 * fin ≠ fout else x, and out = LeakyReLU₀.₂(x_s + resRatio·dx). Names: `conv_0.*`, `conv_1.*`, `conv_s.weight`.
 */
export class ResnetBlock {
  readonly inChannels: number;
  readonly outChannels: number;
  private readonly conv0: Conv2d;
  private readonly conv1: Conv2d;
  private readonly convS: Conv2d | null;
  private readonly resRatio: number;
  readonly state: Readonly<Record<string, tf.Variable>>;

  constructor(inChannels: number, outChannels: number, rng: Rng, { resRatio = 0.1, init = 'pytorch-default' as ConvInit } = {}) {
    const hidden = Math.min(inChannels, outChannels);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.resRatio = resRatio;
    this.conv0 = new Conv2d({ inChannels, outChannels: hidden, kernelSize: 3, padding: 1, init, rng });
    this.conv1 = new Conv2d({ inChannels: hidden, outChannels, kernelSize: 3, padding: 1, init, rng });
    this.convS = inChannels !== outChannels ? new Conv2d({ inChannels, outChannels, kernelSize: 1, bias: false, init, rng }) : null;
    this.state = joinStateDicts([
      ['conv_0', this.conv0.state],
      ['conv_1', this.conv1.state],
      ...(this.convS ? [['conv_s', this.convS.state] as [string, Record<string, tf.Variable>]] : []),
    ]);
  }

  /** `recompute` keeps only x and the output for a gradient (see checkpointed). */
  apply(x: tf.Tensor, recompute = false): tf.Tensor4D {
    const layers = (input: tf.Tensor) =>
      tf.tidy(() => {
        const shortcut = this.convS ? this.convS.apply(input) : input;
        const dx = this.conv1.apply(tf.leakyRelu(this.conv0.apply(input), 0.2));
        return residualLeakyRelu(shortcut as tf.Tensor4D, dx, this.resRatio, 0.2);
      });
    return recompute ? checkpointed(layers, Object.values(this.state), x) : layers(x);
  }
}
