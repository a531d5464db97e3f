import * as tf from '@tensorflow/tfjs-core';
import { checkBatchSize, checkPositive, pointsTensor } from './batch';
import type { LabelledBatch, LabelledSampler } from './labelled-sampler';
import { samplerRng, type ToySeedOptions } from './seed-source';
import { checkFinite } from '@not/ot-core';

/** Options of {@link moons}. */
export interface MoonsOptions extends ToySeedOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (before `scale`). Default 0.1. */
  noise?: number;
  /**
   * Shift scikit-learn's moons by (−0.5, −0.25) so their joint mean is the origin, which suits an N(0, I) source.
   * Default true; false keeps scikit-learn's coordinates (x in [−1, 2], y in [−0.5, 1]).
   */
  centered?: boolean;
  /** Factor applied last. Default 1. */
  scale?: number;
}

/** The moons sampler, with its resolved options. */
export interface MoonsSampler extends LabelledSampler {
  /** Standard deviation of the per-coordinate noise, before scaling (default 0.1). */
  readonly noise: number;
  /** Factor applied last (default 1). */
  readonly scale: number;
  /** Whether the moons are shifted by (−0.5, −0.25) so their joint mean is the origin (default true). */
  readonly centered: boolean;
}

/**
 * Two interleaving half circles, shape [2], as scikit-learn's `make_moons`: label 0 is the upper arc (cos t, sin t),
 * label 1 the lower arc (1 − cos t, 0.5 − sin t), t ~ U[0, π]. Each point picks its moon with probability 1/2.
 *
 * @example
 * const q = moons({ seed: 2, noise: 0.05 });
 * const { points, labels } = q.sampleLabelled(256);
 */
export function moons(options: MoonsOptions = {}): MoonsSampler {
  const fn = 'moons';
  const noise = options.noise ?? 0.1;
  const scale = options.scale ?? 1;
  const centered = options.centered ?? true;
  checkFinite(fn, 'noise', noise, { min: 0 });
  checkPositive(fn, 'scale', scale);
  const rng = samplerRng(fn, options);
  const dx = centered ? -0.5 : 0;
  const dy = centered ? -0.25 : 0;

  const draw = (n: number, name: string): { data: Float32Array; labels: Int32Array } => {
    checkBatchSize(`${fn}.${name}`, n);
    const data = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const moon = rng.int(2);
      const t = Math.PI * rng.uniform();
      const x = moon === 0 ? Math.cos(t) : 1 - Math.cos(t);
      const y = moon === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      labels[i] = moon;
      data[2 * i] = scale * (x + dx + noise * rng.normal());
      data[2 * i + 1] = scale * (y + dy + noise * rng.normal());
    }
    return { data, labels };
  };

  return {
    shape: [2],
    numLabels: 2,
    noise,
    scale,
    centered,
    sample(n: number): tf.Tensor2D {
      return pointsTensor(`${fn}.sample`, draw(n, 'sample').data, n, 2);
    },
    sampleLabelled(n: number): LabelledBatch {
      const { data, labels } = draw(n, 'sampleLabelled');
      return { points: pointsTensor(`${fn}.sampleLabelled`, data, n, 2), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}
