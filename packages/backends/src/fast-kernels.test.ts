import { beforeAll, describe, expect, it } from 'vitest';
// tfjs-core before its gradient module: the engine and Tensor class must come from the real tfjs-core.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Imported statically so that tfjs's own wasm kernels can be captured before useBackend replaces them.
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, useBackend } from './index';
import { hasLeakyReluGradient, installLeakyReluGradient } from './leaky-relu-gradient';
import { reverseGroups } from './kernels/reverse';
import { sliceAxes } from './kernels/slice';
import { difference, onBackend, pick, randomInt, randomValues, seededRandom, wasmDataIds } from './test-helpers';

const REPLACED = ['Reverse', 'Slice', 'AvgPoolGrad', 'LeakyRelu'] as const;
const stock = Object.fromEntries(REPLACED.map((name) => [name, tf.getKernel(name, 'wasm')])) as Record<
  (typeof REPLACED)[number],
  tf.KernelConfig
>;
const stockLeakyReluGradient = tf.getGradient('LeakyRelu');

type DType = 'float32' | 'int32' | 'bool';
interface Data {
  shape: number[];
  values: number[];
  dtype: DType;
}

function randomData(rand: () => number, shape: number[], dtype: DType): Data {
  const values = Array.from(randomValues(rand, shape), (v) =>
    dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 1000) : Number(v > 0));
  return { shape, values, dtype };
}

/** Runs a kernel on the active backend; returns plain data (no tensor outlives the call). */
function run(kernel: string, inputs: Record<string, Data>, attrs: object): { shape: number[]; values: number[] } {
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, v.dtype);
    const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, values: Array.from(out.dataSync()) };
  });
}

/** Runs `f` on wasm with tfjs's own kernel `name` registered in place of ours. */
function withStock<T>(name: (typeof REPLACED)[number], f: () => T): T {
  const ours = tf.getKernel(name, 'wasm');
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(stock[name]);
  try {
    return f();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(ours);
  }
}

/**
 * Runs a kernel on cpu, on wasm (ours) and on wasm (tfjs's, unless `stockToo` is false), checking that ours leaks
 * nothing.
 */
async function threeWays(name: (typeof REPLACED)[number], inputs: Record<string, Data>, attrs: object, stockToo = true) {
  const cpu = await onBackend('cpu', () => run(name, inputs, attrs));
  await tf.setBackend('wasm');
  const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
  const ours = run(name, inputs, attrs);
  expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
  const theirs = stockToo ? withStock(name, () => run(name, inputs, attrs)) : cpu;
  return { cpu, ours, theirs };
}

describe('faster wasm kernels (Reverse, Slice, AvgPoolGrad, LeakyRelu and its gradient)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
    for (const name of REPLACED) expect(tf.getKernel(name, 'wasm')).not.toBe(stock[name]);
  });

  it('reverseGroups and sliceAxes merge axes into the longest runs', () => {
    expect(reverseGroups([3, 3, 16, 8], [0, 1])).toEqual([{ extent: 9, reversed: true }, { extent: 128, reversed: false }]);
    expect(reverseGroups([2, 1, 4, 5], [1, 3])).toEqual([{ extent: 8, reversed: false }, { extent: 5, reversed: true }]);
    expect(reverseGroups([1, 1], [0])).toEqual([]);
    // Crop of H and W in NHWC: runs of W·C... only when W is whole; here W is cropped, so runs of size[2]·C.
    expect(sliceAxes([16, 34, 34, 8], [0, 1, 1, 0], [16, 32, 32, 8])).toEqual([
      { extent: 16, begin: 0, size: 16 },
      { extent: 34, begin: 1, size: 32 },
      { extent: 272, begin: 8, size: 256 },
    ]);
    expect(sliceAxes([4, 5, 6], [2, 0, 0], [1, 5, 6])).toEqual([{ extent: 120, begin: 60, size: 30 }]);
    expect(sliceAxes([4, 5, 6], [0, 1, 2], [4, 1, 3])).toEqual([
      { extent: 4, begin: 0, size: 4 },
      { extent: 30, begin: 8, size: 3 },
    ]);
  });

  it('Reverse (replaced) equals cpu and tfjs-wasm exactly on 40 random cases (ranks 1-6, float32/int32/bool)', async () => {
    const rand = seededRandom(41);
    for (let n = 0; n < 40; n++) {
      const rank = randomInt(rand, 1, 6);
      const shape = Array.from({ length: rank }, () => randomInt(rand, 1, 5));
      const axes = shape.map((_, i) => i).filter(() => rand() < 0.5).map((a) => (rand() < 0.3 ? a - rank : a));
      const dtype = pick(rand, ['float32', 'float32', 'int32', 'bool'] as const);
      const x = randomData(rand, shape, dtype);
      // tfjs-wasm's own Reverse writes 4 bytes per bool element, past the output: it corrupts the heap.
      const { cpu, ours, theirs } = await threeWays('Reverse', { x }, { dims: axes }, dtype !== 'bool');
      const label = JSON.stringify({ shape, axes, dtype });
      expect(ours, label).toEqual(cpu);
      expect(ours, label).toEqual(theirs);
    }
    // The filter flip of a conv input gradient.
    const x = randomData(rand, [3, 3, 16, 8], 'float32');
    const { cpu, ours } = await threeWays('Reverse', { x }, { dims: [0, 1] });
    expect(ours).toEqual(cpu);
  });

  it('Slice (replaced) equals cpu and tfjs-wasm exactly on 40 random cases (ranks 1-6, float32/int32/bool)', async () => {
    const rand = seededRandom(42);
    for (let n = 0; n < 40; n++) {
      const rank = randomInt(rand, 1, 6);
      const shape = Array.from({ length: rank }, () => randomInt(rand, 1, 6));
      const begin = shape.map((d) => randomInt(rand, 0, d - 1));
      // Some axes whole, some single, some -1 (to the end), an occasional empty one.
      const size = shape.map((d, i) =>
        pick(rand, ['whole', 'one', 'rest', 'some', 'some'] as const) === 'whole'
          ? (begin[i] === 0 ? d : d - begin[i])
          : rand() < 0.2
            ? -1
            : rand() < 0.05
              ? 0
              : randomInt(rand, 1, d - begin[i]));
      const dtype = pick(rand, ['float32', 'float32', 'int32', 'bool'] as const);
      const x = randomData(rand, shape, dtype);
      const { cpu, ours, theirs } = await threeWays('Slice', { x }, { begin, size });
      const label = JSON.stringify({ shape, begin, size, dtype });
      expect(ours, label).toEqual(cpu);
      expect(ours, label).toEqual(theirs);
    }
  });

  it('AvgPoolGrad (replaced) matches cpu on 40 random geometries (filters, strides, valid/same/numeric/explicit pads)', async () => {
    const rand = seededRandom(43);
    let worst = 0;
    let done = 0;
    while (done < 40) {
      const shape = [randomInt(rand, 1, 3), randomInt(rand, 1, 11), randomInt(rand, 1, 11), randomInt(rand, 1, 5)];
      const filterSize: [number, number] = [randomInt(rand, 1, 4), randomInt(rand, 1, 4)];
      const strides: [number, number] = [randomInt(rand, 1, 3), randomInt(rand, 1, 3)];
      const kind = pick(rand, ['valid', 'valid', 'same', 'number', 'explicit'] as const);
      if (kind === 'number') {
        // tfjs sizes numeric pads correctly only for square filters and equal strides (see numeric-pad-guard).
        filterSize[1] = filterSize[0];
        strides[1] = strides[0];
      }
      const pad =
        kind === 'number'
          ? randomInt(rand, 0, 1)
          : kind === 'explicit'
            ? [[0, 0], [randomInt(rand, 0, 2), randomInt(rand, 0, 2)], [randomInt(rand, 0, 2), randomInt(rand, 0, 2)], [0, 0]]
            : kind;
      let info: tf.backend_util.Conv2DInfo;
      try {
        info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], filterSize, strides, 1, pad as 'same');
      } catch {
        continue;
      }
      if (info.outHeight <= 0 || info.outWidth <= 0) continue;
      const input = randomData(rand, shape, 'float32');
      const dy = randomData(rand, info.outShape, 'float32');
      const { cpu, ours, theirs } = await threeWays('AvgPoolGrad', { dy, input }, { filterSize, strides, pad });
      const label = JSON.stringify({ shape, filterSize, strides, pad });
      expect(ours.shape, label).toEqual(cpu.shape);
      const d = difference(ours.values, cpu.values).relative;
      expect(d, label).toBeLessThan(1e-6);
      expect(difference(ours.values, theirs.values).relative, label).toBeLessThan(1e-6);
      worst = Math.max(worst, d);
      done++;
    }
    console.log(`AvgPoolGrad on wasm: worst relative error against cpu ${worst.toExponential(2)}`);
  });

  it("the gradient of PyTorch's AvgPool2d(3, 2, 1) (explicit zero pad, 'valid' pool) matches cpu", async () => {
    const rand = seededRandom(44);
    for (const shape of [[16, 32, 32, 8], [2, 9, 7, 3], [3, 4, 4, 16]]) {
      const x = randomValues(rand, shape);
      const f = (t: tf.Tensor) => tf.avgPool(tf.pad(t as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid');
      const outShape = tf.tidy(() => f(tf.zeros(shape)).shape);
      const r = randomValues(rand, outShape);
      const grad = () => tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), tf.tensor(r, outShape))))(tf.tensor(x, shape));
        return Float32Array.from(g.dataSync());
      });
      const cpu = await onBackend('cpu', grad);
      const wasm = await onBackend('wasm', grad);
      expect(difference(wasm, cpu).relative, JSON.stringify(shape)).toBeLessThan(1e-6);
    }
  });

  it('LeakyRelu (replaced) equals tfjs-wasm exactly and cpu to 1 ulp on 25 random cases, NaN/±Inf/±0 included', async () => {
    const rand = seededRandom(45);
    for (let n = 0; n < 25; n++) {
      const shape = Array.from({ length: randomInt(rand, 1, 4) }, () => randomInt(rand, 1, 7));
      const alpha = pick(rand, [0.2, 0.01, 0, 1, 0.5, 1.7, -0.3, rand()]);
      const x = randomData(rand, shape, 'float32');
      x.values = x.values.map((v) => (rand() < 0.1 ? pick(rand, [NaN, Infinity, -Infinity, 0, -0]) : v * 10));
      const { cpu, ours, theirs } = await threeWays('LeakyRelu', { x }, { alpha });
      const label = JSON.stringify({ shape, alpha });
      expect(ours, label).toEqual(theirs);
      // cpu multiplies by alpha in float64, wasm by alpha rounded to float32: up to 1 ulp apart.
      for (let i = 0; i < cpu.values.length; i++) {
        const [a, b] = [ours.values[i], cpu.values[i]];
        if (Number.isNaN(b) || !Number.isFinite(b) || b === 0) expect(Object.is(a, b), `${label} at ${i}`).toBe(true);
        else expect(Math.abs(a - b), `${label} at ${i}`).toBeLessThanOrEqual(Math.abs(b) * 2 ** -23);
      }
    }
    // int32 input goes to the original kernel (float32 out).
    const x = randomData(rand, [2, 3], 'int32');
    const { ours, theirs } = await threeWays('LeakyRelu', { x }, { alpha: 0.2 });
    expect(ours).toEqual(theirs);
  });

  it('the LeakyRelu gradient on wasm (dy · step(x, alpha)) matches cpu on 25 random cases', async () => {
    expect(hasLeakyReluGradient()).toBe(true);
    const rand = seededRandom(46);
    for (let n = 0; n < 25; n++) {
      const shape = Array.from({ length: randomInt(rand, 1, 4) }, () => randomInt(rand, 1, 9));
      const alpha = pick(rand, [0.2, 0.01, 0, 1, 0.5, 1.7, -0.3, rand()]);
      const x = randomValues(rand, shape).map((v) => (rand() < 0.05 ? 0 : v));
      const r = randomValues(rand, shape);
      const grad = () => tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, alpha), tf.tensor(r, shape))))(tf.tensor(x, shape));
        return Float32Array.from(g.dataSync());
      });
      const cpu = await onBackend('cpu', grad);
      await tf.setBackend('wasm');
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const wasm = grad();
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      tf.registerGradient(stockLeakyReluGradient);
      const original = grad();
      installLeakyReluGradient();
      const label = JSON.stringify({ shape, alpha });
      // Both multiply dy by alpha rounded to float32 (cpu's kernels too): identical values.
      expect(wasm, label).toEqual(cpu);
      expect(wasm, label).toEqual(original);
    }
  });

  it("the LeakyRelu gradient on wasm is differentiable again (tfjs's is not: Greater has no gradient)", async () => {
    const rand = seededRandom(47);
    const shape = [3, 4, 5];
    const [x, r] = [randomValues(rand, shape), randomValues(rand, shape)];
    // inner(x) = d/dx sum(leakyRelu(x) · x) = 2 · slope(x) · x (slope piecewise constant), so the gradient of
    // sum(r · inner(x)) is 2 · r · slope(x).
    const second = () => tf.tidy(() => {
      const inner = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), t)));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(inner(t), tf.tensor(r, shape))))(tf.tensor(x, shape));
      return Float32Array.from(g.dataSync());
    });
    const want = x.map((v, i) => 2 * r[i] * (v > 0 ? 1 : Math.fround(0.2)));
    const wasm = await onBackend('wasm', second);
    expect(difference(wasm, want).relative).toBeLessThan(1e-6);
    await expect(onBackend('cpu', second)).rejects.toThrow('gradient function not found for Greater');
    await tf.setBackend('wasm');
  });

  it('on cpu the LeakyRelu gradient is the original (delegation); installing is idempotent and re-wraps', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor([-1, 0, 2, NaN]);
    const g = (t: tf.Tensor) => tf.leakyRelu(t, 0.2);
    const ours = tf.grad(g)(x);
    expect(Array.from(ours.dataSync())).toEqual([Math.fround(0.2), Math.fround(0.2), 1, Math.fround(0.2)]);
    tf.dispose([x, ours]);
    const current = tf.getGradient('LeakyRelu');
    expect(installLeakyReluGradient()).toBe(false);
    tf.registerGradient(stockLeakyReluGradient); // what importing tfjs's gradients again does
    expect(hasLeakyReluGradient()).toBe(false);
    registerWasmTrainingKernels();
    expect(hasLeakyReluGradient()).toBe(true);
    expect(tf.getGradient('LeakyRelu')).not.toBe(current);
    // Kernels are not wrapped twice.
    const kernels = REPLACED.map((name) => tf.getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
    expect(REPLACED.map((name) => tf.getKernel(name, 'wasm'))).toEqual(kernels);
    await tf.setBackend('wasm');
  });
});
