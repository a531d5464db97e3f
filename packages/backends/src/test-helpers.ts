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

/** Whether @not/onednn's addon loads here (the oneDNN tests skip where it does not). */
export function oneDnnLoads(): boolean {
  try {
    loadOneDnnAddon();
    return true;
  } catch {
    return false;
  }
}
