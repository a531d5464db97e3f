import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt, joinStateDicts, type Potential, type PotentialOptions, Rng, type StateDict } from '@not/ot-core';
import { Conv2d } from './conv2d';
import { initLinear } from './init';
import { avgPool3x3s2 } from './pooling';
import { ResnetBlock } from './resnet-block';
import { loadNamed } from './state';

/** Options of {@link ResNetPotential}. */
export interface ResNetPotentialOptions {
  /** Side of the square input images: a power of two >= 16 (the reference: 64 or 128). */
  size: number;
  /** Image channels. Default 3. */
  channels?: number;
  /** Width at full resolution (nfilter). Default 64. */
  filters?: number;
  /** Cap on the width (nfilter_max). Default 512. */
  maxFilters?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Activation checkpointing of the residual blocks (less memory, one more forward pass); see `recomputeActivations`. */
  recomputeActivations?: boolean;
}

/**
 * The reference potential f of NOT (`ResNet_D` of WGAN-QC): NHWC images [B, size, size, channels] → scores [B].
 *
 * conv_img (3×3, channels→nf) → LeakyReLU(0.2) → resnet = [RB(nf, nf), RB(nf, 2nf), then for i = 1..log2(size/4):
 * AvgPool2d(3, stride 2, pad 1), RB(n_i, n_i), RB(n_i, n_{i+1}) with n_i = min(nf·2^i, nfMax)] → flatten (in NCHW order,
 * as PyTorch's view) → fc Linear(C·4·4 → 1). Residual blocks scale their branch by 0.1; no normalisation.
 * Names: `conv_img.*`, `resnet.<i>.conv_{0,1,s}.*` (i counts the pooling entries too), `fc.*`.
 *
 * `fc` is sized from the last block's real width (min(nf·2^(nlayers+1), nfMax)); the reference uses
 * min(nf·2^nlayers, nfMax), which agrees wherever the reference runs (the cap reached) and fails elsewhere.
 *
 * Init as the reference's weights_init_D: every conv weight ~ kaiming_normal_(mode='fan_out',
 * nonlinearity='leaky_relu', a=0), i.e. N(0, 2/fan_out); conv biases and the Linear keep PyTorch's default
 * U(−1/√fan_in, 1/√fan_in).
 */
export class ResNetPotential implements Potential {
  /** Side of the square input images, a power of two >= 16. */
  readonly size: number;
  /** Image channels. */
  readonly channels: number;
  /** Width at full resolution (nfilter). */
  readonly filters: number;
  /** Cap on the width (nfilter_max). */
  readonly maxFilters: number;
  readonly noiseConditioned = false;
  /**
   * Run each residual block under activation checkpointing: a gradient keeps only the blocks' inputs and outputs and
   * recomputes the rest (same values and gradients, a fraction of the memory, about one more forward pass).
   */
  recomputeActivations: boolean;
  private readonly convImg: Conv2d;
  /** The reference's `resnet` Sequential: blocks, and null where an average pool sits. */
  private readonly resnet: (ResnetBlock | null)[];
  private readonly fc: { weight: tf.Variable; bias: tf.Variable };
  private readonly state: Record<string, tf.Variable>;

  constructor({ size, channels = 3, filters = 64, maxFilters = 512, seed = 0, recomputeActivations = false }: ResNetPotentialOptions) {
    if (!(Number.isInteger(size) && size >= 16 && (size & (size - 1)) === 0)) {
      throw new Error(`ResNetPotential: size must be a power of two >= 16, got ${size}`);
    }
    for (const [name, value] of [['channels', channels], ['filters', filters], ['maxFilters', maxFilters]] as const) {
      checkPositiveInt('ResNetPotential', name, value);
    }
    this.size = size;
    this.channels = channels;
    this.filters = filters;
    this.maxFilters = maxFilters;
    this.recomputeActivations = recomputeActivations;
    const rng = new Rng(seed);
    const init = 'kaiming-normal-fan-out' as const;
    const nf = filters;
    const width = (i: number) => Math.min(nf * 2 ** i, maxFilters);
    this.convImg = new Conv2d({ inChannels: channels, outChannels: nf, kernelSize: 3, padding: 1, init, rng });
    this.resnet = [new ResnetBlock(nf, nf, rng, { init }), new ResnetBlock(nf, 2 * nf, rng, { init })];
    const nlayers = Math.log2(size / 4);
    for (let i = 1; i <= nlayers; i++) {
      this.resnet.push(null, new ResnetBlock(width(i), width(i), rng, { init }), new ResnetBlock(width(i), width(i + 1), rng, { init }));
    }
    const last = this.resnet[this.resnet.length - 1] as ResnetBlock;
    this.fc = initLinear(last.outChannels * 16, 1, rng, 'pytorch-default');
    this.state = joinStateDicts([
      ['conv_img', this.convImg.state],
      ...this.resnet.flatMap((block, i): [string, Record<string, tf.Variable>][] => (block ? [[`resnet.${i}`, block.state]] : [])),
      ['fc', { weight: this.fc.weight, bias: this.fc.bias }],
    ]);
  }

  get variables(): tf.Variable[] {
    return Object.values(this.state).filter((v) => v.trainable);
  }

  /** [B, size, size, channels] → [B]. */
  apply(y: tf.Tensor, _options?: PotentialOptions): tf.Tensor1D {
    const [, h, w, c] = y.shape;
    if (y.rank !== 4 || h !== this.size || w !== this.size || c !== this.channels) {
      throw new Error(`ResNetPotential.apply: expected y of shape [B, ${this.size}, ${this.size}, ${this.channels}], got [${y.shape}]`);
    }
    return tf.tidy(() => {
      let out = tf.leakyRelu(this.convImg.apply(y), 0.2) as tf.Tensor4D;
      for (const block of this.resnet) out = block ? block.apply(out, this.recomputeActivations) : avgPool3x3s2(out);
      // PyTorch flattens [B, C, 4, 4]: channel-major.
      const flat = tf.reshape(tf.transpose(out, [0, 3, 1, 2]), [y.shape[0], -1]) as tf.Tensor2D;
      const score = tf.add(tf.matMul(flat, this.fc.weight as tf.Tensor2D, false, true), this.fc.bias);
      return tf.reshape(score, [-1]) as tf.Tensor1D;
    });
  }

  /** Parameters by the reference's names. Not copies. */
  stateDict(): Record<string, tf.Variable> {
    return { ...this.state };
  }

  loadStateDict(state: StateDict): void {
    loadNamed('ResNetPotential', this.state, state);
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const v of Object.values(this.state)) v.dispose();
  }
}
