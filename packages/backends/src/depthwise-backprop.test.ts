import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './index';
import {
  difference,
  dilateFilter,
  onBackend,
  pick,
  randomInt,
  randomValues,
  runKernelOnData,
  seededRandom,
  wasmDataIds,
} from './test-helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface DepthwiseCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  dyShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

function depthwiseCases(seed: number, count: number): DepthwiseCase[] {
  const rand = seededRandom(seed);
  const cases: DepthwiseCase[] = [];
  while (cases.length < count) {
    const xShape: [number, number, number, number] = [
      randomInt(rand, 1, 3), randomInt(rand, 3, 10), randomInt(rand, 3, 10), randomInt(rand, 1, 4)];
    const filterShape: [number, number, number, number] = [
      randomInt(rand, 1, 3), randomInt(rand, 1, 3), xShape[3], randomInt(rand, 1, 3)];
    const strides: [number, number] = [randomInt(rand, 1, 3), randomInt(rand, 1, 3)];
    // Half the cases dilated (stride 1 then, as tfjs's ops require).
    const dilated = rand() < 0.5;
    const dilations: [number, number] = dilated ? [randomInt(rand, 1, 3), randomInt(rand, 1, 3)] : [1, 1];
    if (dilated) strides.fill(1);
    const kind = pick(rand, ['same', 'valid', 'number', 'explicit'] as const);
    const pad: Pad =
      kind === 'number'
        ? randomInt(rand, 0, 2)
        : kind === 'explicit'
          ? [[0, 0], [randomInt(rand, 0, 2), randomInt(rand, 0, 2)], [randomInt(rand, 0, 2), randomInt(rand, 0, 2)], [0, 0]]
          : kind;
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, true);
    } catch {
      continue;
    }
    if (info.outHeight <= 0 || info.outWidth <= 0) continue;
    cases.push({ xShape, filterShape, dyShape: info.outShape, strides, dilations, pad });
  }
  return cases;
}

/** Reference dx and dfilter on cpu, through tfjs's own depthwise gradient with the dilation folded into the filter. */
function referenceGradients(c: DepthwiseCase, x: Float32Array, w: Float32Array, dy: Float32Array) {
  return tf.tidy(() => {
    const dyT = tf.tensor(dy, c.dyShape);
    const [dx, dw] = tf.grads((xs: tf.Tensor, ws: tf.Tensor) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(xs as tf.Tensor4D, dilateFilter(ws as tf.Tensor4D, c.dilations), c.strides, c.pad), dyT)),
    )([tf.tensor(x, c.xShape), tf.tensor(w, c.filterShape)]);
    return { dx: Float32Array.from(dx.dataSync()), dw: Float32Array.from(dw.dataSync()) };
  });
}

describe('wasm depthwise backprop kernels', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
  });

  it('match cpu (tfjs gradients, dilations folded into the filter) on 30 random geometries', async () => {
    const rand = seededRandom(11);
    let worst = 0;
    for (const c of depthwiseCases(3, 30)) {
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const dy = randomValues(rand, c.dyShape);
      const want = await onBackend('cpu', () => referenceGradients(c, x, w, dy));
      const common = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const dw = await onBackend('wasm', () =>
        runKernelOnData('DepthwiseConv2dNativeBackpropFilter',
          { x: { shape: c.xShape, values: x }, dy: { shape: c.dyShape, values: dy } },
          { ...common, filterShape: c.filterShape }));
      const dx = await onBackend('wasm', () =>
        runKernelOnData('DepthwiseConv2dNativeBackpropInput',
          { dy: { shape: c.dyShape, values: dy }, filter: { shape: c.filterShape, values: w } },
          { ...common, inputShape: c.xShape }));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(dw.shape).toEqual(c.filterShape);
      expect(dx.shape).toEqual(c.xShape);
      const ew = difference(dw.values, want.dw);
      const ex = difference(dx.values, want.dx);
      worst = Math.max(worst, ew.relative, ex.relative);
      expect(ew.relative, `filter ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      expect(ex.relative, `input ${JSON.stringify(c)}`).toBeLessThan(1e-5);
    }
    console.log(`depthwise backprop: worst relative error ${worst.toExponential(2)}`);
  });

  it('make tf.grads of a depthwise convolution work on wasm and match cpu', async () => {
    const rand = seededRandom(12);
    const x = randomValues(rand, [2, 8, 8, 3]);
    const w = randomValues(rand, [3, 3, 3, 2]);
    const grads = () =>
      tf.tidy(() => {
        const g = tf.grads((xs: tf.Tensor, ws: tf.Tensor) =>
          tf.sum(tf.square(tf.depthwiseConv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 2, 'same'))),
        )([tf.tensor(x, [2, 8, 8, 3]), tf.tensor(w, [3, 3, 3, 2])]);
        return g.map((t) => Float32Array.from(t.dataSync()));
      });
    const want = await onBackend('cpu', grads);
    const got = await onBackend('wasm', grads);
    expect(difference(got[0], want[0]).relative).toBeLessThan(1e-5);
    expect(difference(got[1], want[1]).relative).toBeLessThan(1e-5);
  });
});
