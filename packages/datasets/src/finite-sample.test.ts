import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { matrixFromRows } from '@not/ot-core';
import { checkFiniteSample } from './finite-sample';
import { ImageDataset } from './images/image-dataset';
import { ImageSampler } from './images/image-sampler';
import type { ImageSource } from './images/image-source';
import { GaussianSampler } from './gaussian-pair';
import { eightGaussians } from './toy/eight-gaussians';
import { swissRoll } from './toy/swiss-roll';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A source (e.g. a user's, in plain JavaScript) that hands back floats, with NaN in image `bad`. */
function floatSource(count: number, bad: number): ImageSource {
  return {
    name: 'floats',
    count,
    height: 2,
    width: 2,
    channels: 1,
    resize: 'bilinear',
    read(indices: readonly number[]): Uint8Array {
      const out = new Float32Array(indices.length * 4).fill(128);
      indices.forEach((i, k) => {
        if (i === bad) out[k * 4 + 3] = NaN;
      });
      return out as unknown as Uint8Array;
    },
    close(): void {},
  };
}

describe('non-finite samples are refused where the data enter, naming the sampler and the input', () => {
  it('checkFiniteSample names the row and the value; passes finite data', () => {
    expect(() => checkFiniteSample('s', new Float32Array([0, 1, 2, -Infinity]), 2, (r) => `row ${r}`)).toThrow(
      's: row 1 holds -Infinity (value 1 of 2); samples must be finite (NaN or Infinity in the data, not a training problem)',
    );
    expect(() => checkFiniteSample('s', [0, -3.5e38, 1e-45], 1, String)).not.toThrow();
  });

  it('an image source: the source image, not the batch position', () => {
    const data = new ImageDataset(floatSource(10, 6), { size: 2, channels: 1, testRatio: 0, validationRatio: 0 });
    expect(() => data.images('train', [1, 2])).not.toThrow();
    expect(() => data.images('train', [1, 6])).toThrow(/^ImageDataset\.images \(floats\): image 6 of floats holds NaN \(value 3 of 4\)/);
    const before = tf.memory().numTensors;
    const sampler = new ImageSampler(data, { seed: 0 });
    expect(() => sampler.sample(10)).toThrow(/image 6 of floats holds NaN/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('points beyond float32 from a Gaussian or a toy sampler', () => {
    // 1e39 is a finite float64 but Infinity in float32.
    const gaussian = new GaussianSampler([1e39, 0], matrixFromRows([[1, 0], [0, 1]]), { seed: 1 });
    expect(() => gaussian.sample(3)).toThrow(/^GaussianSampler\.sample: point 0 \(from mean and cov: beyond float32's range\?\) holds Infinity \(value 0 of 2\)/);
    expect(() => eightGaussians({ radius: 1e39 }).sample(4)).toThrow(/^eightGaussians\.sample: point \d \(.*\) holds -?Infinity/);
    expect(() => eightGaussians({ radius: 1e39 }).sampleLabelled(4)).toThrow(/^eightGaussians\.sampleLabelled: point/);
    expect(() => swissRoll({ scale: 1e38 }).sample(4)).toThrow(/^swissRoll\.sample: point 0 .* holds -?Infinity/);
    const fine = swissRoll({ scale: 1 }).sample(4);
    fine.dispose();
  });
});
