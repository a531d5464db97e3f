import * as tf from '@tensorflow/tfjs-core';
import { Adam, mapNoise, type Sampler, type TransportMap } from '@not/ot-core';

/** Options of {@link fitIdentity}. */
export interface FitIdentityOptions {
  /** Adam steps, one batch each (default 100). */
  steps?: number;
  /** Draws of `source` per step (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** A stochastic map's noise. */
  noise?: {
    /** Its standard deviation (default 0.1, the reference's Z_STD). */
    std?: number;
  };
  /** Seed of a stochastic map's noise (default 0); step i draws with seed + i. */
  seed?: number;
}

/**
 * Trains `map` towards the identity on draws of `source` (Adam on the mean squared error ‖T(x) − x‖²), as the seed
 * algorithm starts T: a new stage then begins where the stack already stands and only has to correct it. Resolves to
 * the final mean squared error per element, the one value it reads from the device.
 */
export async function fitIdentity(map: TransportMap, source: Sampler, options: FitIdentityOptions = {}): Promise<number> {
  const { steps = 100, batchSize = 64, lr = 1e-3, seed = 0 } = options;
  const noiseStd = options.noise?.std ?? 0.1;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`fitIdentity: steps must be a positive integer, got ${steps}`);
  const optimizer = new Adam(map.variables, { lr });
  let loss: tf.Tensor | null = null;
  try {
    for (let step = 0; step < steps; step++) {
      const x = source.sample(batchSize);
      loss?.dispose();
      loss = tf.tidy(() => {
        const z = mapNoise(map, batchSize, { std: noiseStd, seed: seed + step });
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(map.apply(x, z, { training: true }), x)), map.variables);
        optimizer.apply(grads);
        return value;
      });
      x.dispose();
    }
    return (await loss!.data())[0];
  } finally {
    loss?.dispose();
    optimizer.dispose();
  }
}
