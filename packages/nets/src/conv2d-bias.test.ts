import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { conv2dWithBias } from './conv2d-bias';

const close = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));

describe('conv2dWithBias (FusedConv2D with its gradient)', () => {
  it('equals conv2d + bias, values and the gradients of x, filter and bias, on same and valid pads', async () => {
    await tf.setBackend('cpu');
    for (const [i, pad] of (['same', 'valid', 'same'] as const).entries()) {
      const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', i) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 10 + i) as tf.Tensor4D;
      const b = tf.randomNormal([5], 0, 1, 'float32', 20 + i) as tf.Tensor1D;
      const r = tf.randomNormal(pad === 'same' ? [2, 7, 6, 5] : [2, 5, 4, 5], 0, 1, 'float32', 30 + i);
      const fused = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(conv2dWithBias(xs as tf.Tensor4D, ws as tf.Tensor4D, bs as tf.Tensor1D, pad), r));
      const plain = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 1, pad), bs), r));
      const before = tf.memory().numTensors;
      const got = tf.grads(fused)([x, w, b]);
      const want = tf.grads(plain)([x, w, b]);
      got.forEach((g, j) => expect(close(g, want[j]), `${pad} gradient ${j}`).toBeLessThan(1e-5));
      const y = conv2dWithBias(x, w, b, pad);
      const y0 = tf.tidy(() => tf.add(tf.conv2d(x, w, 1, pad), b));
      expect(close(y, y0)).toBeLessThan(1e-6);
      tf.dispose([...got, ...want, y, y0]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, b, r]);
    }
  });

  it('takes only the input gradient when only it is asked for (a frozen network)', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2), false);
    const b = tf.variable(tf.zeros([4]), false);
    const profile = await tf.profile(() => tf.grad((xs: tf.Tensor) => tf.sum(conv2dWithBias(xs as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 'same')))(x));
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain('Conv2DBackpropInput');
    expect(kernels).not.toContain('Conv2DBackpropFilter');
    tf.dispose([x, w, b, profile.result as tf.Tensor]);
  });
});
