import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { eightGaussians } from './eight-gaussians';
import { moons } from './moons';
import { standardNormal } from './standard-normal';
import { swissRoll } from './swiss-roll';
import { TOY_SAMPLER_NAMES, isToySamplerName, toySampler } from './toy-sampler';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function same(a: tf.Tensor, b: tf.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  tf.dispose([a, b]);
}

describe('toySampler', () => {
  it('builds each named sampler with its options', () => {
    same(toySampler('8gaussians', { seed: 1, radius: 3 }).sample(8), eightGaussians({ seed: 1, radius: 3 }).sample(8));
    same(toySampler('swiss-roll', { seed: 2, noise: 0.1 }).sample(8), swissRoll({ seed: 2, noise: 0.1 }).sample(8));
    same(toySampler('moons', { seed: 3 }).sample(8), moons({ seed: 3 }).sample(8));
    same(toySampler('normal', { seed: 4, dim: 5 }).sample(8), standardNormal(5, { seed: 4 }).sample(8));
    expect(toySampler('normal').shape).toEqual([2]);
  });

  it('lists the valid names for an unknown one', () => {
    expect(() => toySampler('spiral')).toThrow(
      `toySampler: name must be one of '8gaussians', 'swiss-roll', 'moons', 'normal', got "spiral"`,
    );
    expect(TOY_SAMPLER_NAMES.every(isToySamplerName)).toBe(true);
    expect(isToySamplerName('spiral')).toBe(false);
  });
});
