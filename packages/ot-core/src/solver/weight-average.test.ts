import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { affineMap } from '../testing/affine-modules';
import { WeightAverage } from './weight-average';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('WeightAverage', () => {
  it('follows avg_t = d_t·avg + (1 − d_t)·w_t with d_t = min(decay, (1 + t)/(warmup + t)) from the initial weights', () => {
    const map = affineMap(1);
    const weight = map.stateDict().weight as tf.Variable;
    const average = new WeightAverage(map, { decay: 0.9, warmup: 4 });
    const values = [3, -1, 2, 5, 5, 0.5, -2, 4, 1, 1, 7, 2];
    let expected = 1; // the identity map's weight
    for (const [i, w] of values.entries()) {
      tf.tidy(() => weight.assign(tf.tensor2d([[w]])));
      average.update();
      const d = Math.min(0.9, (2 + i) / (5 + i));
      expected = d * expected + (1 - d) * w;
      expect(average.stateDict().weight.dataSync()[0]).toBeCloseTo(expected, 5);
    }
    // Warm-up: the first update keeps 2/5 of the start, and from t = 26 on the decay is 0.9.
    expect(average.decayAt(1)).toBeCloseTo(0.4, 10);
    expect(average.decayAt(26)).toBe(0.9);
    expect(average.steps).toBe(values.length);
    average.dispose();
    map.dispose();
  });

  it('lends the module its averaged weights for the length of a call, then puts its own back; or gives them for good', async () => {
    const map = affineMap(2);
    const average = new WeightAverage(map, { decay: 0.5, warmup: 0 });
    tf.tidy(() => (map.stateDict().bias as tf.Variable).assign(tf.tensor1d([4, -4])));
    average.update(); // bias average: 0.5·0 + 0.5·(4, −4)
    const before = tf.memory().numTensors;
    const seen = await average.applied(() => Array.from(map.stateDict().bias.dataSync()));
    expect(seen).toEqual([2, -2]);
    expect(Array.from(map.stateDict().bias.dataSync())).toEqual([4, -4]);
    await expect(average.applied(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(Array.from(map.stateDict().bias.dataSync())).toEqual([4, -4]);
    expect(tf.memory().numTensors).toBe(before);
    average.loadIntoModule();
    expect(Array.from(map.stateDict().bias.dataSync())).toEqual([2, -2]);
    tf.tidy(() => (map.stateDict().bias as tf.Variable).assign(tf.tensor1d([6, 1])));
    average.restart();
    expect([average.steps, ...average.stateDict().bias.dataSync()]).toEqual([0, 6, 1]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new WeightAverage(map, { decay: 1 })).toThrow('WeightAverage: decay must lie in [0, 1), got 1');
    expect(() => average.loadStateDict({}, 0)).toThrow('WeightAverage.loadStateDict: missing "weight", "bias"');
  });
});
