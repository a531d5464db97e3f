// Small modules for solver tests: an affine map and a quadratic potential can represent the exact OT solution
// between Gaussians, so a correct solver must converge to the closed-form map.
import * as tf from '@tensorflow/tfjs-core';
import type { Potential, Sampler, StateDict, TransportMap } from '../types';
import { Rng } from '../rng';

/** A test module that owns its variables. */
export interface OwnedModule {
  /** Frees the parameters. */
  dispose(): void;
}

/** T(x) = xW + b (+ zN when noiseDim > 0) on [B, dim] points; starts as the identity, with the noise weights N at 0. */
export function affineMap(dim: number, noiseDim = 0): TransportMap & OwnedModule {
  // Under tidy, so that the initial values do not outlive the variables.
  const params: Record<string, tf.Variable> = tf.tidy(() => ({
    weight: tf.variable(tf.eye(dim)),
    bias: tf.variable(tf.zeros([dim])),
    ...(noiseDim ? { noise: tf.variable(tf.zeros([noiseDim, dim])) } : {}),
  }));
  return {
    get variables() {
      return Object.values(params);
    },
    noiseShape: (n) => (noiseDim ? [n, noiseDim] : null),
    apply: (x, z) =>
      tf.tidy(() => {
        const y = tf.add(tf.matMul(x as tf.Tensor2D, params.weight as tf.Tensor2D), params.bias);
        return noiseDim ? tf.add(y, tf.matMul(z as tf.Tensor2D, params.noise as tf.Tensor2D)) : y;
      }),
    stateDict: (): StateDict => ({ ...params }),
    loadStateDict: (s) => Object.entries(params).forEach(([k, v]) => v.assign(s[k])),
    dispose: () => Object.values(params).forEach((v) => v.dispose()),
  };
}

/** f(y) = yᵀAy + bᵀy (+ s·log σ when noise-conditioned) on [B, dim] points; all parameters start at 0. */
export function quadraticPotential(dim: number, noiseConditioned = false): Potential & OwnedModule {
  const params: Record<string, tf.Variable> = tf.tidy(() => ({
    quadratic: tf.variable(tf.zeros([dim, dim])),
    linear: tf.variable(tf.zeros([dim])),
    ...(noiseConditioned ? { sigma: tf.variable(tf.zeros([1])) } : {}),
  }));
  return {
    noiseConditioned,
    get variables() {
      return Object.values(params);
    },
    apply: (y, options) =>
      tf.tidy(() => {
        const q = tf.sum(tf.mul(tf.matMul(y as tf.Tensor2D, params.quadratic as tf.Tensor2D), y), 1);
        const out = tf.add(q, tf.sum(tf.mul(y, params.linear), 1));
        return noiseConditioned && options?.sigma ? tf.add(out, tf.mul(tf.log(options.sigma), params.sigma)) : out;
      }),
    stateDict: (): StateDict => ({ ...params }),
    loadStateDict: (s) => Object.entries(params).forEach(([k, v]) => v.assign(s[k])),
    dispose: () => Object.values(params).forEach((v) => v.dispose()),
  };
}

/** N(mean, diag(std²)) sampler drawn in JS from a seeded Rng. */
export function diagonalGaussian(mean: number[], std: number[], { seed }: { seed: number }): Sampler {
  const rng = new Rng(seed);
  const dim = mean.length;
  return {
    shape: [dim],
    sample(n: number) {
      const data = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = mean[j] + std[j] * rng.normal();
      return tf.tensor2d(data, [n, dim]);
    },
  };
}
