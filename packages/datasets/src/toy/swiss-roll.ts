import type * as tf from '@tensorflow/tfjs-core';
import { checkFinite, type Sampler } from '@not/ot-core';
import { checkBatchSize, checkPositive, pointsTensor } from './batch';
import { samplerRng, type ToySeedOptions } from './seed-source';

/** Options of {@link swissRoll}. */
export interface SwissRollOptions extends ToySeedOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate before scaling. Default 0.8 (as NOT's toys). */
  noise?: number;
  /**
   * Factor applied after the noise. Default 1/7.5, as the NOT toy-2D notebook's `SwissRollSampler`; the weak seminar
   * divides by 6.5 instead (`scale: 1 / 6.5`).
   */
  scale?: number;
}

/** The swiss-roll sampler, with its resolved options. */
export interface SwissRollSampler extends Sampler {
  /** Standard deviation of the per-coordinate noise, before scaling (default 0.8). */
  readonly noise: number;
  /** Factor applied after the noise (default 1/7.5). */
  readonly scale: number;
}

/**
 * 2-D swiss roll, shape [2]: the (x, z) columns of scikit-learn's `make_swiss_roll(noise)` times `scale`.
 * With t ~ U[1.5π, 4.5π] (scikit-learn's range), a point is scale · (t cos t + noise·ε₁, t sin t + noise·ε₂), so
 * without noise its distance from the origin is scale · t, i.e. in [scale·1.5π, scale·4.5π] ≈ [0.63, 1.88] by default.
 *
 * @example
 * const q = swissRoll({ seed: 3 });
 * const y = q.sample(512); // [512, 2] float32
 */
export function swissRoll(options: SwissRollOptions = {}): SwissRollSampler {
  const fn = 'swissRoll';
  const noise = options.noise ?? 0.8;
  const scale = options.scale ?? 1 / 7.5;
  checkFinite(fn, 'noise', noise, { min: 0 });
  checkPositive(fn, 'scale', scale);
  const rng = samplerRng(fn, options);

  return {
    shape: [2],
    noise,
    scale,
    sample(n: number): tf.Tensor2D {
      checkBatchSize(`${fn}.sample`, n);
      const data = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
        data[2 * i] = scale * (t * Math.cos(t) + noise * rng.normal());
        data[2 * i + 1] = scale * (t * Math.sin(t) + noise * rng.normal());
      }
      return pointsTensor(`${fn}.sample`, data, n, 2);
    },
  };
}
