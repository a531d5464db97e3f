// The torch-style inference layers against PyTorch's functional ops (fixtures/fid-inception-fixture.safetensors,
// "layers.*" entries, made by fixtures/make-fid-inception-fixture.py), on the cpu and wasm backends.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { decodeSafetensors } from '@not/nets';
import { FrozenBatchNorm2d } from './frozen-batch-norm';
import { FrozenConv2d } from './frozen-conv2d';
import { avgPool2d, globalAvgPool, maxPool2d } from './pool2d';
import { linearInterpolationMatrix, resizeBilinear } from './resize-bilinear';

const fixture = decodeSafetensors(new Uint8Array(readFileSync(new URL('../../fixtures/fid-inception-fixture.safetensors', import.meta.url)))).tensors;
const t = (name: string) => tf.tensor(fixture[`layers.${name}`].data as Float32Array, fixture[`layers.${name}`].shape);

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});

/** Runs `f` on each backend; returns the max |got − want| / max |want| per case. */
function check(cases: [string, () => tf.Tensor][], tolerance = 1e-6): void {
  for (const backend of ['cpu', 'wasm']) {
    tf.setBackend(backend);
    for (const [name, f] of cases) {
      const before = tf.memory().numTensors;
      const got = tf.tidy(f);
      const want = fixture[`layers.${name}`];
      expect(got.shape, `${backend} ${name}`).toEqual(want.shape);
      const g = got.dataSync();
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < want.data.length; i++) {
        diff = Math.max(diff, Math.abs(g[i] - want.data[i]));
        scale = Math.max(scale, Math.abs(want.data[i]));
      }
      got.dispose();
      expect(diff / scale, `${backend} ${name}`).toBeLessThan(tolerance);
      expect(tf.memory().numTensors, `${backend} ${name} leaks`).toBe(before);
    }
  }
}

describe('torch-style layers', () => {
  it('FrozenConv2d: strides, (rows, columns) padding, rectangular kernels, with and without bias', () => {
    const conv = (name: string, bias: boolean, stride: number | [number, number], padding: number | [number, number]) =>
      [
        name,
        () => {
          const layer = new FrozenConv2d(t('conv_w'), bias ? t('conv_b') : null, { stride, padding });
          const y = layer.apply(t('x') as tf.Tensor4D);
          layer.dispose();
          return y;
        },
      ] as [string, () => tf.Tensor];
    check([conv('conv_s2_p12', true, 2, [1, 2]), conv('conv_s1_p12', false, 1, [1, 2]), conv('conv_s13_p0', true, [1, 3], 0)]);
  });

  it('FrozenBatchNorm2d (eps 1e-3) and its folding into the convolution', () => {
    const state = () => ({ weight: t('bn_weight'), bias: t('bn_bias'), running_mean: t('bn_running_mean'), running_var: t('bn_running_var') });
    check([
      [
        'bn_eps3',
        () => {
          const conv = new FrozenConv2d(t('conv_w'), t('conv_b'), { stride: 2, padding: [1, 2] });
          const bn = new FrozenBatchNorm2d(state(), 1e-3);
          const y = bn.apply(conv.apply(t('x') as tf.Tensor4D));
          conv.dispose();
          bn.dispose();
          return y;
        },
      ],
      [
        'bn_eps3',
        () => {
          const bn = new FrozenBatchNorm2d(state(), 1e-3);
          const { weight, bias } = bn.foldInto(t('conv_w'), t('conv_b'));
          const conv = new FrozenConv2d(weight, bias, { stride: 2, padding: [1, 2] });
          const y = conv.apply(t('x') as tf.Tensor4D);
          conv.dispose();
          bn.dispose();
          return y;
        },
      ],
    ]);
  });

  it('avgPool2d with and without count_include_pad, maxPool2d with −∞ padding', () => {
    const x = () => t('x') as tf.Tensor4D;
    const shifted = () => tf.sub(x(), 5) as tf.Tensor4D;
    check([
      ['avg_k3_s1_p1_exclude', () => avgPool2d(x(), { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false })],
      ['avg_k3_s2_p1_include', () => avgPool2d(x(), { kernelSize: 3, stride: 2, padding: 1 })],
      ['avg_k3_s2_p1_exclude', () => avgPool2d(x(), { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false })],
      ['avg_k2', () => avgPool2d(x(), { kernelSize: 2 })],
      ['max_k3_s1_p1', () => maxPool2d(shifted(), { kernelSize: 3, stride: 1, padding: 1 })],
      ['max_k3_s2', () => maxPool2d(x(), { kernelSize: 3, stride: 2 })],
      ['max_k3_s2_p1', () => maxPool2d(shifted(), { kernelSize: 3, stride: 2, padding: 1 })],
      ['max_k2', () => maxPool2d(x(), { kernelSize: 2 })],
    ]);
  });

  it('resizeBilinear matches F.interpolate(bilinear, align_corners=False) up and down', () => {
    const x = () => t('x') as tf.Tensor4D;
    check([
      ['resize_13x5', () => resizeBilinear(x(), [13, 5])],
      ['resize_4x20', () => resizeBilinear(x(), [4, 20])],
      [
        'resize_299',
        () => {
          const y = resizeBilinear(tf.slice(x(), 0, 1), [299, 299]);
          const rows = Array.from({ length: 13 }, (_, i) => 23 * i);
          const cols = Array.from({ length: 23 }, (_, i) => 13 * i);
          return tf.gather(tf.gather(y, rows, 1), cols, 2);
        },
      ],
    ]);
    // Each output row of the interpolation weights sums to 1.
    const m = linearInterpolationMatrix(7, 299);
    for (let i = 0; i < 299; i++) expect(Math.abs(m.subarray(i * 7, i * 7 + 7).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
  });

  it('rejects bad arguments with the function and argument named', () => {
    tf.setBackend('cpu');
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => maxPool2d(x, { kernelSize: 3, padding: 2 })).toThrow(/maxPool2d: padding \[2,2\] must be at most half the kernel \[3,3\]/);
    expect(() => avgPool2d(x, { kernelSize: 5 })).toThrow(/avgPool2d: image \[4,4\] with padding \[0,0\] is smaller than the \[5,5\] window/);
    expect(() => avgPool2d(x, { kernelSize: [2, 0] })).toThrow(/avgPool2d: kernelSize must be an integer >= 1/);
    expect(() => resizeBilinear(x, [0, 3])).toThrow(/resizeBilinear: output height must be a positive integer, got 0/);
    const w = tf.zeros([3, 2, 3, 3]);
    const conv = new FrozenConv2d(w, null);
    expect(() => conv.apply(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(/FrozenConv2d\.apply: expected x of shape \[B, H, W, 2\], got \[1,4,4,3\]/);
    expect(() => new FrozenConv2d(w, tf.zeros([2]))).toThrow(/FrozenConv2d: bias must be a tensor of shape \[3\], got \[2\]/);
    conv.dispose();
    const g = globalAvgPool(x);
    expect(g.shape).toEqual([1, 2]);
    tf.dispose([x, w, g]);
  });
});
