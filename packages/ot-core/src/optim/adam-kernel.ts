/**
 * The kernel a backend may register to run one variable's whole Adam update at once (@not/backends does on wasm):
 * inputs `param`, `grad`, `m`, `v` (float32, one shape), attributes below, outputs the new param, m and v. Without it
 * Adam runs about fourteen tfjs ops per variable, each a kernel call and an image-sized allocation.
 */
export const ADAM_UPDATE_KERNEL = 'NotAdamUpdate';

/** PyTorch's Adam with coupled weight decay: g += wd·p; m, v ← moving averages; p −= lr·(m/c1)/(√(v/c2) + eps). */
export interface AdamUpdateAttrs {
  /** Learning rate of this step, schedule and learning-rate scale already applied. */
  lr: number;
  /** Decay rate of the first-moment average m. */
  beta1: number;
  /** Decay rate of the second-moment average v. */
  beta2: number;
  /** Added to √(v/c2) in the denominator, keeping it away from zero. */
  eps: number;
  /** Coefficient wd of the L2 term added to the gradient; 0 turns it off. */
  weightDecay: number;
  /** 1 − β1^t and 1 − β2^t at this step. */
  biasCorrection1: number;
  /** c2 = 1 − β2^t, the second-moment bias correction (see biasCorrection1). */
  biasCorrection2: number;
}
