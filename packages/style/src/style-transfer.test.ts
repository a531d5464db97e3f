import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import type { Vgg16Features } from '@not/metrics';
import { loadVgg16Features } from '@not/metrics/node';
import { resizeBilinear } from './bilinear';
import { coarseToFine } from './coarse-to-fine';
import { foldPyramid, laplacian, laplacianPyramid } from './laplacian-pyramid';
import { RmsProp } from './rmsprop';
import { STROTSS_LAYERS } from './strotss-loss';
import { styleTransfer, type StyleProgress } from './style-transfer';

let vgg: Vgg16Features;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const path = fileURLToPath(new URL('../fixtures/vgg16-narrow.pth', import.meta.url));
  vgg = await loadVgg16Features({ path, widths: [4, 8, 16, 32, 32], layers: STROTSS_LAYERS });
});

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe('resizeBilinear', () => {
  it("equals tfjs' half-pixel resize forward, and its gradient is the adjoint (⟨resize(x), r⟩ = ⟨x, ∇⟩)", () => {
    const x = tf.randomUniform([1, 13, 7, 2], -1, 1, 'float32', 5) as tf.Tensor4D;
    for (const [h, w] of [[26, 14], [6, 3], [20, 5], [13, 7]]) {
      expect(maxAbs(tf.sub(resizeBilinear(x, h, w), tf.image.resizeBilinear(x, [h, w], false, true)))).toBeLessThan(1e-5);
      const r = tf.randomNormal([1, h, w, 2], 0, 1, 'float32', 6);
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resizeBilinear(input as tf.Tensor4D, h, w), r)))(x);
      expect(gradient.shape).toEqual(x.shape);
      const forward = tf.sum(tf.mul(resizeBilinear(x, h, w), r)).dataSync()[0];
      expect(tf.sum(tf.mul(x, gradient)).dataSync()[0]).toBeCloseTo(forward, 4);
    }
  });
});

describe('laplacianPyramid', () => {
  it('folds back to the image exactly, on odd sizes too; the detail of a constant is 0', () => {
    const x = tf.randomUniform([1, 37, 20, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const bands = laplacianPyramid(x, 5);
    expect(bands.map((b) => b.shape.slice(1, 3))).toEqual([[37, 20], [18, 10], [9, 5], [4, 2], [2, 1], [1, 1]]);
    expect(maxAbs(tf.sub(foldPyramid(bands), x))).toBeLessThan(1e-5);
    expect(maxAbs(laplacian(tf.fill([1, 8, 8, 3], 0.3) as tf.Tensor4D))).toBeLessThan(1e-6);
  });
});

describe('coarseToFine', () => {
  it('halves the size per scale back from the last and drops scales under 32 pixels', () => {
    expect(coarseToFine(300, 200, 256, 4)).toEqual([[64, 43], [128, 85], [256, 171]]);
    expect(coarseToFine(20, 20, 20, 3)).toEqual([[20, 20]]);
    expect(() => coarseToFine(20, 20, 8, 3)).toThrow('coarseToFine: size must be an integer >= 16, got 8');
  });
});

describe('RmsProp', () => {
  it("follows PyTorch's update: the first step is lr/√(1 − ρ) per coordinate, then the square average fills", () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = new RmsProp([v], 0.01);
    optimizer.apply({ [v.name]: tf.tensor1d([2, -0.5]) });
    expect(Array.from(v.dataSync())).toEqual([1 - 0.1, 2 + 0.1].map((x) => expect.closeTo(x, 6)));
    optimizer.apply({ [v.name]: tf.tensor1d([2, -0.5]) });
    const secondStep = 0.01 / Math.sqrt(1 - 0.99 ** 2); // s = (1 − ρ²)·g² after two equal gradients
    expect(Array.from(v.dataSync())).toEqual([1 - 0.1 - secondStep, 2 + 0.1 + secondStep].map((x) => expect.closeTo(x, 5)));
  });
});

describe('styleTransfer', () => {
  const content = () => tf.tidy(() => tf.tanh(tf.mul(tf.randomNormal([1, 48, 48, 3], 0, 1, 'float32', 1), 0.8))) as tf.Tensor4D;
  const style = () => tf.tidy(() => tf.tanh(tf.mul(tf.randomNormal([1, 40, 40, 3], 0.3, 1, 'float32', 2), 0.8))) as tf.Tensor4D;

  it('lowers the objective coarse to fine, reports every step, and leaves no tensor behind', async () => {
    const c = content();
    const s = style();
    const progress: StyleProgress[] = [];
    const before = tf.memory().numTensors;
    const result = await styleTransfer(vgg, c, s, { size: 64, scales: 2, steps: 15, lr: 4e-3, samples: 96, styleSamples: 128, onProgress: (p) => progress.push(p) });
    expect(result.shape).toEqual([1, 64, 64, 3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(tf.tidy(() => tf.min(result).dataSync()[0])).toBeGreaterThanOrEqual(-1);
    expect(tf.tidy(() => tf.max(result).dataSync()[0])).toBeLessThanOrEqual(1);
    expect(progress.map((p) => `${p.scale}/${p.scales} ${p.height}×${p.width}`).filter((v, i, all) => all.indexOf(v) === i)).toEqual(['1/2 32×32', '2/2 64×64']);
    expect(progress).toHaveLength(30);
    const first = progress[0].losses;
    const lastOfScale1 = progress[14].losses;
    expect(Object.values(first).every(Number.isFinite)).toBe(true);
    expect(lastOfScale1.total).toBeLessThan(0.8 * first.total);
    expect(lastOfScale1.remd).toBeLessThan(first.remd);
    tf.dispose([c, s, result]);
  });

  it('stops early on an aborted signal and returns the image so far', async () => {
    const controller = new AbortController();
    let steps = 0;
    const result = await styleTransfer(vgg, content(), style(), {
      size: 40,
      scales: 1,
      steps: 100,
      samples: 64,
      styleSamples: 64,
      signal: controller.signal,
      onProgress: () => ++steps === 3 && controller.abort(),
    });
    expect(steps).toBe(3);
    expect(result.shape).toEqual([1, 40, 40, 3]);
    result.dispose();
  });

  it('names bad inputs', async () => {
    await expect(styleTransfer(vgg, tf.zeros([1, 32, 32, 1]) as tf.Tensor4D, style())).rejects.toThrow('styleTransfer: content must be one RGB image of shape [1, H, W, 3] in [-1, 1], got [1,32,32,1]');
    await expect(styleTransfer(vgg, content(), tf.zeros([1, 8, 8, 3]) as tf.Tensor4D)).rejects.toThrow('styleTransfer: style must be at least 16×16, got 8×8');
    await expect(styleTransfer(vgg, content(), style(), { alpha: 0 })).rejects.toThrow('styleTransfer: alpha must be a finite number > 0, got 0');
    await expect(styleTransfer(vgg, content(), style(), { steps: 0 })).rejects.toThrow('styleTransfer: steps must be an integer >= 1, got 0');
  });
});
