import * as tf from '@tensorflow/tfjs-core';
import { avgPool2d } from '../layers/pool2d';
import { convSpec, specLookup, type BasicConv2d, type ConvBuilder, type ConvSpec } from './basic-conv2d';

/** torchvision InceptionC's convs, in its registration (state-dict) order. */
export function inceptionCSpecs(prefix: string, inChannels: number, channels7x7: number): ConvSpec[] {
  const c7 = channels7x7;
  const row = { padding: [0, 3] as [number, number] };
  const col = { padding: [3, 0] as [number, number] };
  return [
    convSpec(`${prefix}.branch1x1`, inChannels, 192, 1),
    convSpec(`${prefix}.branch7x7_1`, inChannels, c7, 1),
    convSpec(`${prefix}.branch7x7_2`, c7, c7, [1, 7], row),
    convSpec(`${prefix}.branch7x7_3`, c7, 192, [7, 1], col),
    convSpec(`${prefix}.branch7x7dbl_1`, inChannels, c7, 1),
    convSpec(`${prefix}.branch7x7dbl_2`, c7, c7, [7, 1], col),
    convSpec(`${prefix}.branch7x7dbl_3`, c7, c7, [1, 7], row),
    convSpec(`${prefix}.branch7x7dbl_4`, c7, c7, [7, 1], col),
    convSpec(`${prefix}.branch7x7dbl_5`, c7, 192, [1, 7], row),
    convSpec(`${prefix}.branch_pool`, inChannels, 192, 1),
  ];
}

/**
 * pytorch-fid's FIDInceptionC (Mixed_6b–6e): torchvision's InceptionC with the pool branch's average excluding
 * padding (count_include_pad=False). Output channels: 4 × 192 = 768.
 */
export class InceptionC {
  private readonly heads: BasicConv2d;
  private readonly single: BasicConv2d[];
  private readonly double: BasicConv2d[];
  private readonly pool: BasicConv2d;

  constructor(prefix: string, inChannels: number, channels7x7: number, build: ConvBuilder) {
    const s = specLookup(prefix, inceptionCSpecs(prefix, inChannels, channels7x7));
    this.heads = build([s('branch1x1'), s('branch7x7_1'), s('branch7x7dbl_1')]);
    this.single = ['branch7x7_2', 'branch7x7_3'].map((name) => build([s(name)]));
    this.double = ['branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5'].map((name) => build([s(name)]));
    this.pool = build([s('branch_pool')]);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b1, b7, b77] = this.heads.applySplit(x);
      const seven = this.single.reduce((y, conv) => conv.apply(y), b7);
      const doubled = this.double.reduce((y, conv) => conv.apply(y), b77);
      const pooled = avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false });
      return tf.concat([b1, seven, doubled, this.pool.apply(pooled)], 3);
    });
  }

  dispose(): void {
    for (const conv of [this.heads, ...this.single, ...this.double, this.pool]) conv.dispose();
  }
}
