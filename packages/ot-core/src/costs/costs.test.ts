import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { quadraticCost } from './quadratic';
import { weakQuadraticCost } from './weak-quadratic';
import { defineCost, scaleCost, sumCosts } from './combinators';
import { cosineCost } from './cosine';
import { euclideanCost } from './euclidean';
import { linearRamp } from '../schedule';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('quadraticCost', () => {
  it('is the per-element mean squared distance by default and ½||x−y||² on request', () => {
    const x = tf.tensor2d([[0, 0, 0], [1, 2, 3]]);
    const ys = tf.tensor3d([[[1, 2, 2]], [[1, 2, 5]]]);
    expect(values(quadraticCost().evaluate(x, ys))).toEqual([3, 4 / 3].map((v) => expect.closeTo(v, 6)));
    expect(values(quadraticCost({ scale: 'half-sum' }).evaluate(x, ys))).toEqual([4.5, 2].map((v) => expect.closeTo(v, 6)));
  });

  it('averages over K outputs and flattens image-shaped samples', () => {
    const x = tf.zeros([1, 2, 2, 1]);
    const ys = tf.stack([tf.stack([tf.ones([2, 2, 1]), tf.fill([2, 2, 1], 3)])]);
    expect(values(quadraticCost().evaluate(x, ys))).toEqual([expect.closeTo((1 + 9) / 2, 6)]);
  });

  it('names the bad shape', () => {
    expect(() => quadraticCost().evaluate(tf.zeros([2, 3]), tf.zeros([2, 3]))).toThrow(/quadraticCost: ys must have shape \[B, K, \.\.\.x\.shape\[1:\]\]/);
    expect(() => quadraticCost().evaluate(tf.zeros([2, 3]), tf.zeros([2, 1, 4]))).toThrow(/\[2, K, 3\]/);
  });
});

describe('weakQuadraticCost', () => {
  it('rejects K < 2 and negative or non-finite γ', () => {
    const cost = weakQuadraticCost({ gamma: 0.5 });
    expect(() => cost.evaluate(tf.zeros([2, 3]), tf.zeros([2, 1, 3]))).toThrow('weakQuadraticCost: K must be >= 2, got 1');
    expect(() => weakQuadraticCost({ gamma: -1 })).toThrow('weakQuadraticCost: gamma must be a finite number >= 0, got -1');
    expect(() => weakQuadraticCost({ gamma: () => NaN }).evaluate(tf.zeros([1, 1]), tf.zeros([1, 2, 1]))).toThrow(/got NaN/);
  });

  it('is an unbiased estimate of E||x−y||² − γ Var(μ) (statistical test over many seeds)', () => {
    // μ = N(m, s²I) in D dims, x fixed: exact weak cost = (||x−m||² + D s²(1 − γ)) / D with the 'mean' scale.
    const D = 4;
    const K = 3;
    const gamma = 0.7;
    const m = [0.5, -1, 2, 0];
    const s = 1.5;
    const xs = [1, 0, 0, -1];
    const exact = (m.reduce((acc, mi, i) => acc + (xs[i] - mi) ** 2, 0) + D * s * s * (1 - gamma)) / D;
    const trials = 4000;
    const estimates = tf.tidy(() => {
      const x = tf.tile(tf.tensor2d([xs]), [trials, 1]);
      const ys = tf.add(tf.mul(tf.randomNormal([trials, K, D], 0, 1, 'float32', 7), s), tf.tensor1d(m));
      return weakQuadraticCost({ gamma }).evaluate(x, ys);
    });
    const v = values(estimates);
    const mean = v.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1));
    // Within 4 standard errors of the exact value; a biased estimator (e.g. the 1/K plug-in variance) fails this.
    expect(Math.abs(mean - exact)).toBeLessThan((4 * sd) / Math.sqrt(trials));
    const plugIn = tf.tidy(() => {
      const x = tf.tile(tf.tensor2d([xs]), [trials, 1]);
      const ys = tf.add(tf.mul(tf.randomNormal([trials, K, D], 0, 1, 'float32', 7), s), tf.tensor1d(m));
      const ybar = tf.mean(ys, 1);
      return tf.div(tf.sub(tf.sum(tf.square(tf.sub(ybar, x)), 1), tf.mul(tf.sum(tf.mean(tf.square(tf.sub(ys, tf.expandDims(ybar, 1))), 1), 1), gamma)), D);
    });
    const pv = values(plugIn);
    const plugMean = pv.reduce((a, b) => a + b, 0) / trials;
    expect(Math.abs(plugMean - exact)).toBeGreaterThan((4 * sd) / Math.sqrt(trials));
  });

  it('at γ = 0 agrees with the strong cost in expectation', () => {
    const trials = 3000;
    const [weak, strong] = tf.tidy(() => {
      const x = tf.randomNormal([trials, 5], 0, 1, 'float32', 1);
      const ys = tf.randomNormal([trials, 4, 5], 1, 2, 'float32', 2);
      return [weakQuadraticCost({ gamma: 0 }).evaluate(x, ys), quadraticCost().evaluate(x, ys)];
    });
    const w = values(weak);
    const s = values(strong);
    const diff = w.map((wi, i) => wi - s[i]);
    const meanDiff = diff.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(diff.reduce((a, b) => a + (b - meanDiff) ** 2, 0) / (trials - 1));
    expect(Math.abs(meanDiff)).toBeLessThan((4 * sd) / Math.sqrt(trials));
  });

  it('reads γ from a schedule at the given step', () => {
    const cost = weakQuadraticCost({ gamma: linearRamp({ from: 0, to: 1, steps: 10 }) });
    const x = tf.zeros([1, 1]);
    const ys = tf.tensor3d([[[1], [3]]]);
    // ||x−ȳ||² = 4, s² = 2, K = 2: 4 + (1 − γ − ½)·2
    expect(values(cost.evaluate(x, ys, { step: 0 }))).toEqual([expect.closeTo(5, 5)]);
    expect(values(cost.evaluate(x, ys, { step: 5 }))).toEqual([expect.closeTo(4, 5)]);
    expect(values(cost.evaluate(x, ys, { step: 50 }))).toEqual([expect.closeTo(3, 5)]);
  });
});

describe('combinators', () => {
  const x = tf.tensor2d([[0, 1], [2, 2]]);
  const ys = tf.tensor3d([[[1, 1], [0, 3]], [[2, 0], [1, 1]]]);
  const l1 = defineCost({ name: 'l1', evaluate: (a, b) => tf.mean(tf.sum(tf.abs(tf.sub(b, tf.expandDims(a, 1))), 2), 1) });

  it('sums and scales linearly', () => {
    const q = quadraticCost();
    const combined = values(sumCosts(q, scaleCost(l1, 0.1)).evaluate(x, ys));
    const expected = values(q.evaluate(x, ys)).map((v, i) => v + 0.1 * values(l1.evaluate(x, ys))[i]);
    combined.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const twice = values(sumCosts(q, q).evaluate(x, ys));
    values(scaleCost(q, 2).evaluate(x, ys)).forEach((v, i) => expect(v).toBeCloseTo(twice[i], 5));
  });

  it('needs as many samples as the most demanding term', () => {
    expect(sumCosts(quadraticCost(), weakQuadraticCost({ gamma: 1 })).minSamples).toBe(2);
    expect(sumCosts(quadraticCost(), weakQuadraticCost({ gamma: 1 })).name).toBe('quadratic + weak-quadratic(γ=1)');
  });

  it('checks what a user cost returns', () => {
    const bad = defineCost({ name: 'bad', evaluate: (a) => tf.zeros([a.shape[0], 2]) });
    expect(() => bad.evaluate(x, ys)).toThrow('cost "bad": evaluate must return shape [2], got [2,2]');
    expect(() => defineCost({ name: 'k', minSamples: 0, evaluate: (a) => a })).toThrow('defineCost: minSamples must be a positive integer, got 0');
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) values(sumCosts(quadraticCost(), scaleCost(l1, 0.5)).evaluate(x, ys));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('pairwise point costs', () => {
  const matrix = (t: tf.Tensor) => {
    const v = t.arraySync() as number[][];
    t.dispose();
    return v;
  };
  const close = (rows: number[][]) => rows.map((r) => r.map((v) => expect.closeTo(v, 5)));
  const a = () => tf.tensor2d([[0, 0], [3, 4]]);
  const b = () => tf.tensor2d([[3, 0], [0, 2], [6, 8]]);

  it('give c(a_i, b_j) for every pair (hand-computed)', () => {
    expect(matrix(euclideanCost().pairwise!(a(), b()))).toEqual(close([[3, 2, 10], [4, Math.sqrt(13), 5]]));
    expect(matrix(quadraticCost({ scale: 'half-sum' }).pairwise!(a(), b()))).toEqual(close([[4.5, 2, 50], [8, 6.5, 12.5]]));
    // The zero vector has cosine 0 to everything; (3, 4) vs (3, 0): cos 3/5; vs (0, 2): 4/5; vs (6, 8): 1.
    expect(matrix(cosineCost().pairwise!(a(), b()))).toEqual(close([[1, 1, 1], [0.4, 0.2, 0]]));
  });

  it('agree with their transport form on K = 1', () => {
    for (const cost of [euclideanCost(), cosineCost(), quadraticCost()]) {
      const x = tf.tensor2d([[1, 2], [-1, 0.5]]);
      const y = tf.tensor2d([[0, 1], [2, 2]]);
      const diagonal = tf.tidy(() => tf.sum(tf.mul(cost.pairwise!(x, y), tf.eye(2)), 1));
      expect(values(cost.evaluate(x, tf.expandDims(y, 1)))).toEqual(values(diagonal).map((v) => expect.closeTo(v, 5)));
    }
  });

  it('carry through sumCosts, scaleCost and defineCost; a sum with a cost lacking it has none', () => {
    const sum = sumCosts(euclideanCost(), scaleCost(quadraticCost({ scale: 'half-sum' }), 2));
    expect(matrix(sum.pairwise!(a(), b()))).toEqual(close([[12, 6, 110], [20, 13 + Math.sqrt(13), 30]]));
    const manhattan = defineCost({
      name: 'manhattan',
      evaluate: (x, ys) => tf.mean(tf.sum(tf.abs(tf.sub(ys, tf.expandDims(x, 1))), 2), 1),
      pairwise: (p, q) => tf.sum(tf.abs(tf.sub(tf.expandDims(p, 1), tf.expandDims(q, 0))), 2) as tf.Tensor2D,
    });
    expect(matrix(manhattan.pairwise!(a(), b()))).toEqual(close([[3, 2, 14], [4, 5, 7]]));
    expect(sumCosts(euclideanCost(), weakQuadraticCost({ gamma: 1 })).pairwise).toBeUndefined();
    expect(() => euclideanCost().pairwise!(a(), tf.zeros([2, 3]) as tf.Tensor2D)).toThrow('euclideanCost.pairwise: a and b must have the same dimension D, got [2,2] and [2,3]');
  });

  it('keep finite gradients where points coincide', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(euclideanCost().pairwise!(x as tf.Tensor2D, tf.tensor2d([[1, 1]]))))(tf.tensor2d([[1, 1]]));
    expect(values(g).every(Number.isFinite)).toBe(true);
  });
});
