// The parity suite of oneDNN's convolution kernels against the cpu backend, shared by the threaded
// (SharedArrayBuffer heap) and single-threaded (ArrayBuffer heap) test files. Tests only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from '../index';
import { convGradients, difference, onBackend, oneDnnLoads, randomConvGeometries, randomValues, runKernelOnData, seededRandom, wasmDataIds } from '../test-helpers';
import { useOneDnnKernels, type OneDnnKernels } from './use-onednn-kernels';

/** Random NHWC geometries for oneDNN: every pad kind but a number (tfjs sizes some numeric pads wrongly). */
const geometries = (seed: number, count: number, { dilate = true } = {}) =>
  randomConvGeometries(seed, count, { sides: [3, 12], channels: [1, 12], dilateChance: dilate ? 0.35 : 0, pads: ['same', 'valid', 'explicit'] });

const TOLERANCE = 1e-5;

const environmentWaitPolicy = process.env.OMP_WAIT_POLICY;

export function oneDnnParitySuite(label: string, threads: number, heapKind: 'SharedArrayBuffer' | 'ArrayBuffer'): void {
  describe.skipIf(!oneDnnLoads())(`oneDNN convolution kernels match cpu: ${label}`, () => {
    let native: OneDnnKernels;
    /** Calls of each addon function, to check which kernels ran natively. */
    const calls: Record<string, number> = {};
    const counted = (): Record<string, number> => ({ ...calls });
    beforeAll(async () => {
      await useBackend('cpu');
      await useBackend('wasm', { threads });
      native = useOneDnnKernels();
      const addon = native.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter']) {
        const f = addon[name];
        calls[name] = 0;
        addon[name] = (...args) => {
          calls[name]++;
          return f(...args);
        };
      }
    });
    afterAll(() => native?.restore());

    /** Runs on wasm (oneDNN) and cpu; checks no tensor or wasm buffer is left behind; returns the relative error. */
    const ADDON_FUNCTION: Record<string, string> = {
      Conv2D: 'conv2d', FusedConv2D: 'conv2d', Conv2DBackpropInput: 'conv2dBackpropInput', Conv2DBackpropFilter: 'conv2dBackpropFilter',
    };
    async function compare(kernel: string, inputs: Parameters<typeof runKernelOnData>[1], wasmAttrs: Record<string, unknown>, cpu: () => { shape: number[]; values: Float32Array }, { nativeCalls = 1 } = {}) {
      const want = await onBackend('cpu', cpu);
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const callsBefore = counted();
      const got = await onBackend('wasm', () => runKernelOnData(kernel, inputs, wasmAttrs));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      const fn = ADDON_FUNCTION[kernel];
      expect(calls[fn] - callsBefore[fn], `${kernel} calls of the addon's ${fn}`).toBe(nativeCalls);
      expect(got.shape).toEqual(want.shape);
      return { d: difference(got.values, want.values) };
    }

    it(`runs on a ${heapKind} heap with ${threads} wasm thread(s)`, async () => {
      await tf.setBackend('wasm');
      const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
      expect(wasm.HEAPU8.buffer.constructor.name).toBe(heapKind);
    });

    it('Conv2D on 40 random geometries (strides, dilations, same/valid/explicit pads)', async () => {
      const rand = seededRandom(11);
      let worst = 0;
      for (const g of geometries(1, 40)) {
        const inputs = { x: { shape: g.xShape, values: randomValues(rand, g.xShape) }, filter: { shape: g.filterShape, values: randomValues(rand, g.filterShape) } };
        const attrs = { strides: g.strides, pad: g.pad, dilations: g.dilations, dataFormat: 'NHWC' };
        const { d } = await compare('Conv2D', inputs, attrs, () => runKernelOnData('Conv2D', inputs, attrs));
        expect(d.relative, JSON.stringify(g)).toBeLessThan(TOLERANCE);
        worst = Math.max(worst, d.relative);
      }
      console.log(`${label}: Conv2D worst relative error ${worst.toExponential(2)}`);
    });

    it('FusedConv2D with bias and relu / leakyrelu / linear / relu6 / sigmoid / elu on 36 random geometries', async () => {
      const rand = seededRandom(12);
      let worst = 0;
      const activations = ['relu', 'leakyrelu', 'linear', 'relu6', 'sigmoid', 'elu'];
      for (const [i, g] of geometries(2, 36).entries()) {
        const co = g.filterShape[3];
        const inputs = {
          x: { shape: g.xShape, values: randomValues(rand, g.xShape) },
          filter: { shape: g.filterShape, values: randomValues(rand, g.filterShape) },
          ...(i % 5 === 4 ? {} : { bias: { shape: [co], values: randomValues(rand, [co]) } }),
        };
        const activation = activations[i % activations.length];
        const attrs = { strides: g.strides, pad: g.pad, dilations: g.dilations, dataFormat: 'NHWC', activation, leakyreluAlpha: 0.1 + 0.2 * rand() };
        const { d } = await compare('FusedConv2D', inputs, attrs, () => runKernelOnData('FusedConv2D', inputs, attrs));
        expect(d.relative, `${activation} ${JSON.stringify(g)}`).toBeLessThan(TOLERANCE);
        worst = Math.max(worst, d.relative);
      }
      console.log(`${label}: FusedConv2D worst relative error ${worst.toExponential(2)}`);
    });

    it('Conv2DBackpropInput on 40 random geometries (strides, same/valid/explicit pads)', async () => {
      const rand = seededRandom(13);
      let worst = 0;
      for (const g of geometries(3, 40, { dilate: false })) {
        const inputs = { dy: { shape: g.outShape, values: randomValues(rand, g.outShape) }, filter: { shape: g.filterShape, values: randomValues(rand, g.filterShape) } };
        const attrs = { strides: g.strides, pad: g.pad, dataFormat: 'NHWC', inputShape: g.xShape };
        const { d } = await compare('Conv2DBackpropInput', inputs, attrs, () => runKernelOnData('Conv2DBackpropInput', inputs, attrs));
        expect(d.relative, JSON.stringify(g)).toBeLessThan(TOLERANCE);
        worst = Math.max(worst, d.relative);
      }
      console.log(`${label}: Conv2DBackpropInput worst relative error ${worst.toExponential(2)}`);
    });

    it('Conv2DBackpropFilter on 40 random geometries (strides, same/valid/explicit pads)', async () => {
      const rand = seededRandom(14);
      let worst = 0;
      for (const g of geometries(4, 40, { dilate: false })) {
        const inputs = { x: { shape: g.xShape, values: randomValues(rand, g.xShape) }, dy: { shape: g.outShape, values: randomValues(rand, g.outShape) } };
        const attrs = { strides: g.strides, pad: g.pad, dataFormat: 'NHWC', filterShape: g.filterShape };
        const { d } = await compare('Conv2DBackpropFilter', inputs, attrs, () => runKernelOnData('Conv2DBackpropFilter', inputs, attrs));
        expect(d.relative, JSON.stringify(g)).toBeLessThan(TOLERANCE);
        worst = Math.max(worst, d.relative);
      }
      console.log(`${label}: Conv2DBackpropFilter worst relative error ${worst.toExponential(2)}`);
    });

    it('the Conv2D gradient (through oneDNN\'s backprop kernels, dilations included) on 30 random geometries', async () => {
      const rand = seededRandom(15);
      let worst = 0;
      for (const g of geometries(5, 30)) {
        const x = randomValues(rand, g.xShape);
        const w = randomValues(rand, g.filterShape);
        const r = randomValues(rand, g.outShape);
        // On cpu the dilated filter spelled out with zeros (cpu's own gradient refuses dilations).
        const want = await onBackend('cpu', () => convGradients(g, x, w, r, true));
        const before = tf.memory().numTensors;
        const callsBefore = counted();
        const got = await onBackend('wasm', () => convGradients(g, x, w, r, false));
        expect(tf.memory().numTensors).toBe(before);
        // One oneDNN forward, and the gradient through oneDNN's backprop kernels (not composed forward convs).
        const ran = Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v - callsBefore[k]]));
        expect(ran).toEqual({ conv2d: 1, conv2dBackpropInput: 1, conv2dBackpropFilter: 1 });
        for (const [i, name] of ['dx', 'dw'].entries()) {
          const d = difference(got[i], want[i]);
          expect(d.relative, `${name} ${JSON.stringify(g)}`).toBeLessThan(TOLERANCE);
          worst = Math.max(worst, d.relative);
        }
      }
      console.log(`${label}: Conv2D gradient worst relative error ${worst.toExponential(2)}`);
    });

    it('reads the heap anew after the wasm memory grows', async () => {
      await tf.setBackend('wasm');
      const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
      const rand = seededRandom(16);
      const g = geometries(6, 1)[0];
      const inputs = { x: { shape: g.xShape, values: randomValues(rand, g.xShape) }, filter: { shape: g.filterShape, values: randomValues(rand, g.filterShape) } };
      const attrs = { strides: g.strides, pad: g.pad, dilations: g.dilations, dataFormat: 'NHWC' };
      await compare('Conv2D', inputs, attrs, () => runKernelOnData('Conv2D', inputs, attrs));
      const size = wasm.HEAPU8.buffer.byteLength;
      const big = tf.zeros([size / 4 + 1024]); // more than the heap holds: it must grow
      expect(wasm.HEAPU8.buffer.byteLength).toBeGreaterThan(size);
      const { d } = await compare('Conv2D', inputs, attrs, () => runKernelOnData('Conv2D', inputs, attrs));
      big.dispose();
      expect(d.relative).toBeLessThan(TOLERANCE);
    });

    it('leaves prelu to the wasm kernel, and restore() puts the wasm kernels back', async () => {
      const rand = seededRandom(17);
      const inputs = {
        x: { shape: [2, 6, 6, 3], values: randomValues(rand, [2, 6, 6, 3]) },
        filter: { shape: [3, 3, 3, 4], values: randomValues(rand, [3, 3, 3, 4]) },
        bias: { shape: [4], values: randomValues(rand, [4]) },
        preluActivationWeights: { shape: [4], values: randomValues(rand, [4]) },
      };
      const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC', activation: 'prelu' };
      const { d } = await compare('FusedConv2D', inputs, attrs, () => runKernelOnData('FusedConv2D', inputs, attrs), { nativeCalls: 0 });
      expect(d.relative).toBeLessThan(TOLERANCE);
      const nativeConfig = tf.getKernel('Conv2D', 'wasm');
      native.restore();
      expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(nativeConfig);
      expect(tf.getKernel('NotBatchNormTraining', 'wasm')).toBeUndefined();
      native = useOneDnnKernels();
      expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(nativeConfig);
      expect(native.kernels).toEqual(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'NotBatchNormTraining', 'NotBatchNormTrainingGrad']);
      expect(tf.getKernel('NotBatchNormTraining', 'wasm')).toBeDefined();
      // Passive OpenMP waiting was asked of libgomp at load, and the environment was left as it was.
      expect(native.waitPolicy).toBe(environmentWaitPolicy ?? 'passive');
      expect(process.env.OMP_WAIT_POLICY).toBe(environmentWaitPolicy);
    });
  });
}
