import * as tf from '@tensorflow/tfjs-core';
import { argumentError, checkFinite } from '../checks';
import { type Scheduled, valueAt } from '../schedule';
import type { StateDict } from '../types';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adam-kernel';

/** Hyper-parameters of {@link Adam}, named as in PyTorch's torch.optim.Adam; all optional. */
export interface AdamOptions {
  /** Learning rate, or a Schedule of the optimizer's own step count. Default 1e-4 (the NOT reference). */
  lr?: Scheduled;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient, as PyTorch's Adam(weight_decay) does. Default 0. */
  weightDecay?: number;
}

/**
 * Adam with PyTorch's semantics (bias-corrected moments, eps outside the square root, coupled weight decay),
 * so hyper-parameters carry over from the reference code. Its state (moments, step) can be saved and restored.
 */
export class Adam {
  /** Learning rate, or its schedule over this optimizer's step count; learningRateScale multiplies it. */
  readonly lr: Scheduled;
  /** Decay rates [β1, β2] of the first- and second-moment averages. */
  readonly betas: [number, number];
  /** Added to the bias-corrected √v in the denominator (outside the root, as PyTorch does). */
  readonly eps: number;
  /** L2 coefficient added to the gradient (coupled, unlike AdamW's decoupled decay). */
  readonly weightDecay: number;
  /** Multiplies the learning rate (schedule included); a divergence guard lowers it after a rollback. */
  learningRateScale = 1;
  private readonly variables: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(variables: tf.Variable[], { lr = 1e-4, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {}) {
    if (typeof lr === 'number' && !(lr > 0)) throw argumentError('Adam', 'lr', '> 0', lr);
    if (!betas.every((b) => b >= 0 && b < 1)) throw new Error(`Adam: betas must lie in [0, 1), got [${betas}]`);
    checkFinite('Adam', 'weightDecay', weightDecay, { min: 0 });
    this.lr = lr;
    this.betas = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.variables = variables;
    this.m = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.t;
  }

  /** Applies one update from gradients keyed by variable name (as tf.variableGrads returns them). */
  apply(grads: tf.NamedTensorMap): void {
    this.t += 1;
    const [b1, b2] = this.betas;
    const lr = valueAt(this.lr, this.t - 1) * this.learningRateScale;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const attrs: AdamUpdateAttrs = { lr, beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, biasCorrection1: c1, biasCorrection2: c2 };
    const fused = tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      this.variables.forEach((param, i) => {
        const g = grads[param.name];
        if (!g) return;
        const [p, m, v] = fused
          ? (tf.engine().runKernel(ADAM_UPDATE_KERNEL, { param, grad: g, m: this.m[i], v: this.v[i] }, { ...attrs }) as tf.Tensor[])
          : adamUpdate(param, g, this.m[i], this.v[i], attrs);
        param.assign(p);
        this.m[i].assign(m);
        this.v[i].assign(v);
      });
    });
  }

  /** Moments and step count, keyed `m.<i>`, `v.<i>`, `step` (for checkpoints). */
  stateDict(): StateDict {
    const state: StateDict = {};
    this.m.forEach((m, i) => (state[`m.${i}`] = m));
    this.v.forEach((v, i) => (state[`v.${i}`] = v));
    return state;
  }

  /** Restores moments saved by stateDict and the step count. */
  loadStateDict(state: StateDict, steps: number): void {
    const take = (key: string, target: tf.Variable) => {
      const value = state[key];
      if (!value) throw new Error(`Adam.loadStateDict: missing "${key}"`);
      if (value.shape.join() !== target.shape.join()) {
        throw new Error(`Adam.loadStateDict: "${key}" has shape [${value.shape}], expected [${target.shape}]`);
      }
      target.assign(value);
    };
    this.m.forEach((m, i) => take(`m.${i}`, m));
    this.v.forEach((v, i) => take(`v.${i}`, v));
    this.t = steps;
  }

  /** Frees the moment tensors; the variables being optimized belong to the caller. */
  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

/** The update in tfjs ops, for backends without the fused kernel: the new param, m and v. */
function adamUpdate(param: tf.Tensor, grad: tf.Tensor, m0: tf.Tensor, v0: tf.Tensor, a: AdamUpdateAttrs): tf.Tensor[] {
  const g = a.weightDecay ? tf.add(grad, tf.mul(param, a.weightDecay)) : grad;
  const m = tf.add(tf.mul(m0, a.beta1), tf.mul(g, 1 - a.beta1));
  const v = tf.add(tf.mul(v0, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(a.biasCorrection2)), a.eps);
  return [tf.sub(param, tf.mul(tf.div(m, denom), a.lr / a.biasCorrection1)), m, v];
}
