import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adam } from '@not/ot-core';
import { ResNetPotential } from './resnet-potential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainable = (m: { variables: tf.Variable[] }) => m.variables.reduce((a, v) => a + v.size, 0);

describe('ResNetPotential', () => {
  it('has the reference parameter counts (REFERENCE §1(b))', () => {
    // filters 16 differs from REFERENCE's 4,109,937 by 4,096: that number sizes fc with the reference's formula
    // (256·16 inputs), with which ResNet_D(64, nfilter=16) cannot run; fc here takes the real 512·16.
    const cases: [number, number, number][] = [[64, 64, 22_933_441], [128, 64, 32_372_673], [64, 32, 13_541_601], [64, 16, 4_114_033]];
    for (const [size, filters, want] of cases) {
      const f = new ResNetPotential({ size, filters });
      expect(trainable(f), `ResNetPotential(size ${size}, filters ${filters})`).toBe(want);
      f.dispose();
    }
  });

  it("uses the reference's names, counts pooling entries in the block indices, and sizes fc from the last block", () => {
    const f = new ResNetPotential({ size: 16, filters: 4, maxFilters: 32 });
    const shapes = Object.fromEntries(Object.entries(f.stateDict()).map(([k, v]) => [k, v.shape]));
    const block = (i: number, fin: number, fout: number) => {
      const h = Math.min(fin, fout);
      return {
        [`resnet.${i}.conv_0.weight`]: [h, fin, 3, 3], [`resnet.${i}.conv_0.bias`]: [h],
        [`resnet.${i}.conv_1.weight`]: [fout, h, 3, 3], [`resnet.${i}.conv_1.bias`]: [fout],
        ...(fin !== fout ? { [`resnet.${i}.conv_s.weight`]: [fout, fin, 1, 1] } : {}),
      };
    };
    const want = {
      'conv_img.weight': [4, 3, 3, 3], 'conv_img.bias': [4],
      ...block(0, 4, 4), ...block(1, 4, 8), ...block(3, 8, 8), ...block(4, 8, 16), ...block(6, 16, 16), ...block(7, 16, 32),
      'fc.weight': [1, 32 * 16], 'fc.bias': [1],
    };
    expect(Object.keys(shapes)).toEqual(Object.keys(want));
    expect(shapes).toEqual(want);
    expect(f.variables).toHaveLength(Object.keys(want).length);
    f.dispose();
  });

  it('initialises conv weights N(0, 2/fan_out) (weights_init_D), conv biases and fc with PyTorch defaults', () => {
    const f = new ResNetPotential({ size: 16, filters: 32, maxFilters: 64, seed: 2 });
    const state = f.stateDict();
    const w = Array.from(state['resnet.4.conv_1.weight'].dataSync()); // 32 → 64 channels, fan_out = 64·9
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std / Math.sqrt(2 / (64 * 9))).toBeCloseTo(1, 1);
    const bias = Array.from(state['resnet.4.conv_1.bias'].dataSync());
    expect(Math.max(...bias.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32 * 9));
    const fc = Array.from(state['fc.weight'].dataSync());
    expect(Math.max(...fc.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(64 * 16));
    f.dispose();
  });

  it('maps [B, size, size, channels] to [B], checks shapes and state dicts', () => {
    const f = new ResNetPotential({ size: 16, channels: 1, filters: 2, maxFilters: 8, seed: 1 });
    expect(f.noiseConditioned).toBe(false);
    expect(f.apply(tf.randomNormal([3, 16, 16, 1], 0, 1, 'float32', 1)).shape).toEqual([3]);
    expect(() => f.apply(tf.zeros([3, 16, 16, 3]))).toThrow('ResNetPotential.apply: expected y of shape [B, 16, 16, 1], got [3,16,16,3]');
    expect(() => new ResNetPotential({ size: 48 })).toThrow('ResNetPotential: size must be a power of two >= 16, got 48');
    expect(() => new ResNetPotential({ size: 16, filters: 0 })).toThrow('ResNetPotential: filters must be a positive integer, got 0');
    const g = new ResNetPotential({ size: 16, channels: 1, filters: 2, maxFilters: 8, seed: 9 });
    g.loadStateDict(f.stateDict());
    const y = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 2);
    expect(Array.from(g.apply(y).dataSync())).toEqual(Array.from(f.apply(y).dataSync()));
    expect(() => g.loadStateDict({ ...f.stateDict(), 'fc.weight': tf.zeros([1, 64]) })).toThrow('ResNetPotential.loadStateDict: "fc.weight" has shape [1,64], expected [1,128]');
    const partial = { ...f.stateDict() };
    delete partial['resnet.1.conv_s.weight'];
    expect(() => g.loadStateDict(partial)).toThrow('ResNetPotential.loadStateDict: missing "resnet.1.conv_s.weight"');
    f.dispose();
    g.dispose();
  });

  it('trains without leaking tensors (an Adam step keeps tf.memory().numTensors)', () => {
    const f = new ResNetPotential({ size: 16, filters: 2, maxFilters: 8, seed: 3 });
    const opt = new Adam(f.variables, { lr: 1e-3 });
    const y = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 7);
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 8);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sub(tf.mean(f.apply(x)), tf.mean(f.apply(y))) as tf.Scalar, f.variables);
      opt.apply(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, grads]);
      return loss;
    };
    const first = step();
    const before = tf.memory().numTensors;
    expect(step()).toBeLessThan(first);
    expect(tf.memory().numTensors).toBe(before);
    f.dispose();
  });
});
