// Shared by the tests only (not exported from index.ts).
import * as tf from '@tensorflow/tfjs-core';
import { loadOneDnnAddon } from './onednn/onednn-addon';

/** mulberry32: small, seeded, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** Uniform values in [-1, 1). */
export function randomValues(rand: () => number, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rand() - 1;
  return out;
}

export interface Difference {
  maxAbs: number;
  /** maxAbs divided by the largest magnitude in the reference (element-wise relative error is meaningless near 0). */
  relative: number;
}

export function difference(actual: ArrayLike<number>, expected: ArrayLike<number>): Difference {
  if (actual.length !== expected.length) {
    throw new Error(`difference: lengths differ, ${actual.length} vs ${expected.length}`);
  }
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(maxAbs)) maxAbs = Infinity;
  return { maxAbs, relative: scale === 0 ? maxAbs : maxAbs / scale };
}

/** Runs `f` with `name` as the active backend, returning plain arrays (no tensor outlives the call). */
export async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

/** Runs a kernel on the active backend with fresh tensors made from plain data; returns shape and values. */
export function runKernelOnData(
  kernelName: string,
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array }>,
  attrs: Record<string, unknown>,
): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) {
      tensors[k] = tf.tensor(v.values, v.shape, v.values instanceof Int32Array ? 'int32' : 'float32');
    }
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  });
}

/** Live data buffers inside the wasm backend: catches intermediates a kernel forgot to dispose. */
export function wasmDataIds(): number {
  return (tf.findBackend('wasm') as unknown as { numDataIds(): number }).numDataIds();
}

/**
 * A filter with d-1 zeros between taps: convolving with it at dilation 1 equals convolving with `w` at dilation d.
 * Built from differentiable ops, so tf.grads through it gives reference gradients for dilated convolutions on
 * backends whose own gradients refuse dilations.
 */
export function dilateFilter(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, a, b] = w.shape;
  if (dh === 1 && dw === 1) return w;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, a, b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, a, b]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]) as tf.Tensor4D;
}

/** A padding tfjs' conv2d takes: a kind, a number (every side), or explicit NHWC pads. */
export type ConvPad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** A random NHWC convolution: its shapes, strides, dilations and padding. */
export interface ConvGeometry {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  outShape: number[];
  strides: [number, number];
  dilations: [number, number];
  pad: ConvPad;
}

/**
 * Seeded random geometries: image sides and channels drawn from `sides` and `channels`, filters 1–4 each way,
 * strides or dilations (tfjs allows only one of them > 1: dilations with probability `dilateChance`, 0 for never),
 * a padding of one of the kinds in `pads` ('number' gets a square filter and equal strides and dilations: tfjs sizes
 * a numeric pad right only then, see numeric-pad-guard). Geometries without output are drawn again.
 */
export function randomConvGeometries(
  seed: number,
  count: number,
  { sides = [4, 10], channels = [1, 5], dilateChance = 0.4, pads = ['same', 'valid', 'number', 'explicit'] }: {
    sides?: [number, number];
    channels?: [number, number];
    dilateChance?: number;
    pads?: readonly ('same' | 'valid' | 'number' | 'explicit')[];
  } = {},
): ConvGeometry[] {
  const rand = seededRandom(seed);
  const out: ConvGeometry[] = [];
  while (out.length < count) {
    const xShape: ConvGeometry['xShape'] = [randomInt(rand, 1, 3), randomInt(rand, ...sides), randomInt(rand, ...sides), randomInt(rand, ...channels)];
    const filterShape: ConvGeometry['filterShape'] = [randomInt(rand, 1, 4), randomInt(rand, 1, 4), xShape[3], randomInt(rand, ...channels)];
    const dilated = dilateChance > 0 && rand() < dilateChance;
    const strides: [number, number] = dilated ? [1, 1] : [randomInt(rand, 1, 3), randomInt(rand, 1, 3)];
    const dilations: [number, number] = dilated ? [randomInt(rand, 1, 3), randomInt(rand, 1, 3)] : [1, 1];
    const kind = pick(rand, pads);
    if (kind === 'number') {
      filterShape[1] = filterShape[0];
      strides[1] = strides[0];
      dilations[1] = dilations[0];
    }
    const pad: ConvPad =
      kind === 'number'
        ? randomInt(rand, 0, 2)
        : kind === 'explicit'
          ? [[0, 0], [randomInt(rand, 0, 3), randomInt(rand, 0, 3)], [randomInt(rand, 0, 3), randomInt(rand, 0, 3)], [0, 0]]
          : kind;
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad);
    } catch {
      continue;
    }
    if (info.outHeight <= 0 || info.outWidth <= 0) continue;
    out.push({ xShape, filterShape, outShape: info.outShape, strides, dilations, pad });
  }
  return out;
}

/**
 * [dx, dfilter] of Σ conv2d(x, w)·r on the current backend; `dilateOnTheSide` folds the dilations into the filter
 * (dilateFilter), for backends whose own gradient refuses dilations.
 */
export function convGradients(g: ConvGeometry, x: Float32Array, w: Float32Array, r: Float32Array, dilateOnTheSide: boolean): Float32Array[] {
  return tf.tidy(() => {
    const rT = tf.tensor(r, g.outShape);
    const f = (xs: tf.Tensor, ws: tf.Tensor) => {
      const w4 = ws as tf.Tensor4D;
      const y = dilateOnTheSide
        ? tf.conv2d(xs as tf.Tensor4D, dilateFilter(w4, g.dilations), g.strides, g.pad)
        : tf.conv2d(xs as tf.Tensor4D, w4, g.strides, g.pad, 'NHWC', g.dilations);
      return tf.sum(tf.mul(y, rT));
    };
    return tf.grads(f)([tf.tensor(x, g.xShape), tf.tensor(w, g.filterShape)]).map((d) => Float32Array.from(d.dataSync()));
  });
}

/** Whether @not/onednn's addon loads here (the oneDNN tests skip where it does not). */
export function oneDnnLoads(): boolean {
  try {
    loadOneDnnAddon();
    return true;
  } catch {
    return false;
  }
}
