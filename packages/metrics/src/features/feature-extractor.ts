import type * as tf from '@tensorflow/tfjs-core';

/**
 * A network that turns images into feature vectors for distribution metrics (FID's Inception pool features, the
 * Fashion-MNIST classifier's penultimate layer, …).
 */
export interface FeatureExtractor {
  /** Short name for reports and cache files, e.g. 'inception-pool3' or 'fashion-classifier'. */
  readonly name: string;
  /** Length of one feature vector. */
  readonly dim: number;
  /**
   * Features of a batch of images: NHWC float32 in [-1, 1] (the range the transport maps work in), 1 or 3 channels,
   * any size the extractor accepts (it resizes as its reference does). Returns [n, dim] float32 that the caller owns;
   * `images` is not disposed.
   */
  features(images: tf.Tensor4D): tf.Tensor2D;
  /** Frees the weights. */
  dispose(): void;
}
