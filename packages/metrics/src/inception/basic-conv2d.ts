import * as tf from '@tensorflow/tfjs-core';
import { FrozenBatchNorm2d } from '../layers/frozen-batch-norm';
import { FrozenConv2d } from '../layers/frozen-conv2d';

/** One torchvision BasicConv2d: its state-dict prefix and nn.Conv2d arguments. */
export interface ConvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  kernelSize: [number, number];
  stride: number;
  padding: [number, number];
}

/** torchvision's BasicConv2d batch norm eps (TensorFlow's Inception value, not PyTorch's 1e-5). */
export const BASIC_CONV_BN_EPS = 0.001;

/** A spec from torchvision-style arguments: a square kernel as a number, padding as a number or (rows, columns). */
export function convSpec(
  name: string,
  inChannels: number,
  outChannels: number,
  kernelSize: number | [number, number],
  { stride = 1, padding = 0 }: { stride?: number; padding?: number | [number, number] } = {},
): ConvSpec {
  const k: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  const p: [number, number] = typeof padding === 'number' ? [padding, padding] : padding;
  return { name, inChannels, outChannels, kernelSize: k, stride, padding: p };
}

/** The state-dict entries of a BasicConv2d, in PyTorch's order (num_batches_tracked, unused here, left out). */
export function basicConvEntries({ name, inChannels, outChannels, kernelSize: [kh, kw] }: ConvSpec): [string, number[]][] {
  return [
    [`${name}.conv.weight`, [outChannels, inChannels, kh, kw]],
    [`${name}.bn.weight`, [outChannels]],
    [`${name}.bn.bias`, [outChannels]],
    [`${name}.bn.running_mean`, [outChannels]],
    [`${name}.bn.running_var`, [outChannels]],
  ];
}

/** Reads one checked float32 tensor of the weights by key; the tensor is the caller's (made inside a tidy). */
export type WeightReader = (key: string) => tf.Tensor;

/**
 * torchvision's BasicConv2d in eval mode: conv (no bias) → BatchNorm2d(eps 0.001) → ReLU. The batch norm is folded
 * into the convolution's weight and bias once, and the ReLU fused into it, so a forward pass is one fused conv.
 * Several BasicConv2d that read the same input may be merged (their output channels concatenated) into one conv.
 */
export class BasicConv2d {
  readonly specs: ConvSpec[];
  private readonly conv: FrozenConv2d;

  /** Builds from the specs' weights (all with the same input, kernel, stride and padding when more than one). */
  constructor(specs: ConvSpec[], read: WeightReader) {
    const [first] = specs;
    for (const s of specs) {
      if (s.inChannels !== first.inChannels || s.kernelSize.join() !== first.kernelSize.join() || s.stride !== first.stride || s.padding.join() !== first.padding.join()) {
        throw new Error(`BasicConv2d: cannot merge ${s.name} with ${first.name}: their inputs or geometries differ`);
      }
    }
    this.specs = specs;
    const { weight, bias } = tf.tidy(() => {
      const weights: tf.Tensor[] = [];
      const biases: tf.Tensor[] = [];
      for (const { name } of specs) {
        const bn = new FrozenBatchNorm2d(
          {
            weight: read(`${name}.bn.weight`),
            bias: read(`${name}.bn.bias`),
            running_mean: read(`${name}.bn.running_mean`),
            running_var: read(`${name}.bn.running_var`),
          },
          BASIC_CONV_BN_EPS,
        );
        const folded = bn.foldInto(read(`${name}.conv.weight`), null);
        bn.dispose();
        weights.push(folded.weight);
        biases.push(folded.bias);
      }
      return { weight: tf.concat(weights, 0), bias: tf.concat(biases, 0) };
    });
    try {
      this.conv = new FrozenConv2d(weight, bias, { stride: first.stride, padding: first.padding, activation: 'relu' });
    } finally {
      // The layer keeps its own (transposed) copies.
      weight.dispose();
      bias.dispose();
    }
  }

  /** [B, H, W, in] → [B, H', W', Σ out]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.apply(x);
  }

  /** Applies the (merged) conv and splits its output back per spec, in order. */
  applySplit(x: tf.Tensor4D): tf.Tensor4D[] {
    if (this.specs.length === 1) return [this.apply(x)];
    return tf.tidy(() => tf.split(this.apply(x), this.specs.map((s) => s.outChannels), 3) as tf.Tensor4D[]);
  }

  dispose(): void {
    this.conv.dispose();
  }
}

/** Builds one BasicConv2d (merged when given several specs) from the network's weights. */
export type ConvBuilder = (specs: ConvSpec[]) => BasicConv2d;

/** Looks a block's specs up by their name under `prefix` (e.g. 'branch1x1' → 'Mixed_5b.branch1x1'). */
export function specLookup(prefix: string, specs: ConvSpec[]): (name: string) => ConvSpec {
  return (name) => {
    const spec = specs.find((s) => s.name === `${prefix}.${name}`);
    if (!spec) throw new Error(`FidInceptionV3: no conv "${prefix}.${name}" in the block's specs`);
    return spec;
  };
}
