import * as tf from '@tensorflow/tfjs-core';
import { cosineCost, euclideanCost, momentMatching, relaxedEmd, selfSimilarity, type Moments } from '@not/ot-core';
import type { Vgg16Layer } from '@not/metrics';

/** The VGG16 layers whose hypercolumns STROTSS compares (Kolkin et al. 2019). */
export const STROTSS_LAYERS: readonly Vgg16Layer[] = ['relu1_1', 'relu1_2', 'relu2_1', 'relu2_2', 'relu3_1', 'relu3_2', 'relu3_3', 'relu4_3', 'relu5_3'];

/** An image seen at sampled positions: hypercolumns [N, C] and colours [N, 3] there. */
export interface ImagePoints {
  /** Hypercolumns [N, C]: the features of the STROTSS layers, one row per position. */
  columns: tf.Tensor2D;
  /** RGB colours [N, 3] in [-1, 1] at the same positions. */
  pixels: tf.Tensor2D;
}

/** The style's points, with the moments of its columns when computed once for many steps. */
export interface StylePoints extends ImagePoints {
  /** Mean and covariance of `columns`, computed once; without it they are recomputed at every call. */
  moments?: Moments;
}

/** The four terms of the STROTSS objective and their weighted total. Scalars the caller owns. */
export interface StrotssLosses {
  /** l_c: self-similarity of pastiche and content features, ×N so that its size does not depend on how many positions are sampled. */
  content: tf.Scalar;
  /** l_m: moment matching of pastiche and style features. */
  moments: tf.Scalar;
  /** l_r: relaxed EMD between pastiche and style features, cosine distance. */
  remd: tf.Scalar;
  /** l_p: relaxed EMD between pastiche and style colours, Euclidean distance. */
  palette: tf.Scalar;
  /** (α·l_c + l_m + l_r + α⁻¹·l_p) / (2 + α + α⁻¹). */
  total: tf.Scalar;
}

/**
 * The STROTSS objective for a pastiche against a content image (hypercolumns at the same N positions as the
 * pastiche's) and a style image (at positions of its own), with content weight `alpha` > 0: larger keeps more of
 * the content's layout, smaller lets more of the style in.
 */
export function strotssLosses(pastiche: ImagePoints, content: tf.Tensor2D, style: StylePoints, alpha: number): StrotssLosses {
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new Error(`strotssLosses: alpha must be a finite number > 0, got ${alpha}`);
  if (content.shape.join() !== pastiche.columns.shape.join()) {
    throw new Error(`strotssLosses: content hypercolumns must match the pastiche's [${pastiche.columns.shape}] (same positions), got [${content.shape}]`);
  }
  const cosine = cosineCost();
  return tf.tidy(() => {
    const terms = {
      content: tf.mul(selfSimilarity(content, pastiche.columns, cosine), pastiche.columns.shape[0]) as tf.Scalar,
      moments: momentMatching(pastiche.columns, style.moments ?? style.columns),
      remd: relaxedEmd(pastiche.columns, style.columns, cosine),
      palette: relaxedEmd(pastiche.pixels, style.pixels, euclideanCost()),
    };
    const weighted = tf.addN([tf.mul(terms.content, alpha), terms.moments, terms.remd, tf.div(terms.palette, alpha)]);
    return { ...terms, total: tf.div(weighted, 2 + alpha + 1 / alpha) as tf.Scalar };
  });
}
