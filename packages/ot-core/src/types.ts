import type * as tf from '@tensorflow/tfjs-core';

/** Named tensors, keyed like a PyTorch state dict (e.g. `net.0.weight`). */
export type StateDict = Record<string, tf.Tensor>;

/** Something with weights: a transport map, a potential, or a part of one. */
export interface Module {
  /** Trainable variables; an optimizer updates exactly these. Empty for a frozen module. */
  readonly variables: tf.Variable[];
  /** Every persistent tensor (weights and buffers such as batch-norm running statistics), by name. Not copies. */
  stateDict(): StateDict;
  /** Assigns values by name; throws naming the first missing or mis-shaped entry. */
  loadStateDict(state: StateDict): void;
  /** Frees the module's tensors (its weights and buffers); it is unusable afterwards. */
  dispose(): void;
}

/** Per-call options for networks. `training` selects batch statistics (true) or running statistics (false). */
export interface ApplyOptions {
  /** True while training (batch statistics); false or absent for inference (running statistics). */
  training?: boolean;
}

/** Draws seeded batches. `sample(n)` returns a tensor of shape [n, ...shape] that the caller owns and disposes. */
export interface Sampler {
  /** Shape of one sample: [D] for points, [H, W, C] for images (NHWC, values in [-1, 1]). */
  readonly shape: readonly number[];
  /** A fresh batch of n samples, [n, ...shape], owned by the caller. */
  sample(n: number): tf.Tensor;
}

/**
 * A map T from the source space to the target space. A stochastic map also takes noise z
 * (shape given by `noiseShape`); a deterministic one has `noiseShape(n) === null`.
 */
export interface TransportMap extends Module {
  /** Shape of the noise batch for n inputs, or null for a deterministic map. */
  noiseShape(n: number): number[] | null;
  /** Maps a batch `x` (and noise `z` for a stochastic map) to a batch of the same shape as x. */
  apply(x: tf.Tensor, z?: tf.Tensor, options?: ApplyOptions): tf.Tensor;
}

/** Options for a potential; `sigma` ([B], > 0) is the noise level of a noise-conditioned potential. */
export interface PotentialOptions extends ApplyOptions {
  /** Noise level of each sample, [B] and > 0; read only by a noise-conditioned potential. */
  sigma?: tf.Tensor;
}

/** A potential f: maps a batch to scores of shape [B]. */
export interface Potential extends Module {
  /** Scores a batch y [B, ...]: f(y), shape [B]. */
  apply(y: tf.Tensor, options?: PotentialOptions): tf.Tensor;
  /** True when the potential takes a noise level `sigma` (the noised-potential variant of the solver). */
  readonly noiseConditioned?: boolean;
}

/** A value that may change with the training step, e.g. a γ ramp. */
export type Schedule = (step: number) => number;

/** Context a cost may read, e.g. the outer step for a scheduled γ. */
export interface CostContext {
  /** The solver's outer step count: steps done before the current one (0-based). */
  step: number;
}

/**
 * A transport cost between x ([B, ...]) and K outputs per x (ys: [B, K, ...]).
 * `evaluate` returns the per-x cost, shape [B]. Costs are immutable values.
 */
export interface TransportCost {
  /** A short name, e.g. `quadratic`, for error messages and logs. */
  readonly name: string;
  /** The least K the estimator needs (1 for the strong quadratic cost, 2 for the weak one). */
  readonly minSamples: number;
  /** The cost of each x [B, ...] to its K outputs ys [B, K, ...], shape [B]. */
  evaluate(x: tf.Tensor, ys: tf.Tensor, context?: CostContext): tf.Tensor;
  /**
   * The cost between every pair of points, c(a_i, b_j) for a [N, D] and b [M, D], shape [N, M]. Present on point
   * costs (quadratic, cosine, Euclidean and their sums and scalings); set losses such as relaxedEmd need it.
   */
  pairwise?(a: tf.Tensor2D, b: tf.Tensor2D, context?: CostContext): tf.Tensor2D;
}
