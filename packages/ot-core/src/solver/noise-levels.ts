import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '../rng';

/** Settings of the noised-potential variant: σ ~ exp(N(pMean, pStd²)), EDM weight with σ_data. */
export interface NoisedPotentialOptions {
  /** Mean of ln σ. Default 0. */
  pMean?: number;
  /** Standard deviation of ln σ. Default 1. */
  pStd?: number;
  /** σ_data of the EDM weight λ(σ) = (σ² + σ_data²) / (σ·σ_data)². Default 0.5. */
  sigmaData?: number;
}

/** One noise level per sample, σ = exp(pMean + pStd·ε) with ε drawn from `seed`, shape [n]. */
export function sampleSigmas(n: number, { pMean = 0, pStd = 1, seed }: NoisedPotentialOptions & { seed: number }): tf.Tensor1D {
  return tf.tidy(() => tf.exp(tf.randomNormal([n], pMean, pStd, 'float32', tfSeed(seed))));
}

/** The EDM loss weight per sample, λ(σ) = (σ² + σ_data²) / (σ·σ_data)², shape [n]. */
export function edmWeight(sigma: tf.Tensor1D, { sigmaData = 0.5 }: NoisedPotentialOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const s2 = tf.square(sigma);
    return tf.div(tf.add(s2, sigmaData * sigmaData), tf.mul(s2, sigmaData * sigmaData));
  });
}

/** y + σ·ε with σ broadcast over every axis but the batch. */
export function addNoise(y: tf.Tensor, sigma: tf.Tensor1D, epsilon: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = [sigma.shape[0], ...y.shape.slice(1).map(() => 1)];
    return tf.add(y, tf.mul(tf.reshape(sigma, shape), epsilon));
  });
}
