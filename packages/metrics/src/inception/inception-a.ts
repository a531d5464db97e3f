import * as tf from '@tensorflow/tfjs-core';
import { avgPool2d } from '../layers/pool2d';
import { convSpec, specLookup, type BasicConv2d, type ConvBuilder, type ConvSpec } from './basic-conv2d';

/** torchvision InceptionA's convs, in its registration (state-dict) order. */
export function inceptionASpecs(prefix: string, inChannels: number, poolFeatures: number): ConvSpec[] {
  return [
    convSpec(`${prefix}.branch1x1`, inChannels, 64, 1),
    convSpec(`${prefix}.branch5x5_1`, inChannels, 48, 1),
    convSpec(`${prefix}.branch5x5_2`, 48, 64, 5, { padding: 2 }),
    convSpec(`${prefix}.branch3x3dbl_1`, inChannels, 64, 1),
    convSpec(`${prefix}.branch3x3dbl_2`, 64, 96, 3, { padding: 1 }),
    convSpec(`${prefix}.branch3x3dbl_3`, 96, 96, 3, { padding: 1 }),
    convSpec(`${prefix}.branch_pool`, inChannels, poolFeatures, 1),
  ];
}

/**
 * pytorch-fid's FIDInceptionA (Mixed_5b/5c/5d): torchvision's InceptionA with its pool branch averaging 3×3 windows
 * over the cells inside the image only (count_include_pad=False, as TensorFlow's Inception does).
 * Output channels: 64 + 64 + 96 + poolFeatures.
 */
export class InceptionA {
  private readonly heads: BasicConv2d;
  private readonly chain: BasicConv2d[];
  private readonly pool: BasicConv2d;

  constructor(prefix: string, inChannels: number, poolFeatures: number, build: ConvBuilder) {
    const s = specLookup(prefix, inceptionASpecs(prefix, inChannels, poolFeatures));
    // The three 1×1 convs that read the block input run as one wider conv.
    this.heads = build([s('branch1x1'), s('branch5x5_1'), s('branch3x3dbl_1')]);
    this.chain = [build([s('branch5x5_2')]), build([s('branch3x3dbl_2')]), build([s('branch3x3dbl_3')])];
    this.pool = build([s('branch_pool')]);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b1, b5, b3] = this.heads.applySplit(x);
      const [c5, c3a, c3b] = this.chain;
      const pooled = avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false });
      return tf.concat([b1, c5.apply(b5), c3b.apply(c3a.apply(b3)), this.pool.apply(pooled)], 3);
    });
  }

  dispose(): void {
    for (const conv of [this.heads, ...this.chain, this.pool]) conv.dispose();
  }
}
