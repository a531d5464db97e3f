import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './index';
import {
  difference,
  onBackend,
  pick,
  randomInt,
  randomValues,
  runKernelOnData,
  seededRandom,
  wasmDataIds,
} from './test-helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  dyShape: number[];
  strides: [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Random conv geometries: sizes, strides, every padding kind, both data formats; seeded. */
function convCases(seed: number, count: number): ConvCase[] {
  const rand = seededRandom(seed);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const n = randomInt(rand, 1, 3);
    const h = randomInt(rand, 3, 10);
    const w = randomInt(rand, 3, 10);
    const ci = randomInt(rand, 1, 5);
    const co = randomInt(rand, 1, 5);
    const kh = randomInt(rand, 1, 4);
    const kw = randomInt(rand, 1, 4);
    const strides: [number, number] = [randomInt(rand, 1, 3), randomInt(rand, 1, 3)];
    const kind = pick(rand, ['same', 'valid', 'number', 'explicit'] as const);
    const pad: Pad =
      kind === 'number'
        ? randomInt(rand, 0, 2)
        : kind === 'explicit'
          ? [[0, 0], [randomInt(rand, 0, 3), randomInt(rand, 0, 3)], [randomInt(rand, 0, 3), randomInt(rand, 0, 3)], [0, 0]]
          : kind;
    const dataFormat = rand() < 0.25 && kind !== 'explicit' ? 'NCHW' : 'NHWC';
    const dimRoundingMode = kind === 'number' ? pick(rand, ['floor', 'round', 'ceil', undefined] as const) : undefined;
    const xShape: [number, number, number, number] = dataFormat === 'NHWC' ? [n, h, w, ci] : [n, ci, h, w];
    const filterShape: [number, number, number, number] = [kh, kw, ci, co];
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(
        xShape, filterShape, strides, 1, pad, dimRoundingMode, false,
        dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst');
    } catch {
      continue;
    }
    if (info.outHeight <= 0 || info.outWidth <= 0) continue;
    cases.push({ xShape, filterShape, dyShape: info.outShape, strides, pad, dataFormat, dimRoundingMode });
  }
  return cases;
}

const TOLERANCE = 1e-5;

describe('wasm convolution backprop kernels match cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm', { oneDnn: false });
  });

  /** Runs Conv2DBackpropFilter on wasm and cpu for each case; returns the worst relative difference. */
  async function backpropFilterWorst(cases: ConvCase[], rand: () => number): Promise<number> {
    let worst = 0;
    for (const c of cases) {
      const inputs = {
        x: { shape: c.xShape, values: randomValues(rand, c.xShape) },
        dy: { shape: c.dyShape, values: randomValues(rand, c.dyShape) },
      };
      const attrs = {
        strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, dimRoundingMode: c.dimRoundingMode,
        filterShape: c.filterShape,
      };
      const want = await onBackend('cpu', () => runKernelOnData('Conv2DBackpropFilter', inputs, attrs));
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const got = await onBackend('wasm', () => runKernelOnData('Conv2DBackpropFilter', inputs, attrs));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(got.shape).toEqual(c.filterShape);
      const d = difference(got.values, want.values);
      worst = Math.max(worst, d.relative);
      expect(d.relative, JSON.stringify(c)).toBeLessThan(TOLERANCE);
    }
    return worst;
  }

  it('Conv2DBackpropFilter on 40 random geometries', async () => {
    const worst = await backpropFilterWorst(convCases(1, 40), seededRandom(7));
    console.log(`Conv2DBackpropFilter: worst relative error ${worst.toExponential(2)}`);
  });

  it('Conv2DBackpropFilter on pointwise filters (a matrix product), fewer and more output channels than input', async () => {
    const pointwise = (xShape: ConvCase['xShape'], co: number, pad: Pad): ConvCase => ({
      xShape, filterShape: [1, 1, xShape[3], co], dyShape: [...xShape.slice(0, 3), co], strides: [1, 1], pad, dataFormat: 'NHWC',
    });
    const cases = [pointwise([2, 5, 7, 3], 6, 'valid'), pointwise([3, 4, 4, 7], 2, 'same'), pointwise([1, 6, 3, 4], 4, 0)];
    expect(await backpropFilterWorst(cases, seededRandom(9))).toBeLessThan(TOLERANCE);
  });

  it('Conv2DBackpropInput (replaced) on 40 random geometries', async () => {
    const rand = seededRandom(8);
    let worst = 0;
    for (const c of convCases(2, 40)) {
      const inputs = {
        dy: { shape: c.dyShape, values: randomValues(rand, c.dyShape) },
        filter: { shape: c.filterShape, values: randomValues(rand, c.filterShape) },
      };
      const attrs = {
        strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, dimRoundingMode: c.dimRoundingMode,
        inputShape: c.xShape,
      };
      const want = await onBackend('cpu', () => runKernelOnData('Conv2DBackpropInput', inputs, attrs));
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds() };
      const got = await onBackend('wasm', () => runKernelOnData('Conv2DBackpropInput', inputs, attrs));
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds() }).toEqual(before);
      expect(got.shape).toEqual(c.xShape);
      const d = difference(got.values, want.values);
      worst = Math.max(worst, d.relative);
      expect(d.relative, JSON.stringify(c)).toBeLessThan(TOLERANCE);
    }
    console.log(`Conv2DBackpropInput: worst relative error ${worst.toExponential(2)}`);
  });
});
