import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@not/ot-core';
import { batchNormTraining } from './batch-norm-train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The same batch norm written out in tfjs ops, differentiated by tfjs: the reference. */
function writtenOut(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number, relu: boolean): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), weight), bias);
  return relu ? tf.relu(y) : y;
}

function random(rng: Rng, shape: number[], scale = 1, offset = 0): tf.Tensor {
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => offset + scale * rng.normal()), shape);
}

describe('batchNormTraining', () => {
  const cases: [number[], boolean][] = [
    [[3, 5, 4, 7], false],
    [[3, 5, 4, 7], true],
    [[2, 8, 8, 3], true],
    [[5, 1, 3, 2], false],
  ];
  for (const [shape, relu] of cases) {
    it(`gives the written-out formula's output and gradients, [${shape}]${relu ? ' with ReLU' : ''}`, () => {
      const rng = new Rng(shape.reduce((a, b) => a * 10 + b, relu ? 1 : 0));
      const c = shape[3];
      const [x, weight, bias, dy] = [random(rng, shape, 2, 0.5), random(rng, [c], 0.5, 1), random(rng, [c]), random(rng, shape)];
      const fused = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
        const out = batchNormTraining(a as tf.Tensor4D, w as tf.Tensor1D, b as tf.Tensor1D, 1e-5, relu);
        tf.dispose([out.mean, out.variance]);
        return out.y;
      })([x, weight, bias], dy);
      const reference = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => writtenOut(a, w, b, 1e-5, relu))([x, weight, bias], dy);
      const { y, mean, variance } = batchNormTraining(x as tf.Tensor4D, weight as tf.Tensor1D, bias as tf.Tensor1D, 1e-5, relu);
      const moments = tf.moments(x, [0, 1, 2]);
      const pairs: [tf.Tensor, tf.Tensor][] = [[y, writtenOut(x, weight, bias, 1e-5, relu)], [mean, moments.mean], [variance, moments.variance], ...fused.map((g, i): [tf.Tensor, tf.Tensor] => [g, reference[i]])];
      for (const [got, want] of pairs) {
        expect(got.shape).toEqual(want.shape);
        const w = want.dataSync();
        got.dataSync().forEach((v, i) => expect(Math.abs(v - w[i])).toBeLessThan(1e-4 * (1 + Math.abs(w[i]))));
      }
      // Gradients reach every input: none is all zeros.
      for (const g of fused) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(1e-3);
    });
  }

  it('holds far fewer bytes in the backward pass than the written-out formula, and leaks nothing', async () => {
    const rng = new Rng(5);
    const [x, weight, bias] = [random(rng, [4, 32, 32, 16]), random(rng, [16], 0.5, 1), random(rng, [16])];
    const peak = async (f: (a: tf.Tensor) => tf.Tensor) => {
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => tf.tidy(() => void tf.grads((a: tf.Tensor) => tf.sum(f(a)))([x])));
      expect(tf.memory().numBytes).toBe(before);
      return info.peakBytes - before;
    };
    const image = x.size * 4;
    const fused = await peak((a) => {
      const out = batchNormTraining(a as tf.Tensor4D, weight as tf.Tensor1D, bias as tf.Tensor1D, 1e-5, true);
      tf.dispose([out.mean, out.variance]);
      return out.y;
    });
    const reference = await peak((a) => writtenOut(a, weight, bias, 1e-5, true));
    // About 9 image-sized tensors at the peak against 24.
    expect(fused / image).toBeLessThan(0.5 * (reference / image));
  });
});
