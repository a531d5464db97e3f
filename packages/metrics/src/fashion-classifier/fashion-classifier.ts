import * as tf from '@tensorflow/tfjs-core';
import { argumentError, checkPositiveInt, describeValue, Rng, type StateDict } from '@not/ot-core';
import { Conv2d, decodeSafetensors, initLinear, maxPool2d, type SafetensorsTensor } from '@not/nets';
import { FASHION_MNIST_CLASSES, type FashionMnistClasses, type FashionMnistClassName, fashionMnistClassIds } from '@not/datasets';
import type { FeatureExtractor } from '../features/feature-extractor';

/** File name of the shipped weights in @not/metrics' `data/` folder. */
export const FASHION_CLASSIFIER_WEIGHTS_FILE = 'fashion-classifier.safetensors';

/** Options of {@link FashionClassifier.fromBytes} (and of loadFashionClassifier in @not/metrics/node). */
export interface FashionClassifierOptions {
  /** Images per forward pass; bounds memory for large inputs (results do not depend on it). Default 256. */
  batchSize?: number;
}

const SIZE = 32;
const FEATURES = 128;
const CLASSES = 10;

/**
 * The parameters by PyTorch name and shape: one nn.Sequential (Conv2d 0, 3, 6 each followed by ReLU and MaxPool2d(2),
 * Flatten 9, Linear 10, ReLU 11, Linear 12), as scripts/train-fashion-classifier.py defines it.
 */
const PARAMETER_SHAPES: Readonly<Record<string, readonly number[]>> = {
  '0.weight': [32, 1, 3, 3],
  '0.bias': [32],
  '3.weight': [64, 32, 3, 3],
  '3.bias': [64],
  '6.weight': [128, 64, 3, 3],
  '6.bias': [128],
  '10.weight': [FEATURES, 128 * 4 * 4],
  '10.bias': [FEATURES],
  '12.weight': [CLASSES, FEATURES],
  '12.bias': [CLASSES],
};

/**
 * A small CNN trained on Fashion-MNIST (scripts/train-fashion-classifier.py), for judging image translations offline
 * where Inception cannot be had: the share of images called a given class (e.g. {@link shoeShare} of translated bags),
 * and 128 penultimate-layer features for a Fréchet distance (it is a {@link FeatureExtractor}).
 *
 * Input: NHWC float32 [n, 32, 32, 1 or 3] in [-1, 1], Fashion-MNIST's 28×28 padded by 2 background pixels per side
 * (what @not/datasets serves); 3 channels are averaged. Other sizes are refused rather than resized, since the network
 * only knows this framing. Every method leaves its input alone and returns tensors (or numbers) the caller owns.
 *
 * @example
 * const classifier = await loadFashionClassifier();   // @not/metrics/node: the weights shipped in @not/metrics/data
 * const share = classifier.shoeShare(translatedBags);  // share classified as sandal, sneaker or ankle boot
 * const feats = classifier.features(translatedBags);   // [n, 128]
 * classifier.dispose();
 */
export class FashionClassifier implements FeatureExtractor {
  readonly name = 'fashion-classifier';
  readonly dim = FEATURES;
  /** Class names by class number. */
  readonly classNames: readonly FashionMnistClassName[] = FASHION_MNIST_CLASSES;
  /** The weight file's `__metadata__` (test_accuracy, epochs, seed, ...). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Images per forward pass (default 256); results do not depend on it. */
  readonly batchSize: number;
  private readonly convs: Conv2d[];
  private readonly hidden: { weight: tf.Variable; bias: tf.Variable };
  private readonly output: { weight: tf.Variable; bias: tf.Variable };
  private readonly params: Readonly<Record<string, tf.Variable>>;
  private disposed = false;

  private constructor(metadata: Record<string, string>, batchSize: number) {
    this.metadata = Object.freeze({ ...metadata });
    this.batchSize = batchSize;
    // The initial values are placeholders that loading overwrites; a fixed seed keeps construction deterministic.
    const rng = new Rng(0);
    this.convs = [
      new Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1, rng }),
      new Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1, rng }),
      new Conv2d({ inChannels: 64, outChannels: 128, kernelSize: 3, padding: 1, rng }),
    ];
    this.hidden = initLinear(128 * 4 * 4, FEATURES, rng, 'pytorch-default');
    this.output = initLinear(FEATURES, CLASSES, rng, 'pytorch-default');
    const [c0, c3, c6] = this.convs;
    this.params = {
      '0.weight': c0.weight,
      '0.bias': c0.bias!,
      '3.weight': c3.weight,
      '3.bias': c3.bias!,
      '6.weight': c6.weight,
      '6.bias': c6.bias!,
      '10.weight': this.hidden.weight,
      '10.bias': this.hidden.bias,
      '12.weight': this.output.weight,
      '12.bias': this.output.bias,
    };
  }

  /**
   * Builds the classifier from safetensors bytes (float32 or float16 tensors named as in PyTorch). `source` names the
   * bytes in errors. Throws naming the first missing, mis-shaped, non-float or non-finite tensor, or an unexpected one.
   */
  static fromBytes(bytes: Uint8Array, options: FashionClassifierOptions = {}, source = 'the weights'): FashionClassifier {
    const fn = 'FashionClassifier.fromBytes';
    const batchSize = checkBatchSize(fn, options);
    let decoded: ReturnType<typeof decodeSafetensors>;
    try {
      // A Node Buffer's slice() is a view, not a copy, and decodeSafetensors relies on copies: hand it a plain array.
      decoded = decodeSafetensors(bytes instanceof Uint8Array && Object.getPrototypeOf(bytes) !== Uint8Array.prototype ? new Uint8Array(bytes) : bytes);
    } catch (error) {
      throw new Error(`${fn}: ${source} is not a valid safetensors weights file: ${(error as Error).message}`);
    }
    checkWeights(`${fn}: ${source}`, decoded.tensors);
    const classifier = new FashionClassifier(decoded.metadata, batchSize);
    tf.tidy(() => {
      for (const [key, variable] of Object.entries(classifier.params)) {
        const { data, shape } = decoded.tensors[key];
        variable.assign(tf.tensor(data, shape, 'float32'));
      }
    });
    return classifier;
  }

  /** Logits [n, 10] and features [n, 128] in one pass (both the caller's). */
  apply(images: tf.Tensor4D): {
    /** Class scores before the softmax, [n, 10]. */
    logits: tf.Tensor2D;
    /** The penultimate layer's features (after its ReLU), [n, 128]. */
    features: tf.Tensor2D;
  } {
    const n = this.checkImages('FashionClassifier.apply', images);
    return tf.tidy(() => {
      const logits: tf.Tensor2D[] = [];
      const features: tf.Tensor2D[] = [];
      for (let start = 0; start < n; start += this.batchSize) {
        const size = Math.min(this.batchSize, n - start);
        // A tidy per chunk frees its activations before the next chunk runs.
        const out = tf.tidy(() => this.forward(size === n ? images : tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1])));
        logits.push(out.logits);
        features.push(out.features);
      }
      return {
        logits: logits.length === 1 ? logits[0] : tf.concat(logits, 0),
        features: features.length === 1 ? features[0] : tf.concat(features, 0),
      };
    });
  }

  /** Class scores before the softmax, [n, 10]. */
  logits(images: tf.Tensor4D): tf.Tensor2D {
    return this.keep('logits', images);
  }

  /** Class probabilities (softmax of the logits), [n, 10]. */
  probabilities(images: tf.Tensor4D): tf.Tensor2D {
    this.checkImages('FashionClassifier.probabilities', images);
    return tf.tidy(() => tf.softmax(this.keep('logits', images)));
  }

  /** The 128 features of the penultimate layer (after its ReLU), [n, 128]: the {@link FeatureExtractor} side. */
  features(images: tf.Tensor4D): tf.Tensor2D {
    return this.keep('features', images);
  }

  /** The most likely class of every image (0..9; names in {@link classNames}). */
  predict(images: tf.Tensor4D): Int32Array {
    this.checkImages('FashionClassifier.predict', images);
    const classes = tf.tidy(() => tf.argMax(this.keep('logits', images), 1));
    try {
      return Int32Array.from(classes.dataSync());
    } finally {
      classes.dispose();
    }
  }

  /** Share (0..1) of `images` whose most likely class is one of `classes` (`'shoes'`, class numbers or names). */
  classShare(images: tf.Tensor4D, classes: FashionMnistClasses): number {
    const fn = 'FashionClassifier.classShare';
    const wanted = fashionMnistClassIds(classes, fn);
    this.checkImages(fn, images);
    const predicted = this.predict(images);
    let hits = 0;
    for (const c of predicted) hits += wanted.includes(c) ? 1 : 0;
    return hits / predicted.length;
  }

  /** Share of `images` classified as a shoe: sandal, sneaker or ankle boot (classes 5, 7, 9). */
  shoeShare(images: tf.Tensor4D): number {
    return this.classShare(images, 'shoes');
  }

  /** The weights by PyTorch name (the variables themselves, not copies). */
  stateDict(): StateDict {
    this.checkLive('FashionClassifier.stateDict');
    return { ...this.params };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of Object.values(this.params)) v.dispose();
  }

  private keep(which: 'logits' | 'features', images: tf.Tensor4D): tf.Tensor2D {
    this.checkImages(`FashionClassifier.${which}`, images);
    return tf.tidy(() => this.apply(images)[which]);
  }

  private forward(images: tf.Tensor4D): { logits: tf.Tensor2D; features: tf.Tensor2D } {
    let h: tf.Tensor4D = images.shape[3] === 3 ? tf.mean(images, 3, true) : images;
    for (const conv of this.convs) h = maxPool2d(tf.relu(conv.apply(h)));
    // PyTorch flattens NCHW in (C, H, W) order; Linear 10's weight expects that order.
    const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [h.shape[0], -1]) as tf.Tensor2D;
    const features = tf.relu(tf.add(tf.matMul(flat, this.hidden.weight, false, true), this.hidden.bias)) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(features, this.output.weight, false, true), this.output.bias) as tf.Tensor2D;
    return { logits, features };
  }

  private checkLive(fn: string): void {
    if (this.disposed) throw new Error(`${fn}: the classifier has been disposed`);
  }

  /** Checks `images` and returns n. */
  private checkImages(fn: string, images: tf.Tensor4D): number {
    this.checkLive(fn);
    const expected = `a float32 tensor [n, ${SIZE}, ${SIZE}, 1 or 3] in [-1, 1]`;
    if (!(images instanceof tf.Tensor)) throw new Error(`${fn}: images must be ${expected}, got ${describe(images)}`);
    if (images.isDisposed) throw new Error(`${fn}: images is disposed`);
    if (images.rank !== 4) throw new Error(`${fn}: images must be ${expected}, got rank ${images.rank} shape [${images.shape}]`);
    const [n, h, w, c] = images.shape;
    if (h !== SIZE || w !== SIZE) {
      throw new Error(
        `${fn}: images must be ${SIZE}×${SIZE} (Fashion-MNIST's 28×28 padded by 2 pixels on each side), got ${h}×${w} in shape [${images.shape}]`,
      );
    }
    if (c !== 1 && c !== 3) throw new Error(`${fn}: images must have 1 or 3 channels (NHWC), got ${c} in shape [${images.shape}]`);
    if (images.dtype !== 'float32') throw new Error(`${fn}: images must be float32 in [-1, 1], got dtype ${images.dtype}`);
    if (n < 1) throw new Error(`${fn}: images must hold at least one image, got shape [${images.shape}]`);
    return n;
  }
}

/** The batch size of `options` (default 256); throws naming `fn` otherwise. */
export function checkBatchSize(fn: string, options: FashionClassifierOptions): number {
  if (options === null || typeof options !== 'object') throw argumentError(fn, 'options', 'an object { batchSize? }', options);
  const { batchSize = 256 } = options;
  return checkPositiveInt(fn, 'batchSize', batchSize);
}

/** Every parameter present, float, of the right shape and finite; nothing else. */
function checkWeights(where: string, tensors: Record<string, SafetensorsTensor>): void {
  for (const [key, shape] of Object.entries(PARAMETER_SHAPES)) {
    const t = tensors[key];
    if (!t) throw new Error(`${where}: missing tensor "${key}" (expected shape [${shape}])`);
    if (!(t.data instanceof Float32Array)) throw new Error(`${where}: tensor "${key}" has dtype ${t.dtype}, expected a float dtype (F32, F16, BF16 or F64)`);
    if (t.shape.join() !== shape.join()) throw new Error(`${where}: tensor "${key}" has shape [${t.shape}], expected [${shape}]`);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: tensor "${key}" holds ${t.data[bad]} at index ${bad}; expected finite weights`);
  }
  const extra = Object.keys(tensors).filter((k) => !(k in PARAMETER_SHAPES));
  if (extra.length > 0) {
    throw new Error(`${where}: unexpected tensors ${extra.map((k) => `"${k}"`).join(', ')}; expected only ${Object.keys(PARAMETER_SHAPES).join(', ')}`);
  }
}

/** A value as an error message shows it (tensors by dtype and shape). */
export function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape}]`;
  return describeValue(value);
}
