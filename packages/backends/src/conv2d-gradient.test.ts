import { beforeAll, describe, expect, it } from 'vitest';
// tfjs-core before its gradient module: the engine and Tensor class must come from the real tfjs-core.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { installConv2dGradient, useBackend } from './index';
import { type ConvGeometry, convGradients, difference, onBackend, randomConvGeometries, randomValues, seededRandom } from './test-helpers';

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
    for (const c of randomConvGeometries(5, 30)) {
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const want = await onBackend('cpu', () => convGradients(c, x, w, r, true));
      const before = tf.memory().numTensors;
      const got = await onBackend('wasm', () => convGradients(c, x, w, r, false));
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
      const c: ConvGeometry = { xShape: [2, 6, 5, ci], filterShape: [1, 1, ci, co], outShape: [2, 6, 5, co], strides: [1, 1], dilations: [1, 1], pad: 'same' };
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const want = await onBackend('cpu', () => convGradients(c, x, w, r, false));
      let got: Float32Array[] = [];
      const profile = await onBackend('wasm', () => tf.profile(() => { got = convGradients(c, x, w, r, false); }));
      const kernels = profile.kernels.map((k) => k.name);
      // The forward convolution and the input gradient's; the filter gradient is the matMul.
      expect(kernels.filter((k) => k === 'Conv2D')).toHaveLength(2);
      expect(kernels).toContain('BatchMatMul');
      for (let i = 0; i < 2; i++) expect(difference(got[i], want[i]).relative).toBeLessThan(1e-5);
    }
  });

  it('on cpu is exactly the original gradient (delegation)', async () => {
    const rand = seededRandom(22);
    for (const c of randomConvGeometries(6, 8).filter((g) => g.dilations[0] === 1 && g.dilations[1] === 1)) {
      const x = randomValues(rand, c.xShape);
      const w = randomValues(rand, c.filterShape);
      const r = randomValues(rand, c.outShape);
      const ours = await onBackend('cpu', () => convGradients(c, x, w, r, false));
      const ourConfig = tf.getGradient('Conv2D');
      tf.registerGradient(original);
      const theirs = await onBackend('cpu', () => convGradients(c, x, w, r, false));
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
