import * as tf from '@tensorflow/tfjs-core';
import type { FeatureExtractor } from '../features/feature-extractor';
import { globalAvgPool, maxPool2d } from '../layers/pool2d';
import { resizeBilinear } from '../layers/resize-bilinear';
import { BasicConv2d, basicConvEntries, convSpec, type ConvSpec } from './basic-conv2d';
import { InceptionA, inceptionASpecs } from './inception-a';
import { InceptionB, inceptionBSpecs } from './inception-b';
import { InceptionC, inceptionCSpecs } from './inception-c';
import { InceptionD, inceptionDSpecs } from './inception-d';
import { InceptionE, inceptionESpecs } from './inception-e';
import { checkPositiveInt } from '@not/ot-core';

/** pytorch-fid resizes every image to 299×299 before the network. */
export const FID_INCEPTION_SIZE = 299;

const FN = 'FidInceptionV3';

/** The stem's convs (torchvision's Inception3 before Mixed_5b). */
const STEM: ConvSpec[] = [
  convSpec('Conv2d_1a_3x3', 3, 32, 3, { stride: 2 }),
  convSpec('Conv2d_2a_3x3', 32, 32, 3),
  convSpec('Conv2d_2b_3x3', 32, 64, 3, { padding: 1 }),
  convSpec('Conv2d_3b_1x1', 64, 80, 1),
  convSpec('Conv2d_4a_3x3', 80, 192, 3),
];

/** Every BasicConv2d of the FID Inception (fid_inception_v3 without AuxLogits), in state-dict order. */
export function fidInceptionConvSpecs(): ConvSpec[] {
  return [
    ...STEM,
    ...inceptionASpecs('Mixed_5b', 192, 32),
    ...inceptionASpecs('Mixed_5c', 256, 64),
    ...inceptionASpecs('Mixed_5d', 288, 64),
    ...inceptionBSpecs('Mixed_6a', 288),
    ...inceptionCSpecs('Mixed_6b', 768, 128),
    ...inceptionCSpecs('Mixed_6c', 768, 160),
    ...inceptionCSpecs('Mixed_6d', 768, 160),
    ...inceptionCSpecs('Mixed_6e', 768, 192),
    ...inceptionDSpecs('Mixed_7a', 768),
    ...inceptionESpecs('Mixed_7b', 1280),
    ...inceptionESpecs('Mixed_7c', 2048),
  ];
}

/**
 * The state-dict entries the network needs, [key, shape] in the order of pytorch-fid's state dict (5 per conv: 470).
 * A weight file may also hold `*.bn.num_batches_tracked` and the unused classifier `fc.weight` [1008, 2048] and
 * `fc.bias` [1008]; nothing else.
 */
export function fidInceptionWeightShapes(): [string, number[]][] {
  return fidInceptionConvSpecs().flatMap(basicConvEntries);
}

/** A tensor of the weights: a tf tensor, or decoded file data (readTorchCheckpoint's or decodeSafetensors' entries). */
export type WeightTensor =
  | tf.Tensor
  | {
      /** Dimensions in PyTorch's order, e.g. [out, in, kH, kW] for a convolution weight. */
      shape: readonly number[];
      /** The values, row-major; weights must be float32 (integers only for counters such as num_batches_tracked). */
      data: Float32Array | Int32Array | Uint8Array;
    };

/** Weights by pytorch-fid's state-dict keys (`Conv2d_1a_3x3.conv.weight`, `Mixed_5b.branch1x1.bn.running_mean`, …). */
export type FidInceptionWeights = Record<string, WeightTensor>;

/**
 * Checks keys, shapes, types and values against {@link fidInceptionWeightShapes}; throws naming the first missing
 * key, the first wrong shape, the first non-finite value (or negative running variance), or the first unexpected key.
 */
export function checkFidInceptionWeights(weights: FidInceptionWeights): void {
  if (weights === null || typeof weights !== 'object') throw new Error(`${FN}: weights must be an object of tensors by key, got ${String(weights)}`);
  const expected = fidInceptionWeightShapes();
  const missing = expected.filter(([key]) => !(key in weights));
  if (missing.length) {
    const [key, shape] = missing[0];
    const prefixed = Object.keys(weights).find((k) => k.endsWith(`.${key}`));
    const hint = prefixed ? `; the weights have "${prefixed}": strip its prefix "${prefixed.slice(0, -key.length)}"` : '';
    throw new Error(`${FN}: the weights have no "${key}" (expected shape [${shape}]); ${missing.length} of ${expected.length} expected keys are missing${hint}`);
  }
  for (const [key, shape] of expected) {
    const value = weights[key];
    const got = value?.shape;
    if (!got || got.join() !== shape.join()) {
      throw new Error(`${FN}: "${key}" has shape ${got ? `[${got}]` : String(value)}, expected [${shape}]`);
    }
    const float = value instanceof tf.Tensor ? value.dtype === 'float32' : value.data instanceof Float32Array;
    if (!float) throw new Error(`${FN}: "${key}" must hold floats, got ${value instanceof tf.Tensor ? value.dtype : value.data?.constructor?.name}`);
    // A damaged file must fail here rather than give NaN features later.
    const data = value instanceof tf.Tensor ? value.dataSync() : value.data;
    const variance = key.endsWith('.bn.running_var');
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new Error(`${FN}: "${key}" holds ${data[i]} at index ${i}; the weights are corrupt`);
      if (variance && data[i] < 0) throw new Error(`${FN}: "${key}" holds the negative variance ${data[i]} at index ${i}; the weights are corrupt`);
    }
  }
  const known = new Set(expected.map(([key]) => key));
  const bns = new Set(fidInceptionConvSpecs().map((s) => `${s.name}.bn.num_batches_tracked`));
  for (const [key, value] of Object.entries(weights)) {
    if (known.has(key) || bns.has(key)) continue;
    if (key === 'fc.weight' || key === 'fc.bias') {
      // The FID Inception's classifier has 1008 classes; torchvision's ImageNet Inception (1000) has the same convs
      // but other weights and blocks, so it must not pass for it.
      const want = key === 'fc.weight' ? [1008, 2048] : [1008];
      if (value?.shape?.join() !== want.join()) {
        throw new Error(`${FN}: "${key}" has shape [${value?.shape}], expected [${want}]: these are not pytorch-fid's FID Inception weights (torchvision's ImageNet Inception has 1000 classes)`);
      }
      continue;
    }
    const hint = key.startsWith('AuxLogits.') ? " (torchvision's ImageNet Inception has AuxLogits; FID needs pytorch-fid's pt_inception-2015-12-05-6726825d.pth)" : '';
    throw new Error(`${FN}: unexpected key "${key}" in the weights${hint}`);
  }
}

/** Where {@link FidInceptionV3.forwardUntil} can stop: the preprocessed input, each stem layer, each block, the pool. */
export type FidInceptionStage =
  | 'input'
  | 'Conv2d_1a_3x3' | 'Conv2d_2a_3x3' | 'Conv2d_2b_3x3' | 'maxpool1'
  | 'Conv2d_3b_1x1' | 'Conv2d_4a_3x3' | 'maxpool2'
  | 'Mixed_5b' | 'Mixed_5c' | 'Mixed_5d' | 'Mixed_6a' | 'Mixed_6b' | 'Mixed_6c' | 'Mixed_6d' | 'Mixed_6e'
  | 'Mixed_7a' | 'Mixed_7b' | 'Mixed_7c' | 'pool';

/** Options of {@link FidInceptionV3.fromWeights} and the FID Inception loaders. */
export interface FidInceptionOptions {
  /** Images per forward pass inside {@link FidInceptionV3.features}, to bound memory. Default 8. */
  batchSize?: number;
}

interface Block {
  apply(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/**
 * The Inception network of pytorch-fid (`InceptionV3([3])`, i.e. fid_inception_v3 with FIDInceptionA/C/E_1/E_2) as
 * a FeatureExtractor: 2048 pool features per image, equal to pytorch-fid's for `(x + 1) / 2`, which is how the NOT
 * reference feeds its [-1, 1] images. Inference only; build it with {@link FidInceptionV3.fromWeights} (or the
 * loaders in fid-inception-weights.ts).
 */
export class FidInceptionV3 implements FeatureExtractor {
  readonly name = 'inception-pool3';
  readonly dim = 2048;
  /** Images per forward pass in {@link FidInceptionV3.features} (default 8). */
  readonly batchSize: number;
  private readonly stages: [FidInceptionStage, Block | ((x: tf.Tensor4D) => tf.Tensor4D)][];
  private readonly owned: Block[];
  private disposed = false;

  private constructor(weights: FidInceptionWeights, batchSize: number) {
    this.batchSize = batchSize;
    const read = (key: string): tf.Tensor => {
      const value = weights[key];
      return value instanceof tf.Tensor ? value : tf.tensor(value.data, [...value.shape], 'float32');
    };
    const built: Block[] = [];
    const build = (specs: ConvSpec[]) => {
      const conv = new BasicConv2d(specs, read);
      built.push(conv);
      return conv;
    };
    try {
      const [c1a, c2a, c2b, c3b, c4a] = STEM.map((spec) => build([spec]));
      const pool = (x: tf.Tensor4D) => maxPool2d(x, { kernelSize: 3, stride: 2 });
      // Blocks own their convs (which `built` also lists, for cleanup if construction fails half-way).
      const blocks: [FidInceptionStage, Block][] = [
        ['Mixed_5b', new InceptionA('Mixed_5b', 192, 32, build)],
        ['Mixed_5c', new InceptionA('Mixed_5c', 256, 64, build)],
        ['Mixed_5d', new InceptionA('Mixed_5d', 288, 64, build)],
        ['Mixed_6a', new InceptionB('Mixed_6a', 288, build)],
        ['Mixed_6b', new InceptionC('Mixed_6b', 768, 128, build)],
        ['Mixed_6c', new InceptionC('Mixed_6c', 768, 160, build)],
        ['Mixed_6d', new InceptionC('Mixed_6d', 768, 160, build)],
        ['Mixed_6e', new InceptionC('Mixed_6e', 768, 192, build)],
        ['Mixed_7a', new InceptionD('Mixed_7a', 768, build)],
        ['Mixed_7b', new InceptionE('Mixed_7b', 1280, 'avg', build)],
        ['Mixed_7c', new InceptionE('Mixed_7c', 2048, 'max', build)],
      ];
      this.stages = [
        ['Conv2d_1a_3x3', c1a], ['Conv2d_2a_3x3', c2a], ['Conv2d_2b_3x3', c2b], ['maxpool1', pool],
        ['Conv2d_3b_1x1', c3b], ['Conv2d_4a_3x3', c4a], ['maxpool2', pool],
        ...blocks,
      ];
      this.owned = built;
    } catch (error) {
      for (const conv of built) conv.dispose();
      throw error;
    }
  }

  /**
   * Builds the network from pytorch-fid's state-dict weights (checked first: see {@link checkFidInceptionWeights}).
   * The weights are copied (batch norms folded into the convolutions); the caller keeps and disposes its own.
   */
  static fromWeights(weights: FidInceptionWeights, { batchSize = 8 }: FidInceptionOptions = {}): FidInceptionV3 {
    checkPositiveInt(FN, 'batchSize', batchSize);
    checkFidInceptionWeights(weights);
    return new FidInceptionV3(weights, batchSize);
  }

  /**
   * pytorch-fid's preprocessing of `(x + 1) / 2`: gray images repeated to RGB, bilinear resize to 299×299
   * (align_corners=False), then 2v − 1. Returns [n, 299, 299, 3].
   */
  preprocess(images: tf.Tensor4D): tf.Tensor4D {
    this.checkImages('preprocess', images);
    return tf.tidy(() => {
      const rgb = images.shape[3] === 1 ? tf.tile(images, [1, 1, 1, 3]) : images;
      const unit = tf.mul(tf.add(rgb, 1), 0.5) as tf.Tensor4D;
      const resized = resizeBilinear(unit, [FID_INCEPTION_SIZE, FID_INCEPTION_SIZE]);
      return tf.sub(tf.mul(resized, 2), 1);
    });
  }

  /**
   * The activation after `stage` for a batch (NHWC; [n, 2048] for 'pool'), in one pass without batching. For
   * debugging and for other Inception-based metrics.
   */
  forwardUntil(images: tf.Tensor4D, stage: FidInceptionStage): tf.Tensor {
    const names = ['input', ...this.stages.map(([name]) => name), 'pool'];
    if (!names.includes(stage)) throw new Error(`${FN}.forwardUntil: stage must be one of ${names.join(', ')}, got "${String(stage)}"`);
    let x = this.preprocess(images);
    try {
      if (stage === 'input') return x;
      for (const [name, layer] of this.stages) {
        // Each stage frees its input as soon as its output exists, so memory holds about two activations at a time.
        const y = typeof layer === 'function' ? tf.tidy(() => layer(x)) : layer.apply(x);
        x.dispose();
        x = y;
        if (name === stage) return x;
      }
      const pooled = globalAvgPool(x);
      x.dispose();
      return pooled;
    } catch (error) {
      x.dispose();
      throw error;
    }
  }

  /** [n, H, W, 1 | 3] in [-1, 1] → [n, 2048], in chunks of `batchSize` images. */
  features(images: tf.Tensor4D): tf.Tensor2D {
    this.checkImages('features', images);
    const n = images.shape[0];
    if (n === 0) return tf.zeros([0, this.dim]);
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < n; start += this.batchSize) {
        const size = Math.min(this.batchSize, n - start);
        const chunk = size === n ? images : tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
        try {
          parts.push(this.forwardUntil(chunk, 'pool') as tf.Tensor2D);
        } finally {
          if (chunk !== images) chunk.dispose();
        }
      }
      return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    } finally {
      if (parts.length > 1) for (const part of parts) part.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const conv of this.owned) conv.dispose();
  }

  private checkImages(method: string, images: tf.Tensor4D): void {
    const fn = `${FN}.${method}`;
    if (this.disposed) throw new Error(`${fn}: the network is disposed`);
    if (!(images instanceof tf.Tensor) || images.rank !== 4 || (images.shape[3] !== 1 && images.shape[3] !== 3)) {
      throw new Error(`${fn}: images must be NHWC [n, H, W, 1 or 3], got ${images instanceof tf.Tensor ? `[${images.shape}]` : String(images)}`);
    }
    if (images.dtype !== 'float32') throw new Error(`${fn}: images must be float32 in [-1, 1], got ${images.dtype}`);
    if (images.shape[1] < 1 || images.shape[2] < 1) throw new Error(`${fn}: images must be at least 1×1, got [${images.shape}]`);
  }
}
