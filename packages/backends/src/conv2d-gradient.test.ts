import { beforeAll, describe, expect, it } from 'vitest';
// tfjs-core before its gradient module: the engine and Tensor class must come from the real tfjs-core.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { installConv2dGradient, useBackend } from './index';
import { difference, dilateFilter, onBackend, pick, randomInt, randomValues, seededRandom } from './test-helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface GradCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  outShape: number[];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

function gradCases(seed: number, count: number): GradCase[] {
  const rand = seededRandom(seed);
  const cases: GradCase[] = [];
  while (cases.length < count) {
    const xShape: [number, number, number, number] = [
      randomInt(rand, 1, 3), randomInt(rand, 4, 10), randomInt(rand, 4, 10), randomInt(rand, 1, 5)];
    const filterShape: [number, number, number, number] = [
      randomInt(rand, 1, 4), randomInt(rand, 1, 4), xShape[3], randomInt(rand, 1, 5)];
    // tfjs convolutions need strides or dilations to be 1.
    const dilated = rand() < 0.4;
    const strides: [number, number] = dilated ? [1, 1] : [randomInt(rand, 1, 3), randomInt(rand, 1, 3)];
    const dilations: [number, number] = dilated ? [randomInt(rand, 1, 3), randomInt(rand, 1, 3)] : [1, 1];
    const kind = pick(rand, ['same', 'valid', 'number', 'explicit'] as const);
    if (kind === 'number') {
      // tfjs sizes numeric pads correctly only for square filters and equal strides (see numeric-pad-guard).
      filterShape[1] = filterShape[0];
      strides[1] = strides[0];
      dilations[1] = dilations[0];
    }
    const pad: Pad =
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
    cases.push({ xShape, filterShape, outShape: info.outShape, strides, dilations, pad });
  }
  return cases;
}

/** [dx, dfilter] of sum(conv2d(x, w) * r); `dilateOnTheSide` folds dilations into the filter (cpu can't otherwise). */
function convGrads(c: GradCase, x: Float32Array, w: Float32Array, r: Float32Array, dilateOnTheSide: boolean) {
  return tf.tidy(() => {
    const rT = tf.tensor(r, c.outShape);
    const f = (xs: tf.Tensor, ws: tf.Tensor) => {
      const w4 = ws as tf.Tensor4D;
      const y = dilateOnTheSide
        ? tf.conv2d(xs as tf.Tensor4D, dilateFilter(w4, c.dilations), c.strides, c.pad)
        : tf.conv2d(xs as tf.Tensor4D, w4, c.strides, c.pad, 'NHWC', c.dilations);
      return tf.sum(tf.mul(y, rT));
    };
    return tf.grads(f)([tf.tensor(x, c.xShape), tf.tensor(w, c.filterShape)]).map((g) => Float32Array.from(g.dataSync()));
  });
}

describe('the Conv2D gradient', () => {
  let original: tf.GradConfig;

  beforeAll(async () => {
    original = tf.getGradient('Conv2D');
    await useBackend('cpu');
    await useBackend('wasm', { oneDnn: false });
  });

  it('is ours after useBackend and wraps the original', () => {
    const ours = tf.getGradient('Conv2D');
    expect(ours).not.toBe(original);
    expect(ours.inputsToSave).toEqual(original.inputsToSave);
  });

  it('on wasm matches cpu on 30 random geometries, dilations included', async () => {
    const rand = seededRandom(21);
    let worst = 0;
    for (const c of gradCases(5, 30)) {
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const want = await onBackend('cpu', () => convGrads(c, x, w, r, true));
      const before = tf.memory().numTensors;
      const got = await onBackend('wasm', () => convGrads(c, x, w, r, false));
      expect(tf.memory().numTensors).toBe(before);
      for (let i = 0; i < 2; i++) {
        const d = difference(got[i], want[i]);
        worst = Math.max(worst, d.relative);
        expect(d.relative, `${i === 0 ? 'dx' : 'dfilter'} ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      }
    }
    console.log(`Conv2D gradient on wasm: worst relative error ${worst.toExponential(2)}`);
  });

  it('on wasm takes a pointwise filter gradient as one matrix product, with the same values as cpu', async () => {
    const rand = seededRandom(23);
    for (const [ci, co] of [[3, 8], [8, 3]]) {
      const c: GradCase = { xShape: [2, 6, 5, ci], filterShape: [1, 1, ci, co], outShape: [2, 6, 5, co], strides: [1, 1], dilations: [1, 1], pad: 'same' };
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const want = await onBackend('cpu', () => convGrads(c, x, w, r, false));
      let got: Float32Array[] = [];
      const profile = await onBackend('wasm', () => tf.profile(() => { got = convGrads(c, x, w, r, false); }));
      const kernels = profile.kernels.map((k) => k.name);
      // The forward convolution and the input gradient's; the filter gradient is the matMul.
      expect(kernels.filter((k) => k === 'Conv2D')).toHaveLength(2);
      expect(kernels).toContain('BatchMatMul');
      for (let i = 0; i < 2; i++) expect(difference(got[i], want[i]).relative).toBeLessThan(1e-5);
    }
  });

  it('on cpu is exactly the original gradient (delegation)', async () => {
    const rand = seededRandom(22);
    for (const c of gradCases(6, 8).filter((g) => g.dilations[0] === 1 && g.dilations[1] === 1)) {
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const ours = await onBackend('cpu', () => convGrads(c, x, w, r, false));
      const ourConfig = tf.getGradient('Conv2D');
      tf.registerGradient(original);
      const theirs = await onBackend('cpu', () => convGrads(c, x, w, r, false));
      tf.registerGradient(ourConfig);
      expect(ours).toEqual(theirs);
    }
    // The original refuses dilations; so does the delegate.
    await tf.setBackend('cpu');
    expect(() =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([2, 2, 1, 1]), 1, 'same', 'NHWC', 2)))(
        tf.ones([1, 5, 5, 1]))),
    ).toThrow(/dilation/);
    await tf.setBackend('wasm');
  });

  it('a numeric pad that tfjs would size wrongly is refused on wasm instead of corrupting memory', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => tf.conv2d(tf.ones([1, 9, 5, 2]) as tf.Tensor4D, tf.ones([4, 1, 2, 4]) as tf.Tensor4D, 1, 2)))
      .toThrow('Conv2D on wasm: pad 2 (a number) with filter 4x1, strides 1x1 gets a wrong output width');
    expect(() => tf.tidy(() => tf.maxPool(tf.ones([1, 9, 5, 2]) as tf.Tensor4D, [3, 1], 1, 1)))
      .toThrow('MaxPool on wasm');
    // Square filters and equal strides keep working, and the heap is intact.
    const y = tf.tidy(() => tf.sum(tf.conv2d(tf.ones([1, 9, 5, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 4]) as tf.Tensor4D, 1, 1)));
    expect(y.dataSync()[0]).toBeGreaterThan(0);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reinstalled over gradients registered after it, and never wrapped twice', async () => {
    tf.registerGradient(original); // what importing a package that registers tfjs's gradients again does
    expect(installConv2dGradient()).toBe(true);
    const ours = tf.getGradient('Conv2D');
    expect(installConv2dGradient()).toBe(false);
    await useBackend('wasm', { oneDnn: false });
    expect(tf.getGradient('Conv2D')).toBe(ours);
  });
});
