import type * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt, type Sampler } from '@not/ot-core';
import { checkBatchSize, pointsTensor } from './batch';
import { samplerRng, type ToySeedOptions } from './seed-source';

/** The N(0, I_dim) sampler. */
export interface StandardNormalSampler extends Sampler {
  /** Dimension of each sample; batches are [n, dim]. */
  readonly dim: number;
}

/**
 * Standard normal N(0, I) in `dim` dimensions, shape [dim]; the usual NOT toy source. Drawn with the seeded `Rng` in
 * JavaScript (not `tf.randomNormal`), so a seed gives the same batches on every backend.
 *
 * @example
 * const p = standardNormal(2, { seed: 0 });
 * const x = p.sample(64); // [64, 2] float32
 */
export function standardNormal(dim = 2, options: ToySeedOptions = {}): StandardNormalSampler {
  const fn = 'standardNormal';
  checkPositiveInt(fn, 'dim', dim);
  const rng = samplerRng(fn, options);
  return {
    shape: [dim],
    dim,
    sample(n: number): tf.Tensor2D {
      checkBatchSize(`${fn}.sample`, n);
      return pointsTensor(`${fn}.sample`, rng.normals(n * dim, 'float32') as Float32Array, n, dim);
    },
  };
}
