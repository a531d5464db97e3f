import type * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '@not/ot-core';

/** A batch of points with the index of the mixture component (or moon) each came from. */
export interface LabelledBatch {
  /** [n, d] float32. */
  points: tf.Tensor2D;
  /** [n] int32, values in [0, numLabels). */
  labels: tf.Tensor1D;
}

/**
 * A sampler of a mixture whose components can be told apart, e.g. for colouring a plot or checking mode coverage.
 * `sample(n)` and `sampleLabelled(n)` draw from the same stream; the caller owns (and disposes) every returned tensor.
 */
export interface LabelledSampler extends Sampler {
  /** Number of distinguishable components; labels run over 0..numLabels−1. */
  readonly numLabels: number;
  /** n points [n, d] float32 with the label [n] int32 of the component each came from. */
  sampleLabelled(n: number): LabelledBatch;
}
