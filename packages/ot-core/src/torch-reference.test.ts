// Agreement with PyTorch on values computed as the official NOT notebooks compute them
// (fixtures/torch-reference.json, made by fixtures/make-torch-reference.py).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adam, quadraticCost, weakQuadraticCost } from './index';

const reference = JSON.parse(readFileSync(new URL('../fixtures/torch-reference.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PyTorch reference', () => {
  it('weak and strong quadratic costs equal the notebooks’ batch means', () => {
    const { x, ys, gamma, value, strong } = reference.weak;
    const [weakMean, strongMean] = tf.tidy(() => {
      const xt = tf.tensor2d(x);
      const yt = tf.tensor3d(ys);
      return [tf.mean(weakQuadraticCost({ gamma }).evaluate(xt, yt)), tf.mean(quadraticCost().evaluate(xt, yt))].map((t) => t.dataSync()[0]);
    });
    expect(weakMean).toBeCloseTo(value, 5);
    expect(strongMean).toBeCloseTo(strong, 5);
  });

  it('Adam follows torch.optim.Adam step by step (weight decay included)', () => {
    const { start, lr, weightDecay, trace } = reference.adam;
    const p = tf.variable(tf.tensor1d(start));
    const c = tf.tensor1d([0.5, 1, -1]);
    const opt = new Adam([p], { lr, weightDecay });
    for (const expected of trace as number[][]) {
      tf.tidy(() => opt.apply(tf.variableGrads(() => tf.add(tf.div(tf.sum(tf.pow(p, 3)), 3), tf.sum(tf.mul(p, c))), [p]).grads));
      Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
  });
});
