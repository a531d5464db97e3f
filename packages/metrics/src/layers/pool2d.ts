import * as tf from '@tensorflow/tfjs-core';
import { checkNhwc, pair, type IntPair } from './pair';

export interface Pool2dOptions {
  kernelSize: IntPair;
  /** Default: the kernel size (PyTorch's default). */
  stride?: IntPair;
  /** Implicit padding on each side (rows, columns); at most half the kernel, as PyTorch requires. Default 0. */
  padding?: IntPair;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded zeros count in each window's divisor (PyTorch's default true). Default true. */
  countIncludePad?: boolean;
}

interface Geometry {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  out: [number, number];
}

/** Checks the arguments and the output size (floor mode, as PyTorch's default ceil_mode=False). */
function geometry(fn: string, x: tf.Tensor4D, { kernelSize, stride, padding = 0 }: Pool2dOptions): Geometry {
  checkNhwc(fn, x);
  const k = pair(fn, 'kernelSize', kernelSize, 1);
  const s = pair(fn, 'stride', stride ?? kernelSize, 1);
  const p = pair(fn, 'padding', padding, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) throw new Error(`${fn}: padding [${p}] must be at most half the kernel [${k}]`);
  const out: [number, number] = [0, 1].map((d) => Math.floor((x.shape[1 + d] + 2 * p[d] - k[d]) / s[d]) + 1) as [number, number];
  if (out[0] < 1 || out[1] < 1) throw new Error(`${fn}: image [${x.shape.slice(1, 3)}] with padding [${p}] is smaller than the [${k}] window`);
  return { k, s, p, out };
}

/** 'same' in TensorFlow pads (k − 1) / 2 on each side for an odd kernel at stride 1, like PyTorch's p = (k − 1) / 2. */
const isSame = ({ k, s, p }: Geometry) => s[0] === 1 && s[1] === 1 && 2 * p[0] === k[0] - 1 && 2 * p[1] === k[1] - 1;

/**
 * nn.MaxPool2d / F.max_pool2d on NHWC (dilation 1, floor mode): padding never wins a maximum (PyTorch pads with −∞).
 */
export function maxPool2d(x: tf.Tensor4D, options: Pool2dOptions): tf.Tensor4D {
  const g = geometry('maxPool2d', x, options);
  return tf.tidy(() => {
    // TensorFlow's 'same' max pool ignores padded cells, which is −∞ padding.
    if (isSame(g)) return tf.maxPool(x, g.k, 1, 'same');
    const padded = g.p[0] || g.p[1] ? tf.pad(x, [[0, 0], [g.p[0], g.p[0]], [g.p[1], g.p[1]], [0, 0]], -Infinity) : x;
    return tf.maxPool(padded, g.k, g.s, 'valid');
  });
}

/**
 * nn.AvgPool2d / F.avg_pool2d on NHWC (floor mode). With `countIncludePad` (PyTorch's default) padded zeros count in
 * every window; without it each window divides by its cells inside the image (TensorFlow's average pool, which
 * pytorch-fid's FID Inception patches in). Both are done as a zero-padded 'valid' average, so they do not depend on
 * how a backend treats padding; the second rescales by kh·kw / (cells inside).
 */
export function avgPool2d(x: tf.Tensor4D, options: AvgPool2dOptions): tf.Tensor4D {
  const g = geometry('avgPool2d', x, options);
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean') throw new Error(`avgPool2d: countIncludePad must be a boolean, got ${String(countIncludePad)}`);
  return tf.tidy(() => {
    const pads: [number, number][] = [[0, 0], [g.p[0], g.p[0]], [g.p[1], g.p[1]], [0, 0]];
    const padded = g.p[0] || g.p[1] ? tf.pad(x, pads) : x;
    const mean = tf.avgPool(padded, g.k, g.s, 'valid');
    if (countIncludePad || !(g.p[0] || g.p[1])) return mean;
    return tf.mul(mean, insideRatio(x.shape[1], x.shape[2], g));
  });
}

/** [1, outH, outW, 1]: kh·kw over the number of window cells inside the image, computed in closed form per axis. */
function insideRatio(h: number, w: number, { k, s, p, out }: Geometry): tf.Tensor4D {
  const inside = (size: number, d: 0 | 1) =>
    Array.from({ length: out[d] }, (_, i) => {
      const start = i * s[d] - p[d];
      return Math.min(start + k[d], size) - Math.max(start, 0);
    });
  const rows = inside(h, 0);
  const cols = inside(w, 1);
  const ratio = new Float32Array(out[0] * out[1]);
  for (let i = 0; i < out[0]; i++) for (let j = 0; j < out[1]; j++) ratio[i * out[1] + j] = (k[0] * k[1]) / (rows[i] * cols[j]);
  return tf.tensor4d(ratio, [1, out[0], out[1], 1]);
}

/** nn.AdaptiveAvgPool2d((1, 1)) followed by flatten: [B, H, W, C] → [B, C], the mean over all pixels. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  checkNhwc('globalAvgPool', x);
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
