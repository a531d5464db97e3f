import * as tf from '@tensorflow/tfjs-core';
import type { ImageSource } from './image-source';
import { resizeImages } from './resize';
import { checkFiniteSample } from '../finite-sample';
import { checkPositiveInt } from '@not/ot-core';

/**
 * The three parts of an {@link ImageDataset}: train (what training draws from), validation (what picks a run's best
 * map, step and depth) and test (what results are reported on, never used for a choice).
 */
export type ImageSplit = 'train' | 'validation' | 'test';

/** Every {@link ImageSplit}, in the order they lie in the source. */
export const IMAGE_SPLITS: readonly ImageSplit[] = ['train', 'validation', 'test'];

/** Options of {@link ImageDataset}. */
export interface ImageDatasetOptions {
  /** Side of the square images the model sees; the stored images are resized to size × size. */
  size: number;
  /** Share of the images held out as the test split (the last ⌊count · testRatio⌋ images). Default 0.1. */
  testRatio?: number;
  /** Share of the images held out as the validation split (the ⌊count · validationRatio⌋ before the test split). Default 0.1. */
  validationRatio?: number;
  /**
   * Channels the model sees: 3 (default; grayscale is broadcast) or 1 (RGB becomes ITU-R 601-2 luma, PIL's "L"). A pair of grayscale sets trains best with 1: with 3, T can leave the gray plane, where f learns a steep
   * slope that T then chases.
   */
  channels?: 1 | 3;
}

/**
 * An image source as the model sees it: resized to size × size with the source's reference resize, scaled to [-1, 1]
 * as 2·(v/255) − 1, with `channels` channels (3 unless asked: grayscale broadcast); NHWC float32.
 *
 * The split is deterministic and extends the reference's (`load_dataset` in NOT's `src/tools.py`: no shuffle, the test
 * split is the LAST ⌊count · testRatio⌋ images): the validation split is the ⌊count · validationRatio⌋ images just
 * before it, and the train split is the rest, each indexed from 0. The reference chose its best checkpoint on its test
 * split; here choices are made on validation, so that the test figures stay honest.
 *
 * @example
 * const data = new ImageDataset(openFashionMnist({ classes: 'bag' }), { size: 32 });
 * const x = data.batch('test', [0, 1, 2]);   // [3, 32, 32, 3] in [-1, 1]
 */
export class ImageDataset {
  /** The stored images this data set reads from. */
  readonly source: ImageSource;
  /** Side of the square images as seen, in pixels. */
  readonly size: number;
  /** Share of the images held out as the test split, in [0, 1) (default 0.1). */
  readonly testRatio: number;
  /** Share of the images held out as the validation split, in [0, 1) (default 0.1). */
  readonly validationRatio: number;
  /** Channels as seen: 3 (default) or 1. */
  readonly channels: 1 | 3;
  /** Shape of one image as seen: [size, size, channels]. */
  readonly shape: readonly [number, number, number];
  /** Number of images in the source, both splits together. */
  readonly count: number;
  /** Number of images in the train split: `count − validationCount − testCount`. */
  readonly trainCount: number;
  /** Number of images in the validation split: ⌊count · validationRatio⌋, those just before the test split. */
  readonly validationCount: number;
  /** Number of images in the test split: ⌊count · testRatio⌋, the last ones of the source. */
  readonly testCount: number;

  constructor(source: ImageSource, options: ImageDatasetOptions) {
    const fn = 'ImageDataset';
    if (source === null || typeof source !== 'object' || typeof source.read !== 'function') {
      throw new Error(`${fn}: source must be an ImageSource, got ${source === null ? 'null' : typeof source}`);
    }
    const { size, testRatio = 0.1, validationRatio = 0.1, channels = 3 } = options ?? ({} as ImageDatasetOptions);
    checkPositiveInt(fn, 'size', size);
    for (const [name, ratio] of [['testRatio', testRatio], ['validationRatio', validationRatio]] as const) {
      if (!(typeof ratio === 'number' && Number.isFinite(ratio) && ratio >= 0 && ratio < 1)) {
        throw new Error(`${fn}: ${name} must be a number in [0, 1), got ${JSON.stringify(ratio)}`);
      }
    }
    if (!(testRatio + validationRatio < 1)) {
      throw new Error(`${fn}: testRatio + validationRatio must be below 1 (some images must be left to train on), got ${testRatio} + ${validationRatio}`);
    }
    if (channels !== 1 && channels !== 3) throw new Error(`${fn}: channels must be 1 or 3, got ${JSON.stringify(channels)}`);
    if (source.channels !== 1 && source.channels !== 3) {
      throw new Error(`${fn}: source ${source.name} must have 1 or 3 channels, got ${source.channels}`);
    }
    if (!(Number.isInteger(source.count) && source.count >= 1)) {
      throw new Error(`${fn}: source ${source.name} must hold at least one image, got count ${source.count}`);
    }
    this.source = source;
    this.size = size;
    this.testRatio = testRatio;
    this.validationRatio = validationRatio;
    this.channels = channels;
    this.shape = [size, size, channels];
    this.count = source.count;
    // Same double arithmetic as Python's int(len * 0.1).
    this.testCount = Math.floor(source.count * testRatio);
    this.validationCount = Math.floor(source.count * validationRatio);
    this.trainCount = source.count - this.validationCount - this.testCount;
  }

  /** Number of images in `split`. */
  splitCount(split: ImageSplit): number {
    return this.splitRange(split).count;
  }

  /** Where `split` starts in the source, and how many images it holds. */
  private splitRange(split: ImageSplit): { offset: number; count: number } {
    if (split === 'train') return { offset: 0, count: this.trainCount };
    if (split === 'validation') return { offset: this.trainCount, count: this.validationCount };
    if (split === 'test') return { offset: this.trainCount + this.validationCount, count: this.testCount };
    throw new Error(`ImageDataset: split must be one of ${IMAGE_SPLITS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(split)}`);
  }

  /**
   * The images at `indices` of `split` (in that order) as the model sees them: NHWC float32 in [-1, 1],
   * `indices.length · size · size · channels` values.
   */
  images(split: ImageSplit, indices: readonly number[]): Float32Array {
    const fn = 'ImageDataset.images';
    const { offset, count: n } = this.splitRange(split);
    if (!Array.isArray(indices)) throw new Error(`${fn}: indices must be an array of integers, got ${typeof indices}`);
    const sourceIndices = new Array<number>(indices.length);
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      if (!(Number.isInteger(i) && i >= 0 && i < n)) {
        throw new Error(`${fn}: indices must be integers in [0, ${n}) (the ${split} split), got ${i} at position ${j}`);
      }
      sourceIndices[j] = offset + i;
    }
    const { height: h, width: w, channels: c } = this.source;
    const stored = this.source.read(sourceIndices);
    // Bytes are always finite; a source that hands back floats (despite its type) is checked before any use.
    if (!((stored as unknown) instanceof Uint8Array)) {
      checkFiniteSample(`${fn} (${this.source.name})`, stored, h * w * c, (row) => `image ${sourceIndices[row]} of ${this.source.name}`);
    }
    const count = indices.length;
    const pixels = count * this.size * this.size;
    const values: ArrayLike<number> =
      h === this.size && w === this.size
        ? stored
        : resizeImages(stored, count, h, w, c, this.size, this.size, this.source.resize);
    if (values.length !== pixels * c) {
      throw new Error(`${fn}: expected ${pixels * c} values from ${this.source.name}, got ${values.length}`);
    }
    const out = new Float32Array(pixels * this.channels);
    if (c === this.channels) {
      for (let k = 0; k < out.length; k++) out[k] = toUnit(values[k]);
    } else if (c === 1) {
      for (let p = 0, o = 0; p < pixels; p++, o += 3) out.fill(toUnit(values[p]), o, o + 3);
    } else {
      for (let p = 0; p < pixels; p++) out[p] = toUnit(luma(values[3 * p], values[3 * p + 1], values[3 * p + 2]));
    }
    return out;
  }

  /** {@link images} as a [n, size, size, channels] float32 tensor that the caller owns. */
  batch(split: ImageSplit, indices: readonly number[]): tf.Tensor4D {
    const data = this.images(split, indices);
    return tf.tensor4d(data, [indices.length, this.size, this.size, this.channels], 'float32');
  }
}

/** ITU-R 601-2 luma, the weights of PIL's RGB → "L". */
function luma(r: number, g: number, b: number): number {
  return (r * 299 + g * 587 + b * 114) / 1000;
}

/** 0..255 → [-1, 1] as PyTorch computes 2·(x/255) − 1 in float32. */
function toUnit(v: number): number {
  return Math.fround(Math.fround(v / 255) * 2 - 1);
}
