import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ImageSource } from './image-source';
import { ImageDataset } from './image-dataset';
import { ImageSampler } from './image-sampler';
import { openFashionMnist } from './fashion-mnist';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** count 1×1 grayscale images; image i holds the value i (so a sampled value tells which image it was). */
function indexSource(count: number): ImageSource {
  return {
    name: `index:${count}`,
    count,
    height: 1,
    width: 1,
    channels: 1,
    resize: 'bilinear',
    read: (indices) => Uint8Array.from(indices),
    close() {},
  };
}

/** Which source images a batch holds, decoded from the values 2·(i/255)−1. */
function decode(batch: tf.Tensor): number[] {
  const v = batch.dataSync();
  const out: number[] = [];
  for (let k = 0; k < v.length; k += 3) out.push(Math.round(((v[k] + 1) / 2) * 255));
  return out;
}

describe('ImageSampler', () => {
  const dataset = new ImageDataset(indexSource(110), { size: 1, validationRatio: 0 }); // train 0..98, test 99..109

  it('draws [n, size, size, 3] float32 batches the caller owns', () => {
    const sampler = new ImageSampler(dataset, { seed: 3 });
    expect(sampler.shape).toEqual([1, 1, 3]);
    expect(sampler.length).toBe(99);
    const before = tf.memory().numTensors;
    const x = sampler.sample(7);
    expect(x.shape).toEqual([7, 1, 1, 3]);
    expect(x.dtype).toBe('float32');
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('walks each epoch as a permutation of the split, crossing epoch ends mid-batch', () => {
    const sampler = new ImageSampler(dataset, { seed: 1 });
    const drawn: number[] = [];
    for (let b = 0; b < 20; b++) {
      const x = sampler.sample(10); // 200 draws: epochs 0 and 1 whole, 2 draws into epoch 2
      drawn.push(...decode(x));
      x.dispose();
    }
    const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
    const all = Array.from({ length: 99 }, (_, i) => i);
    expect(sorted(drawn.slice(0, 99))).toEqual(all);
    expect(sorted(drawn.slice(99, 198))).toEqual(all);
    expect(drawn.slice(0, 99)).not.toEqual(drawn.slice(99, 198));
    expect(drawn.slice(0, 99)).toEqual(Array.from(sampler.permutation(0)));
    expect(drawn.slice(198)).toEqual(Array.from(sampler.permutation(2).subarray(0, 2)));
    expect(sampler.state()).toEqual({ epoch: 2, position: 2 });
  });

  it('batchAt gives the images at split indices without moving the sampler', () => {
    const sampler = new ImageSampler(dataset, { split: 'test' });
    const x = sampler.batchAt([0, 5, 5]);
    expect(decode(x)).toEqual([99, 104, 104]);
    x.dispose();
    expect(sampler.state()).toEqual({ epoch: 0, position: 0 });
  });

  it('draws from the test or validation split only when asked', () => {
    const sampler = new ImageSampler(dataset, { split: 'test', seed: 0 });
    expect(sampler.length).toBe(11);
    const x = sampler.sample(11);
    expect([...decode(x)].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => 99 + i));
    x.dispose();
    expect(sampler.state()).toEqual({ epoch: 1, position: 0 });
    // With a validation split (the default 10%): the 11 images just before the test split.
    const validation = new ImageSampler(new ImageDataset(indexSource(110), { size: 1 }), { split: 'validation', seed: 0 });
    const v = validation.sample(11);
    expect([...decode(v)].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => 88 + i));
    v.dispose();
  });

  it('is reproducible per seed and different across seeds', () => {
    const a = new ImageSampler(dataset, { seed: 5 });
    const b = new ImageSampler(dataset, { seed: 5 });
    const c = new ImageSampler(dataset, { seed: 6 });
    const seq = (s: ImageSampler) => Array.from({ length: 5 }, () => s.nextIndices(30)).flat();
    const sa = seq(a);
    expect(seq(b)).toEqual(sa);
    expect(seq(c)).not.toEqual(sa);
  });

  it('resumes from state() exactly, on a fresh sampler', () => {
    const original = new ImageSampler(dataset, { seed: 9 });
    original.nextIndices(40);
    original.nextIndices(40);
    const saved = original.state();
    expect(saved).toEqual({ epoch: 0, position: 80 });
    const JSONsaved = JSON.parse(JSON.stringify(saved));
    const next = [original.sample(30), original.sample(30), original.sample(50)];
    const resumed = new ImageSampler(dataset, { seed: 9 });
    resumed.restore(JSONsaved);
    const again = [resumed.sample(30), resumed.sample(30), resumed.sample(50)];
    expect(again.map(decode)).toEqual(next.map(decode));
    expect(resumed.state()).toEqual(original.state());
    tf.dispose([...next, ...again]);
    // A position at the end of an epoch is the start of the next.
    resumed.restore({ epoch: 3, position: 99 });
    expect(resumed.state()).toEqual({ epoch: 4, position: 0 });
  });

  it('names bad arguments', () => {
    const sampler = new ImageSampler(dataset, { seed: 0 });
    expect(() => sampler.sample(100)).toThrow('ImageSampler.sample: n must be <= 99 (the size of the train split of index:110), got 100');
    expect(() => sampler.sample(0)).toThrow('ImageSampler.sample: n must be a positive integer, got 0');
    expect(() => sampler.restore({ epoch: -1, position: 0 })).toThrow('ImageSampler.restore: state.epoch must be an integer >= 0, got -1');
    expect(() => sampler.restore({ epoch: 0, position: 100 })).toThrow('ImageSampler.restore: state.position must be an integer in [0, 99] (the train split size), got 100');
    expect(() => new ImageSampler(dataset, { seed: 0.5 })).toThrow('ImageSampler: seed must be an integer, got 0.5');
    expect(() => new ImageSampler(dataset, { split: 'valid' as never })).toThrow(`ImageSampler: split must be one of 'train', 'validation', 'test', got "valid"`);
    const small = new ImageDataset(indexSource(5), { size: 1 });
    expect(() => new ImageSampler(small, { split: 'test' })).toThrow('ImageSampler: the test split of index:5 is empty (count 5, validationRatio 0.1, testRatio 0.1)');
  });

  it('serves the embedded Fashion-MNIST bags in [-1, 1] with a -1 border', () => {
    const sampler = new ImageSampler(new ImageDataset(openFashionMnist({ classes: 'bag' }), { size: 32 }), { seed: 0 });
    expect(sampler.length).toBe(2400); // 300 validation and 300 test bags held out
    const x = sampler.sample(16);
    expect(x.shape).toEqual([16, 32, 32, 3]);
    const v = x.dataSync();
    let lo = Infinity;
    let hi = -Infinity;
    for (const e of v) (lo = Math.min(lo, e)), (hi = Math.max(hi, e));
    expect(lo).toBe(-1);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.5);
    expect(v[0]).toBe(-1);
    x.dispose();
  });
});
