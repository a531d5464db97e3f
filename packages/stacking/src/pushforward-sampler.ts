import * as tf from '@tensorflow/tfjs-core';
import { Rng, pushForward, type RngState, type Sampler, type TransportMap } from '@not/ot-core';

/** A sampler whose position can be saved and restored, so a resumed run draws the same batches (ImageSampler is one). */
export interface ResumableSampler<S = unknown> extends Sampler {
  /** A snapshot of the sampler's position (JSON-serializable, to go into a checkpoint). */
  state(): S;
  /** Moves the sampler back to a position taken by `state()`, so its next draws repeat the ones that followed. */
  restore(state: S): void;
}

/** A sampler over a finite set that draws indices into it (ImageSampler is one): what a pushforward can be cached from. */
export interface IndexedSampler<S = unknown> extends ResumableSampler<S> {
  /** Items in the set. */
  readonly length: number;
  /** The indices the next sample(n) would draw, advancing the sampler as sample(n) does. */
  nextIndices(n: number): number[];
  /** The items at `indices`, without moving the sampler. */
  batchAt(indices: number[]): tf.Tensor;
}

export function isResumable(sampler: Sampler): sampler is ResumableSampler {
  const s = sampler as Partial<ResumableSampler>;
  return typeof s.state === 'function' && typeof s.restore === 'function';
}

export function isIndexed(sampler: Sampler): sampler is IndexedSampler {
  const s = sampler as Partial<IndexedSampler>;
  return isResumable(sampler) && typeof s.nextIndices === 'function' && typeof s.batchAt === 'function' && Number.isInteger(s.length);
}

/** Where a pushforward sampler stands: its base sampler's state and, on the fly, its noise stream. */
export interface PushforwardState {
  /** The base sampler's state; null on the fly when the base is not resumable. */
  base: unknown;
  /** The noise generator's state; on the fly only (a cache drew its noise once, when it was built). */
  noise?: RngState;
}

/** Draws of T♯P: a batch of the base sampler P pushed through a frozen map T (in inference mode). */
export interface PushforwardSampler extends ResumableSampler<PushforwardState> {
  /** Whether each draw is pushed through T when asked for, or gathered from the set pushed once in advance. */
  readonly mode: 'on-the-fly' | 'cached';
}

/** Options of {@link pushforwardOnTheFly} and {@link pushforwardCached}. */
export interface PushforwardOptions {
  /** A stochastic map's noise. */
  noise?: {
    /** Its standard deviation (default 0.1, the reference's Z_STD). */
    std?: number;
  };
  /** Seed of the noise draws. */
  seed?: number;
  /** Items pushed per call when caching (default 64). */
  batchSize?: number;
}

/**
 * T♯P computed on the fly: every sample(n) draws n items of P and pushes them through T, with fresh noise for a
 * stochastic T. Costs one forward pass of T per drawn item, and no memory.
 */
export function pushforwardOnTheFly(base: Sampler, map: TransportMap, options: PushforwardOptions = {}): PushforwardSampler {
  const rng = new Rng(options.seed ?? 0);
  const noiseStd = options.noise?.std ?? 0.1;
  return {
    mode: 'on-the-fly',
    shape: base.shape,
    sample(n: number) {
      const x = base.sample(n);
      const y = pushForward(map, x, { std: noiseStd, seed: rng.seed() });
      x.dispose();
      return y;
    },
    state: () => ({ base: isResumable(base) ? base.state() : null, noise: rng.getState() }),
    restore(state) {
      if (isResumable(base)) base.restore(state.base);
      if (state.noise) rng.setState(state.noise);
    },
  };
}

/**
 * T♯P cached: the whole finite set is pushed through T once (batch by batch, one noise draw per item) and kept as
 * float32; sample(n) then gathers the pushed items at the indices the base sampler draws, so batches follow the same
 * order as the base's. Costs one forward pass per item of the set, once, and set-size × item-size × 4 bytes.
 */
export async function pushforwardCached(base: IndexedSampler, map: TransportMap, options: PushforwardOptions = {}): Promise<PushforwardSampler> {
  const { seed = 0, batchSize = 64 } = options;
  const noiseStd = options.noise?.std ?? 0.1;
  const itemSize = base.shape.reduce((a, b) => a * b, 1);
  const pushed = new Float32Array(base.length * itemSize);
  for (let start = 0; start < base.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, base.length - start) }, (_, i) => start + i);
    const x = base.batchAt(indices);
    const y = pushForward(map, x, { std: noiseStd, seed: seed + start });
    x.dispose();
    try {
      pushed.set((await y.data()) as Float32Array, start * itemSize);
    } finally {
      y.dispose();
    }
  }
  return {
    mode: 'cached',
    shape: base.shape,
    sample(n: number) {
      const indices = base.nextIndices(n);
      const out = new Float32Array(n * itemSize);
      indices.forEach((index, row) => out.set(pushed.subarray(index * itemSize, (index + 1) * itemSize), row * itemSize));
      return tf.tensor(out, [n, ...base.shape], 'float32');
    },
    state: () => ({ base: base.state() }),
    restore: (state) => base.restore(state.base),
  };
}
