import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from './index';
import { difference, onBackend, pick, randomInt, randomValues, runKernelOnData, seededRandom, wasmDataIds } from './test-helpers';

/** dx of max pooling by definition: each window's first maximum (scan order) receives its dy. */
function naiveMaxPoolGrad(x: Float32Array, shape: number[], dy: Float32Array, info: tf.backend_util.Conv2DInfo) {
  const [n, h, w, c] = shape;
  const dx = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < info.outHeight; i++)
      for (let j = 0; j < info.outWidth; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let p = 0; p < info.filterHeight; p++)
            for (let q = 0; q < info.filterWidth; q++) {
              const r = i * info.strideHeight + p - info.padInfo.top;
              const s = j * info.strideWidth + q - info.padInfo.left;
              if (r < 0 || r >= h || s < 0 || s >= w) continue;
              const k = ((b * h + r) * w + s) * c + ch;
              if (x[k] > best) [best, at] = [x[k], k];
            }
          if (at >= 0) dx[at] += dy[((b * info.outHeight + i) * info.outWidth + j) * c + ch];
        }
  return dx;
}

/** The exact gradient of a linear image op f on the active backend: column i of its Jacobian, dotted with dy. */
function linearAdjoint(f: (t: tf.Tensor4D) => tf.Tensor, shape: number[], dy: Float32Array, outShape: number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const e = new Float32Array(size);
    e[i] = 1;
    out[i] = tf.tidy(() => {
      const basis: tf.Tensor = tf.tensor(e, shape);
      return tf.sum(tf.mul(f(basis as tf.Tensor4D), tf.tensor(dy, outShape))).dataSync()[0];
    });
  }
  return out;
}

function gradOf(f: (t: tf.Tensor4D) => tf.Tensor, x: Float32Array, shape: number[], dy: Float32Array, outShape: number[]) {
  return tf.tidy(() => {
    const r = tf.tensor(dy, outShape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D), r)))(tf.tensor(x, shape));
    return Float32Array.from(g.dataSync());
  });
}

describe('pooling and resize gradients on wasm', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
  });

  it('MaxPoolGrad (replaced) is exact on 25 random cases, negative windows included', async () => {
    const rand = seededRandom(31);
    for (let n = 0; n < 25; n++) {
      const shape = [randomInt(rand, 1, 2), randomInt(rand, 2, 9), randomInt(rand, 2, 9), randomInt(rand, 1, 4)];
      const k = randomInt(rand, 1, 3);
      const s = randomInt(rand, 1, 3);
      const pad = pick(rand, ['same', 'valid', 0, 1] as const);
      let info: tf.backend_util.Conv2DInfo;
      try {
        info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], k, s, 1, pad);
      } catch {
        continue;
      }
      if (info.outHeight <= 0 || info.outWidth <= 0) continue;
      // Shift half the cases below zero: the stock wasm kernel loses gradient when a window's max is <= 0.
      const x = randomValues(rand, shape).map((v) => (n % 2 ? v - 2 : v));
      const dy = randomValues(rand, info.outShape);
      const want = naiveMaxPoolGrad(x, shape, dy, info);
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const got = await onBackend('wasm', () =>
        gradOf((t) => tf.maxPool(t, k, s, pad), x, shape, dy, info.outShape));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(difference(got, want).maxAbs, JSON.stringify({ shape, k, s, pad })).toBe(0);
      const cpu = await onBackend('cpu', () => gradOf((t) => tf.maxPool(t, k, s, pad), x, shape, dy, info.outShape));
      expect(difference(got, cpu).relative).toBeLessThan(1e-6);
    }
  });

  it('ResizeBilinearGrad matches the exact adjoint for align corners, half-pixel centers and neither', async () => {
    const rand = seededRandom(32);
    for (let n = 0; n < 12; n++) {
      const shape = [randomInt(rand, 1, 2), randomInt(rand, 2, 6), randomInt(rand, 2, 6), randomInt(rand, 1, 2)];
      const size: [number, number] = [randomInt(rand, 2, 11), randomInt(rand, 2, 11)];
      const [alignCorners, halfPixelCenters] = pick(rand, [[true, false], [false, true], [false, false]] as const);
      const f = (t: tf.Tensor4D) => tf.image.resizeBilinear(t, size, alignCorners, halfPixelCenters);
      const outShape = [shape[0], size[0], size[1], shape[3]];
      const x = randomValues(rand, shape);
      const dy = randomValues(rand, outShape);
      const want = await onBackend('wasm', () => linearAdjoint(f, shape, dy, outShape));
      const got = await onBackend('wasm', () => gradOf(f, x, shape, dy, outShape));
      const d = difference(got, want);
      expect(d.relative, JSON.stringify({ shape, size, alignCorners, halfPixelCenters })).toBeLessThan(1e-5);
    }
  });

  it('AvgPool: wasm equals cpu; only valid pooling of an explicitly padded input has the true gradient', async () => {
    const rand = seededRandom(33);
    const shape = [2, 8, 8, 3];
    const x = randomValues(rand, shape);
    // PyTorch AvgPool2d(3, 2, 1) (count_include_pad=True): pad with zeros, then pool 'valid'.
    const padded = (t: tf.Tensor4D) => tf.avgPool(tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid');
    // tfjs's own padding divides by the in-bounds count forward but by 9 backward: its gradient is not the true one.
    const builtin = (t: tf.Tensor4D) => tf.avgPool(t, 3, 2, 1);
    const outShape = [2, 4, 4, 3];
    const dy = randomValues(rand, outShape);
    for (const [f, exact] of [[padded, true], [builtin, false]] as const) {
      const truth = await onBackend('wasm', () => linearAdjoint(f, shape, dy, outShape));
      const wasm = await onBackend('wasm', () => gradOf(f, x, shape, dy, outShape));
      const cpu = await onBackend('cpu', () => gradOf(f, x, shape, dy, outShape));
      expect(difference(wasm, cpu).relative).toBeLessThan(1e-6);
      if (exact) expect(difference(wasm, truth).relative).toBeLessThan(1e-6);
      else expect(difference(wasm, truth).relative).toBeGreaterThan(0.1);
    }
  });

  it('UnsortedSegmentSum (added) matches cpu, so tf.gather has a gradient on wasm', async () => {
    const rand = seededRandom(34);
    for (let n = 0; n < 10; n++) {
      const rows = randomInt(rand, 1, 12);
      const inner = [randomInt(rand, 1, 4), randomInt(rand, 1, 3)];
      const numSegments = randomInt(rand, 1, 6);
      const ids = Int32Array.from({ length: rows }, () => randomInt(rand, -1, numSegments)); // some out of range
      const inputs = {
        x: { shape: [rows, ...inner], values: randomValues(rand, [rows, ...inner]) },
        segmentIds: { shape: [rows], values: ids },
      };
      const want = await onBackend('cpu', () => runKernelOnData('UnsortedSegmentSum', inputs, { numSegments }));
      const got = await onBackend('wasm', () => runKernelOnData('UnsortedSegmentSum', inputs, { numSegments }));
      expect(got.shape).toEqual(want.shape);
      expect(difference(got.values, want.values).relative).toBeLessThan(1e-6);
    }
  });
});
