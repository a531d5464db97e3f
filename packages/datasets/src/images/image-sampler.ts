import type * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkPositiveInt, Rng, type Sampler } from '@not/ot-core';
import { IMAGE_SPLITS, type ImageDataset, type ImageSplit } from './image-dataset';

/** Options of {@link ImageSampler}. */
export interface ImageSamplerOptions {
  /** Which split to draw from. Default 'train'. */
  split?: ImageSplit;
  /** Seed of the per-epoch permutations (an integer). Default 0. */
  seed?: number;
}

/** Where an {@link ImageSampler} stands: the epoch and the position within that epoch's permutation. */
export interface ImageSamplerState {
  /** Epochs completed so far (0 at the start). */
  epoch: number;
  /** Images already drawn from that epoch's permutation, in [0, length). */
  position: number;
}

/**
 * Draws batches from one split of an {@link ImageDataset} without replacement, like a shuffled DataLoader: each epoch
 * walks a seeded permutation of the split, and a batch that would cross the end of an epoch takes the rest from the next
 * epoch's permutation. Epoch e's permutation depends on (seed, e) only, so `state()` is two numbers and `restore()`
 * makes a resumed run draw exactly the same batches.
 *
 * @example
 * const sampler = new ImageSampler(dataset, { seed: 1 });
 * const x = sampler.sample(16);       // [16, size, size, channels], the caller disposes it
 * const saved = sampler.state();       // store in a checkpoint; later: sampler.restore(saved)
 */
export class ImageSampler implements Sampler {
  /** The data set the images come from. */
  readonly dataset: ImageDataset;
  /** The split drawn from (default 'train'). */
  readonly split: ImageSplit;
  /** Seed of the per-epoch permutations (default 0). */
  readonly seed: number;
  readonly shape: readonly number[];
  /** Number of images in the split (the length of one epoch). */
  readonly length: number;
  private epoch = 0;
  private position = 0;
  private cache: { epoch: number; order: Int32Array } | null = null;

  constructor(dataset: ImageDataset, options: ImageSamplerOptions = {}) {
    const fn = 'ImageSampler';
    const { split = 'train', seed = 0 } = options;
    if (!IMAGE_SPLITS.includes(split)) throw new Error(`${fn}: split must be one of ${IMAGE_SPLITS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(split)}`);
    checkInteger(fn, 'seed', seed);
    const length = dataset.splitCount(split);
    if (length < 1) throw new Error(`${fn}: the ${split} split of ${dataset.source.name} is empty (count ${dataset.count}, validationRatio ${dataset.validationRatio}, testRatio ${dataset.testRatio})`);
    this.dataset = dataset;
    this.split = split;
    this.seed = seed;
    this.length = length;
    this.shape = [...dataset.shape];
  }

  /** The next n images of the split as a [n, size, size, channels] float32 tensor in [-1, 1] that the caller owns. */
  sample(n: number): tf.Tensor4D {
    return this.batchAt(this.nextIndices(n));
  }

  /** The split's images at `indices` (as {@link nextIndices} gives them), without moving the sampler. */
  batchAt(indices: number[]): tf.Tensor4D {
    return this.dataset.batch(this.split, indices);
  }

  /** The split indices the next `sample(n)` would return, advancing the sampler as `sample(n)` does. */
  nextIndices(n: number): number[] {
    const fn = 'ImageSampler.sample';
    checkPositiveInt(fn, 'n', n);
    if (n > this.length) {
      throw new Error(`${fn}: n must be <= ${this.length} (the size of the ${this.split} split of ${this.dataset.source.name}), got ${n}`);
    }
    const out: number[] = [];
    while (out.length < n) {
      const order = this.order(this.epoch);
      const take = Math.min(n - out.length, this.length - this.position);
      for (let k = 0; k < take; k++) out.push(order[this.position + k]);
      this.position += take;
      if (this.position === this.length) {
        this.epoch++;
        this.position = 0;
      }
    }
    return out;
  }

  /** Where the sampler stands; `restore(state())` on a sampler with the same dataset, split and seed resumes it. */
  state(): ImageSamplerState {
    return { epoch: this.epoch, position: this.position };
  }

  /** Moves the sampler to a state from {@link ImageSampler.state}. */
  restore(state: ImageSamplerState): void {
    const fn = 'ImageSampler.restore';
    const { epoch, position } = state ?? ({} as ImageSamplerState);
    checkInteger(fn, 'state.epoch', epoch, { min: 0 });
    if (!(Number.isInteger(position) && position >= 0 && position <= this.length)) {
      throw new Error(`${fn}: state.position must be an integer in [0, ${this.length}] (the ${this.split} split size), got ${JSON.stringify(position)}`);
    }
    this.epoch = position === this.length ? epoch + 1 : epoch;
    this.position = position === this.length ? 0 : position;
  }

  /** Epoch e's order of the split: a permutation of 0..length−1 seeded by (seed, e). */
  permutation(epoch: number): Int32Array {
    checkInteger('ImageSampler.permutation', 'epoch', epoch, { min: 0 });
    return this.order(epoch).slice();
  }

  private order(epoch: number): Int32Array {
    if (this.cache?.epoch === epoch) return this.cache.order;
    const rng = new Rng(epochSeed(this.seed, epoch));
    const order = new Int32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    this.cache = { epoch, order };
    return order;
  }
}

/** A 32-bit seed for epoch `epoch` of a sampler seeded `seed` (two rounds of a murmur3-style finaliser). */
function epochSeed(seed: number, epoch: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let h = mix32((lo ^ mix32(hi + 0x632be5ab)) >>> 0);
  h = mix32((h + Math.imul(epoch >>> 0, 0x9e3779b1) + Math.floor(epoch / 4294967296)) >>> 0);
  return h;
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
