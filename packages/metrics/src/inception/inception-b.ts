import * as tf from '@tensorflow/tfjs-core';
import { maxPool2d } from '../layers/pool2d';
import { convSpec, specLookup, type BasicConv2d, type ConvBuilder, type ConvSpec } from './basic-conv2d';

/** torchvision InceptionB's convs, in its registration (state-dict) order. */
export function inceptionBSpecs(prefix: string, inChannels: number): ConvSpec[] {
  return [
    convSpec(`${prefix}.branch3x3`, inChannels, 384, 3, { stride: 2 }),
    convSpec(`${prefix}.branch3x3dbl_1`, inChannels, 64, 1),
    convSpec(`${prefix}.branch3x3dbl_2`, 64, 96, 3, { padding: 1 }),
    convSpec(`${prefix}.branch3x3dbl_3`, 96, 96, 3, { stride: 2 }),
  ];
}

/**
 * torchvision's InceptionB (Mixed_6a, unchanged in the FID Inception): a grid reduction, 35×35 → 17×17.
 * Output channels: 384 + 96 + inChannels.
 */
export class InceptionB {
  private readonly convs: BasicConv2d[];

  constructor(prefix: string, inChannels: number, build: ConvBuilder) {
    const s = specLookup(prefix, inceptionBSpecs(prefix, inChannels));
    this.convs = ['branch3x3', 'branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'].map((name) => build([s(name)]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b3, d1, d2, d3] = this.convs;
      return tf.concat([b3.apply(x), d3.apply(d2.apply(d1.apply(x))), maxPool2d(x, { kernelSize: 3, stride: 2 })], 3);
    });
  }

  dispose(): void {
    for (const conv of this.convs) conv.dispose();
  }
}
