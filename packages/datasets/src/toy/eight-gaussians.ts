import * as tf from '@tensorflow/tfjs-core';
import { checkBatchSize, pointsTensor } from './batch';
import type { LabelledBatch, LabelledSampler } from './labelled-sampler';
import { samplerRng, type ToySeedOptions } from './seed-source';
import { checkFinite } from '@not/ot-core';

/** Options of {@link eightGaussians}. */
export interface EightGaussiansOptions extends ToySeedOptions {
  /**
   * Radius of the circle the centres sit on. Default 1.7 with std 0.2, as in the NOT strong seminar (unit-circle centres
   * ×1.7), which sits well against an N(0, I) source; the NOT toy-2D notebook's alternative is radius 12, std 1.
   */
  radius?: number;
  /** Standard deviation of each (isotropic) component. Default 0.2. */
  std?: number;
  /** Adds a ninth component at the origin (label 8), as the reference's `with_central`. Default false. */
  withCenter?: boolean;
}

/** The 8-Gaussians sampler: also exposes its centres. */
export interface EightGaussiansSampler extends LabelledSampler {
  /** Component centres, label order: angle k·45° for k = 0..7 (then the origin with `withCenter`). */
  readonly centers: ReadonlyArray<readonly [number, number]>;
  /** Radius of the circle the centres sit on, as resolved (default 1.7). */
  readonly radius: number;
  /** Standard deviation of each component, as resolved (default 0.2). */
  readonly std: number;
}

/**
 * Equal-weight mixture of isotropic Gaussians centred on 8 equally spaced points of a circle, shape [2].
 * Each point picks its component uniformly at random, so component counts vary from batch to batch.
 *
 * @example
 * const q = eightGaussians({ seed: 1 });
 * const y = q.sample(64); // [64, 2] float32, caller disposes
 */
export function eightGaussians(options: EightGaussiansOptions = {}): EightGaussiansSampler {
  const fn = 'eightGaussians';
  const radius = options.radius ?? 1.7;
  const std = options.std ?? 0.2;
  checkFinite(fn, 'radius', radius, { min: 0 });
  checkFinite(fn, 'std', std, { min: 0 });
  const rng = samplerRng(fn, options);

  const centers: Array<readonly [number, number]> = [];
  for (let k = 0; k < 8; k++) {
    const a = (k * Math.PI) / 4;
    centers.push([radius * Math.cos(a), radius * Math.sin(a)]);
  }
  if (options.withCenter) centers.push([0, 0]);
  const k = centers.length;

  // One draw routine behind both sample() and sampleLabelled(), so they consume the stream identically.
  const draw = (n: number, name: string): { data: Float32Array; labels: Int32Array } => {
    checkBatchSize(`${fn}.${name}`, n);
    const data = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = rng.int(k);
      labels[i] = c;
      data[2 * i] = centers[c][0] + std * rng.normal();
      data[2 * i + 1] = centers[c][1] + std * rng.normal();
    }
    return { data, labels };
  };

  return {
    shape: [2],
    numLabels: k,
    centers,
    radius,
    std,
    sample(n: number): tf.Tensor2D {
      const { data } = draw(n, 'sample');
      return pointsTensor(`${fn}.sample`, data, n, 2);
    },
    sampleLabelled(n: number): LabelledBatch {
      const { data, labels } = draw(n, 'sampleLabelled');
      return { points: pointsTensor(`${fn}.sampleLabelled`, data, n, 2), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}
