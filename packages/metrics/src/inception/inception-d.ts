import * as tf from '@tensorflow/tfjs-core';
import { maxPool2d } from '../layers/pool2d';
import { convSpec, specLookup, type BasicConv2d, type ConvBuilder, type ConvSpec } from './basic-conv2d';

/** torchvision InceptionD's convs, in its registration (state-dict) order. */
export function inceptionDSpecs(prefix: string, inChannels: number): ConvSpec[] {
  return [
    convSpec(`${prefix}.branch3x3_1`, inChannels, 192, 1),
    convSpec(`${prefix}.branch3x3_2`, 192, 320, 3, { stride: 2 }),
    convSpec(`${prefix}.branch7x7x3_1`, inChannels, 192, 1),
    convSpec(`${prefix}.branch7x7x3_2`, 192, 192, [1, 7], { padding: [0, 3] }),
    convSpec(`${prefix}.branch7x7x3_3`, 192, 192, [7, 1], { padding: [3, 0] }),
    convSpec(`${prefix}.branch7x7x3_4`, 192, 192, 3, { stride: 2 }),
  ];
}

/**
 * torchvision's InceptionD (Mixed_7a, unchanged in the FID Inception): a grid reduction, 17×17 → 8×8.
 * Output channels: 320 + 192 + inChannels.
 */
export class InceptionD {
  private readonly heads: BasicConv2d;
  private readonly reduce3x3: BasicConv2d;
  private readonly chain: BasicConv2d[];

  constructor(prefix: string, inChannels: number, build: ConvBuilder) {
    const s = specLookup(prefix, inceptionDSpecs(prefix, inChannels));
    this.heads = build([s('branch3x3_1'), s('branch7x7x3_1')]);
    this.reduce3x3 = build([s('branch3x3_2')]);
    this.chain = ['branch7x7x3_2', 'branch7x7x3_3', 'branch7x7x3_4'].map((name) => build([s(name)]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b3, b7] = this.heads.applySplit(x);
      const seven = this.chain.reduce((y, conv) => conv.apply(y), b7);
      return tf.concat([this.reduce3x3.apply(b3), seven, maxPool2d(x, { kernelSize: 3, stride: 2 })], 3);
    });
  }

  dispose(): void {
    for (const conv of [this.heads, this.reduce3x3, ...this.chain]) conv.dispose();
  }
}
