import * as tf from '@tensorflow/tfjs-core';
import type { TransportMap } from './types';

/**
 * T(x) in inference mode: a stochastic map gets one noise draw per x, N(0, noiseStd²) from `seed`, so the same seed
 * gives the same images. The caller owns the result.
 */
export function pushForward(map: TransportMap, x: tf.Tensor, { noiseStd, seed }: { noiseStd: number; seed: number }): tf.Tensor {
  const shape = map.noiseShape(x.shape[0]);
  return tf.tidy(() => map.apply(x, shape ? tf.randomNormal(shape, 0, noiseStd, 'float32', seed) : undefined, { training: false }));
}
