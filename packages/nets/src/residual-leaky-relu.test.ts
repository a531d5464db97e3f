import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@not/ot-core';
import { residualLeakyRelu } from './residual-leaky-relu';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const random = (rng: Rng, shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

describe('residualLeakyRelu', () => {
  for (const [shape, ratio, alpha] of [[[2, 3, 4, 5], 0.1, 0.2], [[1, 7, 2, 3], 1, 0], [[3, 1, 1, 8], 0.5, 0.01]] as const) {
    it(`gives LeakyReLU(a + ratio·b) and its gradients, [${shape}], ratio ${ratio}, alpha ${alpha}`, () => {
      const rng = new Rng(shape[0] * 31 + shape[3]);
      const [a, b, dy] = [random(rng, [...shape]), random(rng, [...shape]), random(rng, [...shape])];
      const written = (x: tf.Tensor, y: tf.Tensor) => tf.leakyRelu(tf.add(x, tf.mul(y, ratio)), alpha);
      const fused = (x: tf.Tensor, y: tf.Tensor) => residualLeakyRelu(x as tf.Tensor4D, y as tf.Tensor4D, ratio, alpha);
      const pairs: [tf.Tensor, tf.Tensor][] = [
        [fused(a, b), written(a, b)],
        ...tf.grads(fused)([a, b], dy).map((g, i): [tf.Tensor, tf.Tensor] => [g, tf.grads(written)([a, b], dy)[i]]),
      ];
      for (const [got, want] of pairs) {
        const w = want.dataSync();
        got.dataSync().forEach((v, i) => expect(Math.abs(v - w[i])).toBeLessThan(1e-6 * (1 + Math.abs(w[i]))));
      }
    });
  }

  it('refuses a negative alpha, whose output sign would not tell the slope', () => {
    expect(() => residualLeakyRelu(tf.zeros([1, 1, 1, 1]), tf.zeros([1, 1, 1, 1]), 0.1, -0.1)).toThrow('residualLeakyRelu: alpha must be >= 0, got -0.1');
  });
});
