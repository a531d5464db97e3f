import * as tf from '@tensorflow/tfjs-core';
import type { Module, StateDict } from '../types';

/** Settings of a {@link WeightAverage}. */
export interface WeightAverageOptions {
  /** How much of the average each update keeps, in [0, 1). Default 0.999. */
  decay?: number;
  /**
   * Warm-up: update t (1-based) keeps min(decay, (1 + t)/(warmup + t)), so that the first updates follow the young
   * network instead of its initialisation. Default 10.
   */
  warmup?: number;
}

/**
 * An exponential moving average of a module's floating-point state (weights, and buffers such as batch-norm
 * statistics): after update t, avg ← d_t·avg + (1 − d_t)·current. Adversarial training wanders around the saddle
 * point; the average sits nearer its centre, so samples, evaluation and export use it. Its tensors are its own copies.
 */
export class WeightAverage {
  /** The decay the average approaches after warm-up. */
  readonly decay: number;
  /** The warm-up length (see {@link WeightAverageOptions.warmup}). */
  readonly warmup: number;
  private readonly module: Module;
  private readonly average: Record<string, tf.Variable>;
  private t = 0;

  constructor(module: Module, { decay = 0.999, warmup = 10 }: WeightAverageOptions = {}) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`WeightAverage: decay must lie in [0, 1), got ${decay}`);
    if (!(warmup >= 0)) throw new Error(`WeightAverage: warmup must be >= 0, got ${warmup}`);
    this.decay = decay;
    this.warmup = warmup;
    this.module = module;
    this.average = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(module.stateDict())
          .filter(([, value]) => value.dtype === 'float32')
          .map(([key, value]) => [key, tf.variable(value, false)]),
      ),
    );
  }

  /** Updates applied so far. */
  get steps(): number {
    return this.t;
  }

  /** The decay update `t` (1-based) applies. */
  decayAt(t: number): number {
    return Math.min(this.decay, (1 + t) / (this.warmup + t));
  }

  /** Moves the average towards the module's current state. */
  update(): void {
    this.t += 1;
    const d = this.decayAt(this.t);
    const current = this.module.stateDict();
    tf.tidy(() => {
      for (const [key, average] of Object.entries(this.average)) average.assign(tf.add(tf.mul(average, d), tf.mul(current[key], 1 - d)));
    });
  }

  /** The averaged state, keyed as the module's own state dict (its non-float entries left out). Not copies. */
  stateDict(): StateDict {
    return { ...this.average };
  }

  /** Restores an average saved by {@link stateDict} and its update count. */
  loadStateDict(state: StateDict, steps: number): void {
    const missing = Object.keys(this.average).filter((key) => !state[key]);
    if (missing.length > 0) throw new Error(`WeightAverage.loadStateDict: missing ${missing.map((k) => `"${k}"`).join(', ')}`);
    for (const [key, average] of Object.entries(this.average)) {
      if (state[key].shape.join() !== average.shape.join()) {
        throw new Error(`WeightAverage.loadStateDict: "${key}" has shape [${state[key].shape}], expected [${average.shape}]`);
      }
      average.assign(state[key]);
    }
    this.t = steps;
  }

  /** Starts the average afresh from the module's current state (after its weights were loaded from elsewhere). */
  restart(): void {
    const current = this.module.stateDict();
    tf.tidy(() => {
      for (const [key, average] of Object.entries(this.average)) average.assign(current[key]);
    });
    this.t = 0;
  }

  /** Puts the averaged state into the module for good (at the end of training, to keep the averaged network). */
  loadIntoModule(): void {
    this.module.loadStateDict({ ...this.module.stateDict(), ...this.average });
  }

  /**
   * Runs `f` with the module holding the averaged state, then puts its own state back (also when `f` throws): for
   * sampling, evaluating or exporting the averaged network.
   */
  async applied<T>(f: () => T | Promise<T>): Promise<T> {
    const own = this.module.stateDict();
    const kept = tf.tidy(() => Object.fromEntries(Object.keys(this.average).map((key) => [key, tf.clone(own[key])])));
    this.module.loadStateDict({ ...own, ...this.average });
    try {
      return await f();
    } finally {
      this.module.loadStateDict({ ...own, ...kept });
      tf.dispose(Object.values(kept));
    }
  }

  /** Frees the averaged tensors. */
  dispose(): void {
    tf.dispose(Object.values(this.average));
  }
}
