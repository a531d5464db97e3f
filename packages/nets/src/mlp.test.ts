import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import { Mlp } from './mlp';
import { MlpMap } from './mlp-map';
import { MlpPotential } from './mlp-potential';
import { sigmaEmbedding } from './sigma-embedding';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Mlp', () => {
  it('names parameters like a PyTorch nn.Sequential with [out, in] weights', () => {
    const mlp = new Mlp({ inputs: 3, outputs: 2, hidden: [5, 4] });
    const shapes = Object.fromEntries(Object.entries(mlp.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'net.0.weight': [5, 3], 'net.0.bias': [5],
      'net.2.weight': [4, 5], 'net.2.bias': [4],
      'net.4.weight': [2, 4], 'net.4.bias': [2],
    });
    mlp.dispose();
  });

  it("initialises like PyTorch's nn.Linear: U(−1/√fan_in, 1/√fan_in)", () => {
    const mlp = new Mlp({ inputs: 400, outputs: 1, hidden: [300], seed: 4 });
    const w = Array.from(mlp.stateDict()['net.0.weight'].dataSync());
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 5);
    mlp.dispose();
  });

  it('computes Linear → activation → Linear exactly', () => {
    const mlp = new Mlp({ inputs: 2, outputs: 1, hidden: [2] });
    mlp.loadStateDict({
      'net.0.weight': tf.tensor2d([[1, -1], [2, 0]]), 'net.0.bias': tf.tensor1d([0, -5]),
      'net.2.weight': tf.tensor2d([[3, 1]]), 'net.2.bias': tf.tensor1d([0.5]),
    });
    // x = (2, 1): hidden = relu(1, −1) = (1, 0); out = 3 + 0.5
    expect(Array.from(mlp.apply(tf.tensor2d([[2, 1]])).dataSync())).toEqual([3.5]);
    mlp.dispose();
  });

  it('is reproducible for a seed and explains bad state dicts', () => {
    const a = new Mlp({ inputs: 2, outputs: 2, seed: 9 });
    const b = new Mlp({ inputs: 2, outputs: 2, seed: 9 });
    expect(Array.from(a.stateDict()['net.0.weight'].dataSync())).toEqual(Array.from(b.stateDict()['net.0.weight'].dataSync()));
    const state = { ...a.stateDict() };
    delete state['net.2.bias'];
    expect(() => b.loadStateDict(state)).toThrow('Mlp.loadStateDict: missing "net.2.bias" (expected shape [128])');
    expect(() => b.loadStateDict({ ...a.stateDict(), 'net.0.weight': tf.zeros([2, 2]) })).toThrow('"net.0.weight" has shape [2,2], expected [128,2]');
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: tf.zeros([1]) })).toThrow('Mlp.loadStateDict: unexpected keys "extra"');
    expect(() => new Mlp({ inputs: 2, outputs: 2, activation: 'gelu' as never })).toThrow(/unknown activation "gelu"/);
    a.dispose();
    b.dispose();
  });
});

describe('MlpMap', () => {
  it('with a linear skip starts near the identity plus a small network output', () => {
    const map = new MlpMap({ dim: 3, skip: 'linear', seed: 1 });
    const x = tf.tensor2d([[1, 2, 3], [-1, 0, 1]]);
    const withSkip = map.apply(x);
    const state = map.stateDict();
    expect(Array.from(state['skip.weight'].dataSync())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const plain = new MlpMap({ dim: 3, seed: 1 });
    const difference = tf.sub(withSkip, plain.apply(x));
    expect(Array.from(difference.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([1, 2, 3, -1, 0, 1]);
    map.dispose();
    plain.dispose();
  });

  it('takes noise when stochastic and checks its shape', () => {
    const map = new MlpMap({ dim: 2, noiseDim: 3 });
    expect(map.noiseShape(5)).toEqual([5, 3]);
    expect(map.apply(tf.zeros([5, 2]), tf.zeros([5, 3])).shape).toEqual([5, 2]);
    expect(() => map.apply(tf.zeros([5, 2]))).toThrow('MlpMap.apply: expected noise z [5, 3], got none');
    expect(() => map.apply(tf.zeros([5, 2]), tf.zeros([4, 3]))).toThrow('expected noise z [5, 3], got [4,3]');
    expect(new MlpMap({ dim: 2 }).noiseShape(5)).toBeNull();
    expect(() => map.apply(tf.zeros([5, 4]), tf.zeros([5, 3]))).toThrow('MlpMap.apply: expected x [B, 2], got [5,4]');
  });

  it('round-trips its state dict, skip included', () => {
    const a = new MlpMap({ dim: 2, skip: 'linear', seed: 1 });
    const b = new MlpMap({ dim: 2, skip: 'linear', seed: 2 });
    b.loadStateDict(a.stateDict());
    const x = tf.randomNormal([4, 2], 0, 1, 'float32', 3);
    expect(Array.from(b.apply(x).dataSync())).toEqual(Array.from(a.apply(x).dataSync()));
  });
});

describe('MlpPotential', () => {
  it('returns [B] scores; the quadratic term adds yᵀMy', () => {
    const f = new MlpPotential({ dim: 2, quadratic: true, seed: 3 });
    const y = tf.tensor2d([[1, 2], [0, -1], [3, 0]]);
    const base = Array.from(f.apply(y).dataSync());
    expect(base).toHaveLength(3);
    f.stateDict()['quadratic.weight'].dataSync();
    (f.stateDict()['quadratic.weight'] as tf.Variable).assign(tf.tensor2d([[1, 0], [2, -1]]));
    const withQ = Array.from(f.apply(y).dataSync());
    // yᵀMy for the rows: (1,2) → 1 + 4 − 4 = 1; (0,−1) → −1; (3,0) → 9
    [1, -1, 9].forEach((q, i) => expect(withQ[i] - base[i]).toBeCloseTo(q, 4));
  });

  it('conditions on σ when asked and requires it then', () => {
    const f = new MlpPotential({ dim: 2, noiseConditioned: true, seed: 1 });
    const y = tf.zeros([2, 2]);
    expect(() => f.apply(y)).toThrow('MlpPotential.apply: this potential is noise-conditioned and needs sigma of shape [2], got none');
    const small = Array.from(f.apply(y, { sigma: tf.tensor1d([0.1, 0.1]) }).dataSync());
    const large = Array.from(f.apply(y, { sigma: tf.tensor1d([10, 10]) }).dataSync());
    expect(small[0]).not.toBeCloseTo(large[0], 6);
  });

  it('σ features are bounded sinusoids of ln σ / 4', () => {
    const e = sigmaEmbedding(tf.tensor1d([1, Math.E ** 4]), 4).arraySync();
    // c = 0 → cos 0 = 1, sin 0 = 0; c = 1 → frequencies 1 and 100.
    expect(e[0]).toEqual([1, 1, 0, 0]);
    [Math.cos(1), Math.cos(100), Math.sin(1), Math.sin(100)].forEach((v, i) => expect(e[1][i]).toBeCloseTo(v, 4));
  });
});
