/**
 * The kernel a backend may register to run one variable's whole Adam update at once (@not/backends does on wasm):
 * inputs `param`, `grad`, `m`, `v` (float32, one shape), attributes below, outputs the new param, m and v. Without it
 * Adam runs about fourteen tfjs ops per variable, each a kernel call and an image-sized allocation.
 */
export const ADAM_UPDATE_KERNEL = 'NotAdamUpdate';

/** PyTorch's Adam with coupled weight decay: g += wd·p; m, v ← moving averages; p −= lr·(m/c1)/(√(v/c2) + eps). */
export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 − β1^t and 1 − β2^t at this step. */
  biasCorrection1: number;
  biasCorrection2: number;
}
