import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from './rng';
import type { TransportMap } from './types';

/** A stochastic map's noise draw: its standard deviation and the seed it is drawn from. */
export interface NoiseDraw {
  /** Standard deviation of the Gaussian noise z. */
  std: number;
  /** Seed of the draw (the same seed gives the same noise). */
  seed: number;
}

/** Noise for n inputs of a stochastic map, N(0, std²) from `seed`; undefined for a deterministic map. */
export function mapNoise(map: TransportMap, n: number, { std, seed }: NoiseDraw): tf.Tensor | undefined {
  const shape = map.noiseShape(n);
  return shape ? tf.randomNormal(shape, 0, std, 'float32', tfSeed(seed)) : undefined;
}

/**
 * T(x) in inference mode: a stochastic map gets one noise draw per x, N(0, std²) from `seed`, so the same seed
 * gives the same images. The caller owns the result.
 */
export function pushForward(map: TransportMap, x: tf.Tensor, noise: NoiseDraw): tf.Tensor {
  return tf.tidy(() => map.apply(x, mapNoise(map, x.shape[0], noise), { training: false }));
}
