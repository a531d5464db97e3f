import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, type TransportMap, quadraticCost } from '@not/ot-core';
import { affineMap, quadraticPotential } from '@not/ot-core/testing';
import { type IndexedSampler, pushforwardCached, pushforwardOnTheFly } from './pushforward-sampler';
import { Stack } from './stack';
import { trainStack } from './train-stack';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A finite set of `count` 2-d points drawn uniformly with replacement by a seeded, resumable index stream. */
function pointSet(count: number, seed: number): IndexedSampler<ReturnType<Rng['getState']>> & { data: Float32Array } {
  const data = Float32Array.from({ length: count * 2 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 2));
  const rng = new Rng(seed);
  const at = (indices: number[]) => tf.tensor2d(indices.flatMap((i) => [data[2 * i], data[2 * i + 1]]), [indices.length, 2]);
  const next = (n: number) => Array.from({ length: n }, () => rng.int(count));
  return {
    data,
    shape: [2],
    length: count,
    nextIndices: next,
    batchAt: at,
    sample: (n) => at(next(n)),
    state: () => rng.getState(),
    restore: (s) => rng.setState(s),
  };
}

/** x ↦ x·W + b with fixed random weights, optionally with noise. */
function randomAffine(seed: number, noiseDim = 0): TransportMap {
  const map = affineMap(2, noiseDim);
  const rng = new Rng(seed);
  map.loadStateDict(
    Object.fromEntries(Object.entries(map.stateDict()).map(([k, v]) => [k, tf.tensor(Array.from({ length: v.size }, () => rng.normal()), v.shape)])),
  );
  return map;
}

const rows = (t: tf.Tensor) => Array.from(t.dataSync());

describe('push-forward samplers', () => {
  const stack = new Stack([randomAffine(1), randomAffine(2)]);

  it('on the fly: a draw is the frozen maps applied to the base sampler\'s next draw', () => {
    const base = pointSet(50, 3);
    const twin = pointSet(50, 3);
    const pushed = pushforwardOnTheFly(base, stack);
    expect(pushed.mode).toBe('on-the-fly');
    for (let k = 0; k < 3; k++) {
      const x = twin.sample(8);
      expect(rows(pushed.sample(8))).toEqual(rows(stack.apply(x)));
    }
  });

  it('cached: a draw is the frozen maps applied to the items at the indices the base draws, in the same order', async () => {
    const base = pointSet(50, 3);
    const twin = pointSet(50, 3);
    const pushed = await pushforwardCached(base, stack, { batchSize: 7 });
    expect(pushed.mode).toBe('cached');
    for (let k = 0; k < 3; k++) {
      const expected = stack.apply(twin.batchAt(twin.nextIndices(8)));
      const got = pushed.sample(8);
      rows(got).forEach((v, i) => expect(v).toBeCloseTo(rows(expected)[i], 5));
    }
  });

  it('restores: state() and restore() replay the same draws, noise included', async () => {
    const noisy = new Stack([randomAffine(4, 1)]);
    for (const make of [() => pushforwardOnTheFly(pointSet(50, 5), noisy, { seed: 9 }), () => pushforwardCached(pointSet(50, 5), stack)]) {
      const pushed = await make();
      pushed.sample(5);
      const saved = pushed.state();
      const first = rows(pushed.sample(5));
      const again = await make();
      again.restore(saved);
      expect(rows(again.sample(5))).toEqual(first);
    }
  });

  it('trainStack caches the push-forward when that needs fewer forward passes', async () => {
    const run = (overrides = {}) =>
      trainStack({
        source: pointSet(64, 1),
        target: pointSet(64, 2),
        stages: [{ steps: 3 }, { steps: 4 }],
        makeMap: () => affineMap(2),
        makePotential: () => quadraticPotential(2),
        cost: quadraticCost({ scale: 'half-sum' }),
        batchSize: 16,
        tIters: 3,
        mapOptimizer: { lr: 0.01 },
        seed: 1,
        ...overrides,
      });
    const auto = await run();
    expect(auto.reports.map((r) => r.pushforward)).toEqual(['none', 'cached']);
    const onTheFly = await run({ pushforward: 'on-the-fly' });
    expect(onTheFly.reports[1].pushforward).toBe('on-the-fly');
    // Both train on T1♯P; only the order of the draws differs (the cache gathers, on the fly draws afresh).
    expect(rows(auto.maps[0].stateDict().weight)).toEqual(rows(onTheFly.maps[0].stateDict().weight));
  });
});
