import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { cosineCost } from '../costs/cosine';
import { euclideanCost } from '../costs/euclidean';
import { quadraticCost } from '../costs/quadratic';
import { sumCosts } from '../costs/combinators';
import { weakQuadraticCost } from '../costs/weak-quadratic';
import { relaxedEmd } from './relaxed-emd';
import { momentMatching, moments } from './moment-matching';
import { selfSimilarity } from './self-similarity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe('relaxedEmd', () => {
  const a = () => tf.tensor2d([[0, 0], [1, 0]]);
  const b = () => tf.tensor2d([[0, 0], [0, 2], [0, 3]]);

  it('is the larger of the two one-sided nearest-neighbour means (hand-computed)', () => {
    // C = [[0, 2, 3], [1, √5, √10]]: rows' minima 0, 1 (mean 0.5); columns' minima 0, 2, 3 (mean 5/3).
    expect(value(relaxedEmd(a(), b(), euclideanCost()))).toBeCloseTo(5 / 3, 6);
    expect(value(relaxedEmd(b(), a(), euclideanCost()))).toBeCloseTo(5 / 3, 6);
    // Squared distances: rows 0, 1 (0.5); columns 0, 4, 9 (13/3); quadraticCost's 'mean' scale halves them (D = 2).
    expect(value(relaxedEmd(a(), b(), quadraticCost()))).toBeCloseTo(13 / 6, 5);
  });

  it('takes any pairwise cost, sums included, and is 0 between equal sets', () => {
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const y = tf.tensor2d([[1, 1]]);
    // Both points are 45° and 1 away from (1, 1): cosine 1 − 1/√2, Euclidean 1.
    expect(value(relaxedEmd(x, y, sumCosts(cosineCost(), euclideanCost())))).toBeCloseTo(2 - Math.SQRT1_2, 6);
    expect(value(relaxedEmd(x, x, cosineCost()))).toBeCloseTo(0, 6);
  });

  it('moves each point of the worse-matched side towards its nearest neighbour', () => {
    const g = tf.grad((bb: tf.Tensor) => relaxedEmd(a(), bb as tf.Tensor2D, euclideanCost()))(b());
    // The column side wins; b1 = (0, 2) and b2 = (0, 3) are nearest to a0 = (0, 0): gradients (0, 1)/3; b0 sits on a0.
    const values = Array.from(g.dataSync());
    g.dispose();
    [0, 0, 0, 1 / 3, 0, 1 / 3].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 5));
  });

  it('names a cost without a pairwise form and bad shapes', () => {
    expect(() => relaxedEmd(a(), b(), weakQuadraticCost({ gamma: 0.5 }))).toThrow(/relaxedEmd: cost must compare single points .*got "weak-quadratic\(γ=0\.5\)"/);
    expect(() => relaxedEmd(a(), tf.zeros([3, 3]) as tf.Tensor2D, cosineCost())).toThrow('relaxedEmd: a and b must have the same dimension D, got [2,2] and [3,3]');
    expect(() => relaxedEmd(tf.zeros([2]) as unknown as tf.Tensor2D, b(), cosineCost())).toThrow('relaxedEmd: a must be a non-empty point set of shape [N, D], got [2]');
  });
});

describe('momentMatching', () => {
  it('is the mean absolute difference of means plus that of covariances (hand-computed)', () => {
    // 1-D: μ 1 vs 2, Σ 1 vs 2.
    expect(value(momentMatching(tf.tensor2d([[0], [2]]), tf.tensor2d([[1], [1], [4]])))).toBeCloseTo(2, 6);
    // 2-D: μ (1, 1) vs (0, 1): 1/2; Σ [[1, 1], [1, 1]] vs [[0, 0], [0, 1]]: 3/4.
    expect(value(momentMatching(tf.tensor2d([[0, 0], [2, 2]]), tf.tensor2d([[0, 0], [0, 2]])))).toBeCloseTo(1.25, 6);
  });

  it('takes the second set as precomputed moments', () => {
    const b = tf.tensor2d([[0, 0], [0, 2]]);
    const m = moments(b);
    expect(value(momentMatching(tf.tensor2d([[0, 0], [2, 2]]), m))).toBeCloseTo(1.25, 6);
    expect(() => momentMatching(tf.zeros([2, 3]) as tf.Tensor2D, m)).toThrow(/momentMatching: b must be a point set \[M, 3\] or its moments/);
  });

  it('has the gradient of its definition (against finite differences)', () => {
    const b = tf.tensor2d([[0, 1, 0.5], [2, 0, 1], [1, 1, 3]]);
    const loss = (a: tf.Tensor) => momentMatching(a as tf.Tensor2D, b);
    const a = [[0.3, -1, 2], [1.5, 0.2, -0.4], [0.1, 0.8, 1.1], [-0.6, 0.4, 0.9]];
    const gradient = tf.grad(loss)(tf.tensor2d(a)).arraySync() as number[][];
    const h = 1e-2;
    for (const [i, j] of [[0, 0], [1, 2], [3, 1]]) {
      const shifted = (d: number) => value(loss(tf.tensor2d(a.map((row, r) => row.map((v, c) => (r === i && c === j ? v + d : v))))));
      expect(gradient[i][j]).toBeCloseTo((shifted(h) - shifted(-h)) / (2 * h), 3);
    }
  });

  it('is 0 for a reordered copy', () => {
    expect(value(momentMatching(tf.tensor2d([[0, 1], [2, 5], [3, 3]]), tf.tensor2d([[3, 3], [0, 1], [2, 5]])))).toBeCloseTo(0, 6);
  });
});

describe('selfSimilarity', () => {
  it('compares the column-normalized cost matrices within each set (hand-computed)', () => {
    // A columns [0, 1/4, 3/4], [1/3, 0, 2/3], [3/5, 2/5, 0]; B columns [0, 1/3, 2/3], [1/2, 0, 1/2], [2/3, 1/3, 0].
    const expected = (1 / 12 + 1 / 12 + 1 / 6 + 1 / 6 + 1 / 15 + 1 / 15) / 9;
    expect(value(selfSimilarity(tf.tensor2d([[0], [1], [3]]), tf.tensor2d([[0], [1], [2]]), euclideanCost()))).toBeCloseTo(expected, 6);
  });

  it('ignores the scale and the space of the second set', () => {
    const a = tf.tensor2d([[0], [1], [3]]);
    const b = tf.tensor2d([[0, 0], [0, 5], [0, 15]]);
    expect(value(selfSimilarity(a, b, euclideanCost()))).toBeCloseTo(0, 6);
    expect(value(selfSimilarity(tf.zeros([3, 2]) as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D, euclideanCost()))).toBe(0);
  });

  it('needs the same points on both sides', () => {
    expect(() => selfSimilarity(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D, cosineCost())).toThrow('selfSimilarity: a and b must hold the same N points, got [3,2] and [4,2]');
  });
});
