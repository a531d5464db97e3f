import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { Adam } from './adam';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's Adam written out in float64 for one scalar parameter. */
function referenceAdam(theta: number, grads: ((p: number) => number), steps: number, lr: number, wd: number) {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = 0;
  let v = 0;
  for (let t = 1; t <= steps; t++) {
    const g = grads(theta) + wd * theta;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    theta -= (lr / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
  }
  return theta;
}

describe('Adam', () => {
  it('matches PyTorch Adam semantics (bias correction, eps, coupled weight decay)', () => {
    const p = tf.variable(tf.tensor1d([2, -3]));
    const opt = new Adam([p], { lr: 0.1, weightDecay: 0.01 });
    for (let i = 0; i < 25; i++) {
      tf.tidy(() => {
        // loss = Σ p³/3 → grad p²
        const { grads } = tf.variableGrads(() => tf.sum(tf.div(tf.pow(p, 3), 3)), [p]);
        opt.apply(grads);
      });
    }
    const got = Array.from(p.dataSync());
    expect(got[0]).toBeCloseTo(referenceAdam(2, (x) => x * x, 25, 0.1, 0.01), 4);
    expect(got[1]).toBeCloseTo(referenceAdam(-3, (x) => x * x, 25, 0.1, 0.01), 4);
    expect(opt.steps).toBe(25);
  });

  it('saves and restores its state so a resumed run continues identically', () => {
    const run = (resumeAt: number | null) => {
      const p = tf.variable(tf.tensor1d([1, 2, 3]));
      let opt = new Adam([p], { lr: 0.05 });
      for (let i = 0; i < 10; i++) {
        if (i === resumeAt) {
          const state = Object.fromEntries(Object.entries(opt.stateDict()).map(([k, v]) => [k, tf.clone(v)]));
          const steps = opt.steps;
          opt.dispose();
          opt = new Adam([p], { lr: 0.05 });
          opt.loadStateDict(state, steps);
          Object.values(state).forEach((t) => t.dispose());
        }
        tf.tidy(() => opt.apply(tf.variableGrads(() => tf.sum(tf.square(tf.sub(p, 5))), [p]).grads));
      }
      const out = Array.from(p.dataSync());
      opt.dispose();
      p.dispose();
      return out;
    };
    expect(run(4)).toEqual(run(null));
  });

  it('rejects bad settings and bad state', () => {
    const p = tf.variable(tf.zeros([2]));
    expect(() => new Adam([p], { lr: 0 })).toThrow('Adam: lr must be > 0, got 0');
    const opt = new Adam([p]);
    expect(() => opt.loadStateDict({}, 1)).toThrow('Adam.loadStateDict: missing "m.0"');
    expect(() => opt.loadStateDict({ 'm.0': tf.zeros([3]), 'v.0': tf.zeros([2]) }, 1)).toThrow('"m.0" has shape [3], expected [2]');
  });
});
