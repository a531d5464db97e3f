import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@not/ot-core';
import { BatchNorm2d } from './batch-norm-2d';
import { Conv2d } from './conv2d';
import { avgPool3x3s2, maxPool2d } from './pooling';
import { upsampleBilinear2x } from './upsample';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `index ${i}`).toBeLessThan(tol);
};

describe('Conv2d', () => {
  it('keeps PyTorch [out, in, kh, kw] weights and computes a zero-padded cross-correlation on NHWC', () => {
    const conv = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, rng: new Rng(1) });
    expect(Object.fromEntries(Object.entries(conv.state).map(([k, v]) => [k, v.shape]))).toEqual({ weight: [3, 2, 3, 3], bias: [3] });
    const [B, H, W, C] = [2, 4, 5, 2];
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3);
    const xs = x.dataSync();
    const w = conv.weight.dataSync();
    const b = conv.bias!.dataSync();
    const want = new Float32Array(B * H * W * 3);
    for (let n = 0; n < B; n++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let o = 0; o < 3; o++) {
      let s = b[o];
      for (let c = 0; c < C; c++) for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) {
        const [ii, jj] = [i + di - 1, j + dj - 1];
        if (ii >= 0 && ii < H && jj >= 0 && jj < W) s += w[((o * C + c) * 3 + di) * 3 + dj] * xs[((n * H + ii) * W + jj) * C + c];
      }
      want[((n * H + i) * W + j) * 3 + o] = s;
    }
    const y = conv.apply(x);
    expect(y.shape).toEqual([B, H, W, 3]);
    close(y.dataSync(), want);
    expect(() => conv.apply(tf.zeros([1, 4, 4, 3]))).toThrow('Conv2d.apply: expected x of shape [B, H, W, 2], got [1,4,4,3]');
  });

  it("initialises like PyTorch: default U(±1/√fan_in); 'kaiming-normal-fan-out' N(0, 2/fan_out); bias U(±1/√fan_in)", () => {
    const uniform = new Conv2d({ inChannels: 16, outChannels: 64, kernelSize: 3, rng: new Rng(2) });
    const bound = 1 / Math.sqrt(16 * 9);
    const u = Array.from(uniform.weight.dataSync());
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(u.reduce((a, v) => a + v * v, 0) / u.length / ((bound * bound) / 3)).toBeCloseTo(1, 1);
    const normal = new Conv2d({ inChannels: 16, outChannels: 64, kernelSize: 3, init: 'kaiming-normal-fan-out', rng: new Rng(2) });
    const n = Array.from(normal.weight.dataSync());
    const std = Math.sqrt(n.reduce((a, v) => a + v * v, 0) / n.length);
    expect(std / Math.sqrt(2 / (64 * 9))).toBeCloseTo(1, 1);
    expect(Math.max(...Array.from(normal.bias!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    const noBias = new Conv2d({ inChannels: 4, outChannels: 8, kernelSize: 1, bias: false, rng: new Rng(0) });
    expect(Object.keys(noBias.state)).toEqual(['weight']);
    expect(() => new Conv2d({ inChannels: 0, outChannels: 1, kernelSize: 1, rng: new Rng(0) })).toThrow('Conv2d: inChannels must be an integer >= 1, got 0');
  });
});

describe('BatchNorm2d', () => {
  it('in training mode normalises with batch statistics and updates running stats like PyTorch (unbiased variance)', () => {
    const bn = new BatchNorm2d(2);
    expect(Object.keys(bn.state)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(Object.values(bn.state).map((v) => v.trainable)).toEqual([true, true, false, false, false]);
    // channel 0: values 1..8 (mean 4.5, biased var 5.25, unbiased 6); channel 1: all 3
    const values = Array.from({ length: 8 }, (_, i) => [i + 1, 3]).flat();
    const x = tf.tensor4d(values, [2, 2, 2, 2]);
    const y = bn.apply(x, true);
    const y0 = Array.from(y.dataSync()).filter((_, i) => i % 2 === 0);
    close(y0, [1, 2, 3, 4, 5, 6, 7, 8].map((v) => (v - 4.5) / Math.sqrt(5.25 + 1e-5)));
    close(bn.runningMean.dataSync(), [0.45, 0.3]);
    close(bn.runningVar.dataSync(), [0.9 + 0.1 * 6, 0.9]);
    expect(bn.numBatchesTracked.dtype).toBe('int32');
    expect(bn.numBatchesTracked.dataSync()[0]).toBe(1);
    // inference mode: running statistics, nothing recorded
    const e = bn.apply(x, false);
    close(e.dataSync().slice(0, 2), [(1 - 0.45) / Math.sqrt(1.5 + 1e-5), (3 - 0.3) / Math.sqrt(0.9 + 1e-5)]);
    expect(bn.numBatchesTracked.dataSync()[0]).toBe(1);
    expect(() => bn.apply(tf.zeros([1, 1, 1, 2]), true)).toThrow('BatchNorm2d.apply: training needs more than 1 value per channel');
  });
});

describe('pooling and upsampling', () => {
  it('maxPool2d takes 2×2 maxima', () => {
    const x = tf.tensor4d([1, 5, 2, 0, 3, 4, 7, 1, 0, 0, 0, 0, 9, 0, 0, 8], [1, 4, 4, 1]);
    expect(Array.from(maxPool2d(x).dataSync())).toEqual([5, 7, 9, 8]);
  });

  it('avgPool3x3s2 counts the zero padding (count_include_pad=True)', () => {
    const y = avgPool3x3s2(tf.ones([1, 4, 4, 1]));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // windows centred on (0,0), (0,2), (2,0), (2,2): 4, 6, 6 and 9 of the 9 taps fall inside
    close(y.dataSync(), [4 / 9, 6 / 9, 6 / 9, 1]);
  });

  it('upsampleBilinear2x aligns corners', () => {
    const y = upsampleBilinear2x(tf.tensor4d([0, 3], [1, 1, 2, 1]));
    expect(y.shape).toEqual([1, 2, 4, 1]);
    close(y.dataSync(), [0, 1, 2, 3, 0, 1, 2, 3]);
  });
});
