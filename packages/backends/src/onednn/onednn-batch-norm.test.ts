// oneDNN's batch norm kernels against @not/nets' batch norm in tfjs ops on cpu: outputs, batch statistics and the
// gradients of x, weight and bias, on random shapes with and without the fused ReLU. Skipped where the addon is
// not built.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BATCH_NORM_TRAINING_GRAD_KERNEL, BATCH_NORM_TRAINING_KERNEL, batchNormTraining } from '@not/nets';
import { useBackend } from '../index';
import { difference, onBackend, oneDnnLoads, randomInt, randomValues, seededRandom, wasmDataIds } from '../test-helpers';
import { loadOneDnnAddon } from './onednn-addon';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from './onednn-batch-norm-kernels';


interface Case {
  shape: [number, number, number, number];
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
  eps: number;
  relu: boolean;
}

/** y, mean, variance and the gradients of Σ y·dy by x, weight and bias, through @not/nets' batchNormTraining. */
function run(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const channels = c.shape[3];
    const [x, weight, bias] = [tf.tensor4d(c.x, c.shape), tf.tensor1d(c.weight), tf.tensor1d(c.bias)];
    const { y, mean, variance } = batchNormTraining(x, weight, bias, c.eps, c.relu);
    // The batch statistics are kept past tidy, for the running averages: the caller disposes them.
    const loss = (xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const normed = batchNormTraining(xs as tf.Tensor4D, w as tf.Tensor1D, b as tf.Tensor1D, c.eps, c.relu);
      tf.dispose([normed.mean, normed.variance]);
      return tf.sum(tf.mul(normed.y, tf.tensor4d(c.dy, c.shape)));
    };
    const grads = tf.grads(loss)([x, weight, bias]);
    expect(mean.shape).toEqual([channels]);
    const values = [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
    tf.dispose([mean, variance]);
    return values;
  });
}

describe.skipIf(!oneDnnLoads())("oneDNN's batch norm kernels", () => {
  const calls = { batchNormForward: 0, batchNormBackward: 0 };
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
    const addon = loadOneDnnAddon().addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
      const f = addon[name];
      addon[name] = (...args) => {
        calls[name]++;
        return f(...args);
      };
    }
  });

  it("are the kernels @not/nets' batch norm looks for", () => {
    expect([BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD]).toEqual([BATCH_NORM_TRAINING_KERNEL, BATCH_NORM_TRAINING_GRAD_KERNEL]);
  });

  it('match tfjs ops on cpu on 30 random shapes, with and without ReLU, large means included', async () => {
    const rand = seededRandom(21);
    const names = ['y', 'mean', 'variance', 'dx', 'dWeight', 'dBias'];
    const worst = Object.fromEntries(names.map((n) => [n, 0]));
    for (let i = 0; i < 30; i++) {
      const shape: Case['shape'] = [randomInt(rand, 1, 3), randomInt(rand, 1, 9), randomInt(rand, 2, 9), randomInt(rand, 1, 40)];
      const offset = i % 3 === 0 ? 20 : 0; // data far from zero: the variance must not cancel
      const c: Case = {
        shape,
        x: randomValues(rand, shape).map((v) => 3 * v + offset),
        weight: randomValues(rand, [shape[3]]),
        bias: randomValues(rand, [shape[3]]),
        dy: randomValues(rand, shape),
        eps: i % 2 === 0 ? 1e-5 : 1e-3,
        relu: i % 4 < 2,
      };
      const want = await onBackend('cpu', () => run(c));
      const before = { tensors: tf.memory().numTensors, data: wasmDataIds(), ...calls };
      const got = await onBackend('wasm', () => run(c));
      // One forward for the output, one forward and one backward for the gradients, all on oneDNN's kernels.
      expect({ tensors: tf.memory().numTensors, data: wasmDataIds(), ...calls }).toEqual({
        ...before, batchNormForward: before.batchNormForward + 2, batchNormBackward: before.batchNormBackward + 1,
      });
      for (const [k, name] of names.entries()) {
        const d = difference(got[k], want[k]);
        expect(d.relative, `${name} of ${JSON.stringify({ shape, relu: c.relu, eps: c.eps, offset })}`).toBeLessThan(2e-5);
        worst[name] = Math.max(worst[name], d.relative);
      }
    }
    console.log('batch norm worst relative errors:', Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', '));
  });

  it('refuses inputs of the wrong shape or dtype, naming them', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 3, 3, 4]);
    const weight = tf.ones([3]);
    const bias = tf.zeros([4]);
    expect(() => tf.engine().runKernel(BATCH_NORM_TRAINING, { x, weight, bias }, { eps: 1e-5, relu: false })).toThrow(
      'NotBatchNormTraining (oneDNN): weight must be float32 of shape [4], got float32 [3]',
    );
    const flat = tf.zeros([6, 4]);
    expect(() => tf.engine().runKernel(BATCH_NORM_TRAINING, { x: flat, weight: bias, bias }, { eps: 1e-5, relu: false })).toThrow(
      'NotBatchNormTraining (oneDNN): x must be NHWC with at least one value per channel, got [6,4]',
    );
    tf.dispose([x, weight, bias, flat]);
  });
});
