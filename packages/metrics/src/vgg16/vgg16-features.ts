import * as tf from '@tensorflow/tfjs-core';
import { ConvTrunk } from '../layers/conv-trunk';
import { checkNhwc } from '../layers/pair';
import type { WeightTensor } from '../inception/fid-inception-v3';
import { weightTensor } from '../weights/read-weight-file';
import { VGG16_LAYERS, VGG16_WIDTHS, checkVgg16Layers, checkVgg16Widths, vgg16Channels, vgg16Strides, vgg16Trunk, type Vgg16Layer } from './vgg16-architecture';

/** torchvision's ImageNet VGG16 (`vgg16(weights='IMAGENET1K_V1')`), 528 MB; only its `features.*` tensors are used. */
export const VGG16_WEIGHTS = {
  /** Where torchvision downloads the file. */
  url: 'https://download.pytorch.org/models/vgg16-397923af.pth',
  /** The file's name in the cache folders; its hex part is a SHA-256 prefix the download is checked against. */
  file: 'vgg16-397923af.pth',
} as const;

/** The ImageNet statistics torchvision's VGG16 was trained with: inputs are (x − mean) / std for x in [0, 1]. */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Options of {@link Vgg16Features.fromWeights}: which layers, and the block widths. */
export interface Vgg16FeaturesOptions {
  /** The layers whose ReLU outputs `apply` returns, in network order. Default: all thirteen. */
  layers?: readonly Vgg16Layer[];
  /** Channels of the five blocks; anything but VGG16's [64, 128, 256, 512, 512] is a narrow copy for tests. */
  widths?: readonly number[];
}

const FN = 'Vgg16Features';

/**
 * Frozen VGG16 feature maps of RGB images (NHWC in [-1, 1], normalized with the ImageNet statistics as torchvision's
 * weights expect), at the chosen layers. Differentiable with respect to the image, for losses such as style transfer's.
 */
export class Vgg16Features {
  /** The layers `apply` returns, in network order. */
  readonly layers: readonly Vgg16Layer[];
  /** Channels of each layer's output. */
  readonly channels: readonly number[];
  /** Each layer's downsampling factor against the image (1, 2, 4, 8 or 16). */
  readonly strides: readonly number[];
  /** The smallest image height and width every layer accepts. */
  readonly minSize: number;
  private readonly trunk: ConvTrunk;

  private constructor(trunk: ConvTrunk, layers: readonly Vgg16Layer[], widths: readonly number[]) {
    this.trunk = trunk;
    this.layers = layers;
    this.channels = vgg16Channels(layers, widths);
    this.strides = vgg16Strides(layers);
    this.minSize = Math.max(...this.strides);
  }

  /**
   * The network from torchvision-keyed weights (`features.<i>.weight` [out, in, 3, 3] and `.bias` [out]; other keys
   * such as `classifier.*` are ignored). Throws naming the first missing or mis-shaped key. The weights are copied.
   */
  static fromWeights(weights: Record<string, WeightTensor>, { layers = VGG16_LAYERS, widths = VGG16_WIDTHS }: Vgg16FeaturesOptions = {}): Vgg16Features {
    checkVgg16Layers(FN, layers);
    checkVgg16Widths(FN, widths);
    if (weights === null || typeof weights !== 'object') throw new Error(`${FN}: weights must be an object of tensors by key, got ${String(weights)}`);
    const steps = vgg16Trunk(layers, widths);
    for (const step of steps) {
      if (step.kind !== 'conv') continue;
      for (const [key, shape] of [
        [`features.${step.index}.weight`, [step.outChannels, step.inChannels, 3, 3]],
        [`features.${step.index}.bias`, [step.outChannels]],
      ] as const) {
        const value = weights[key];
        if (value === undefined) throw new Error(`${FN}: the weights lack "${key}" (expected shape [${shape}]); they must be torchvision's VGG16 (${VGG16_WEIGHTS.file})`);
        if (value.shape.join() !== shape.join()) throw new Error(`${FN}: "${key}" must have shape [${shape}], got [${value.shape}]`);
      }
    }
    return new Vgg16Features(new ConvTrunk(steps, (key) => weightTensor(weights[key])), layers, widths);
  }

  /** The feature maps of `x` ([B, H, W, 3] in [-1, 1], H and W ≥ minSize), one per layer; the caller owns them. */
  apply(x: tf.Tensor4D): tf.Tensor4D[] {
    const fn = `${FN}.apply`;
    checkNhwc(fn, x);
    if (x.shape[3] !== 3) throw new Error(`${fn}: expected RGB images [B, H, W, 3], got [${x.shape}]`);
    if (x.shape[1] < this.minSize || x.shape[2] < this.minSize) {
      throw new Error(`${fn}: images must be at least ${this.minSize}×${this.minSize} for layer ${this.layers[this.layers.length - 1]}, got ${x.shape[1]}×${x.shape[2]}`);
    }
    const input = tf.tidy(() => tf.div(tf.sub(tf.mul(tf.add(x, 1), 0.5), IMAGENET_MEAN), IMAGENET_STD) as tf.Tensor4D);
    try {
      return this.trunk.forEachFeature(input, (feature) => tf.clone(feature));
    } finally {
      input.dispose();
    }
  }

  /** Frees the weights. */
  dispose(): void {
    this.trunk.dispose();
  }
}
