import * as tf from '@tensorflow/tfjs-core';
import { checkNhwc } from './pair';
import { checkPositiveInt } from '@not/ot-core';

/**
 * The [outSize, inSize] matrix of PyTorch's 1-D linear interpolation with align_corners=False and no antialiasing
 * (F.interpolate(mode='bilinear') per axis): output i reads the source coordinate (i + 0.5)·in/out − 0.5, clamped
 * at 0, between its floor and the next index (the last index repeats at the edge). Arithmetic in float32 as
 * PyTorch's CPU kernel does it, so the weights match to the bit.
 */
export function linearInterpolationMatrix(inSize: number, outSize: number): Float32Array {
  const f = Math.fround;
  const scale = f(inSize / outSize);
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const source = Math.max(f(f(scale * f(i + 0.5)) - 0.5), 0);
    const i0 = Math.floor(source);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const lambda1 = Math.min(Math.max(f(source - i0), 0), 1);
    m[i * inSize + i0] += f(1 - lambda1);
    m[i * inSize + i1] += lambda1;
  }
  return m;
}

/**
 * F.interpolate(x, size=[outH, outW], mode='bilinear', align_corners=False) on NHWC images, as two matrix products
 * (rows, then columns) so that every backend computes the same thing. Returns x itself (not a copy) when the size
 * already matches, as the interpolation is then the identity.
 */
export function resizeBilinear(x: tf.Tensor4D, [outH, outW]: readonly [number, number]): tf.Tensor4D {
  const fn = 'resizeBilinear';
  checkNhwc(fn, x);
  for (const [name, v] of [['height', outH], ['width', outW]] as const) {
    checkPositiveInt(fn, `output ${name}`, v);
  }
  const [b, h, w, c] = x.shape;
  if (h === outH && w === outW) return x;
  return tf.tidy(() => {
    // Rows: [h, b·w·c] → [outH, b·w·c].
    let y: tf.Tensor = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, b * w * c]);
    if (h !== outH) y = tf.matMul(tf.tensor2d(linearInterpolationMatrix(h, outH), [outH, h]), y);
    // Columns: [w, b·outH·c] → [outW, b·outH·c].
    y = tf.reshape(tf.transpose(tf.reshape(y, [outH, b, w, c]), [2, 1, 0, 3]), [w, b * outH * c]);
    if (w !== outW) y = tf.matMul(tf.tensor2d(linearInterpolationMatrix(w, outW), [outW, w]), y);
    return tf.transpose(tf.reshape(y, [outW, b, outH, c]), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}
