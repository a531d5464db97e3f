import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import { lpipsWeightShapes } from '../lpips/lpips-architecture';
import { VGG16_LAYERS, vgg16Trunk } from './vgg16-architecture';
import { Vgg16Features } from './vgg16-features';
import { loadVgg16Features } from './load-vgg16-features';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const widths = [2, 3, 4, 5, 6];

/** Random torchvision-keyed weights for a narrow VGG16. */
function weights(): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const step of vgg16Trunk(VGG16_LAYERS, widths)) {
    if (step.kind !== 'conv') continue;
    out[`features.${step.index}.weight`] = tf.randomNormal([step.outChannels, step.inChannels, 3, 3], 0, 0.3, 'float32', step.index);
    out[`features.${step.index}.bias`] = tf.fill([step.outChannels], 0.05);
  }
  return out;
}

describe('Vgg16Features', () => {
  it("follows torchvision's layout: indices, channels and strides of each ReLU layer", () => {
    const convs = vgg16Trunk(VGG16_LAYERS).filter((s) => s.kind === 'conv').map((s) => (s.kind === 'conv' ? s.index : -1));
    expect(convs).toEqual([0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]);
    // LPIPS' VGG trunk is the same network tapped at relu1_2 … relu5_3.
    expect(lpipsWeightShapes('vgg').filter(([k]) => k.endsWith('.weight') && k.startsWith('features.')).map(([k]) => Number(k.split('.')[1]))).toEqual(convs);
    const vgg = Vgg16Features.fromWeights(weights(), { layers: ['relu1_1', 'relu2_2', 'relu4_3', 'relu5_1'], widths });
    expect(vgg.channels).toEqual([2, 3, 5, 6]);
    expect(vgg.strides).toEqual([1, 2, 8, 16]);
    const maps = vgg.apply(tf.zeros([2, 32, 48, 3]) as tf.Tensor4D);
    expect(maps.map((m) => m.shape)).toEqual([[2, 32, 48, 2], [2, 16, 24, 3], [2, 4, 6, 5], [2, 2, 3, 6]]);
    tf.dispose(maps);
  });

  it('is differentiable with respect to the image and leaves nothing behind', () => {
    const vgg = Vgg16Features.fromWeights(weights(), { layers: ['relu3_3'], widths });
    const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) => tf.sum(vgg.apply(input as tf.Tensor4D)[0]))(x);
    expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad layers, weights and images', async () => {
    expect(() => Vgg16Features.fromWeights(weights(), { layers: ['relu6_1' as never], widths })).toThrow('Vgg16Features: unknown VGG16 layer "relu6_1"; expected one of relu1_1');
    expect(() => Vgg16Features.fromWeights(weights(), { layers: ['relu2_1', 'relu1_1'], widths })).toThrow('Vgg16Features: layers must be in network order without repeats, got relu2_1, relu1_1');
    const missing = weights();
    delete missing['features.7.bias'];
    expect(() => Vgg16Features.fromWeights(missing, { widths })).toThrow(`Vgg16Features: the weights lack "features.7.bias" (expected shape [3]); they must be torchvision's VGG16 (vgg16-397923af.pth)`);
    expect(() => Vgg16Features.fromWeights(weights())).toThrow('Vgg16Features: "features.0.weight" must have shape [64,3,3,3], got [2,3,3,3]');
    const vgg = Vgg16Features.fromWeights(weights(), { widths });
    expect(() => vgg.apply(tf.zeros([1, 8, 32, 3]) as tf.Tensor4D)).toThrow('Vgg16Features.apply: images must be at least 16×16 for layer relu5_3, got 8×32');
    expect(() => vgg.apply(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow('Vgg16Features.apply: expected RGB images [B, H, W, 3], got [1,32,32,1]');
    await expect(loadVgg16Features({ path: '/nonexistent/vgg16.pth' })).rejects.toThrow('loadVgg16Features: no weight file at "/nonexistent/vgg16.pth" (options.path)');
  });
});
