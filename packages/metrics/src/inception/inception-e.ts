import * as tf from '@tensorflow/tfjs-core';
import { avgPool2d, maxPool2d } from '../layers/pool2d';
import { convSpec, specLookup, type BasicConv2d, type ConvBuilder, type ConvSpec } from './basic-conv2d';

/** torchvision InceptionE's convs, in its registration (state-dict) order. */
export function inceptionESpecs(prefix: string, inChannels: number): ConvSpec[] {
  const row = { padding: [0, 1] as [number, number] };
  const col = { padding: [1, 0] as [number, number] };
  return [
    convSpec(`${prefix}.branch1x1`, inChannels, 320, 1),
    convSpec(`${prefix}.branch3x3_1`, inChannels, 384, 1),
    convSpec(`${prefix}.branch3x3_2a`, 384, 384, [1, 3], row),
    convSpec(`${prefix}.branch3x3_2b`, 384, 384, [3, 1], col),
    convSpec(`${prefix}.branch3x3dbl_1`, inChannels, 448, 1),
    convSpec(`${prefix}.branch3x3dbl_2`, 448, 384, 3, { padding: 1 }),
    convSpec(`${prefix}.branch3x3dbl_3a`, 384, 384, [1, 3], row),
    convSpec(`${prefix}.branch3x3dbl_3b`, 384, 384, [3, 1], col),
    convSpec(`${prefix}.branch_pool`, inChannels, 192, 1),
  ];
}

/**
 * pytorch-fid's FIDInceptionE_1 (Mixed_7b, pool 'avg': a 3×3 average excluding padding) and FIDInceptionE_2
 * (Mixed_7c, pool 'max': a 3×3 max pool, stride 1, padding 1, which the TensorFlow FID graph has there).
 * Output channels: 320 + 768 + 768 + 192 = 2048.
 */
export class InceptionE {
  private readonly heads: BasicConv2d;
  private readonly split3x3: [BasicConv2d, BasicConv2d];
  private readonly dbl2: BasicConv2d;
  private readonly splitDbl: [BasicConv2d, BasicConv2d];
  private readonly pool: BasicConv2d;

  constructor(prefix: string, inChannels: number, readonly poolKind: 'avg' | 'max', build: ConvBuilder) {
    const s = specLookup(prefix, inceptionESpecs(prefix, inChannels));
    this.heads = build([s('branch1x1'), s('branch3x3_1'), s('branch3x3dbl_1')]);
    this.split3x3 = [build([s('branch3x3_2a')]), build([s('branch3x3_2b')])];
    this.dbl2 = build([s('branch3x3dbl_2')]);
    this.splitDbl = [build([s('branch3x3dbl_3a')]), build([s('branch3x3dbl_3b')])];
    this.pool = build([s('branch_pool')]);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b1, b3, bd] = this.heads.applySplit(x);
      const d = this.dbl2.apply(bd);
      const window = { kernelSize: 3, stride: 1, padding: 1 };
      const pooled = this.poolKind === 'max' ? maxPool2d(x, window) : avgPool2d(x, { ...window, countIncludePad: false });
      return tf.concat(
        [b1, this.split3x3[0].apply(b3), this.split3x3[1].apply(b3), this.splitDbl[0].apply(d), this.splitDbl[1].apply(d), this.pool.apply(pooled)],
        3,
      );
    });
  }

  dispose(): void {
    for (const conv of [this.heads, ...this.split3x3, this.dbl2, ...this.splitDbl, this.pool]) conv.dispose();
  }
}
