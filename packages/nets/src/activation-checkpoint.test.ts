import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { whileFrozen } from '@not/ot-core';
import { ResNetPotential } from './resnet-potential';
import { UNet } from './unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Gradients of a scalar loss of net(x) with respect to x and every trainable variable, as plain arrays. */
function gradients(variables: tf.Variable[], x: tf.Tensor, forward: (x: tf.Tensor) => tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const weights = tf.randomNormal(forward(x).shape, 0, 1, 'float32', 7);
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(forward(input), weights)) as tf.Scalar;
    const dx = tf.grad(loss)(x);
    const { grads } = tf.variableGrads(() => loss(x), variables);
    return [dx, ...variables.map((v) => grads[v.name])].map((g) => g.dataSync() as Float32Array);
  });
}

function expectClose(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((g, i) => {
    const scale = Math.max(...g.map(Math.abs), 1e-6);
    const diff = Math.max(...g.map((v, j) => Math.abs(v - b[i][j])));
    expect(diff / scale, `gradient ${i}`).toBeLessThan(1e-5);
  });
}

describe('activation checkpointing', () => {
  it('gives the UNet the same outputs, gradients and running statistics, without leaking tensors', () => {
    const plain = new UNet({ inChannels: 2, outChannels: 1, base: 4, seed: 3 });
    const checkpointed = new UNet({ inChannels: 2, outChannels: 1, base: 4, seed: 3, recomputeActivations: true });
    const x = tf.randomNormal([3, 16, 16, 2], 0, 1, 'float32', 1);
    const forward = (net: UNet) => (input: tf.Tensor) => net.apply(input, { training: true });
    const want = gradients(plain.variables, x, forward(plain));
    const before = tf.memory().numTensors;
    const got = gradients(checkpointed.variables, x, forward(checkpointed));
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got, want);
    // Three training passes each (the loss, tf.grad, tf.variableGrads): the replays recorded nothing.
    const stats = (net: UNet) =>
      Object.entries(net.stateDict()).filter(([k]) => /running|num_batches/.test(k)).map(([, v]) => Array.from(v.dataSync()));
    expect(stats(checkpointed)).toEqual(stats(plain));
    expect(checkpointed.stateDict()['inc.double_conv.1.num_batches_tracked'].dataSync()[0]).toBe(3);
    tf.dispose([x]);
    plain.dispose();
    checkpointed.dispose();
  });

  it('gives the ResNet potential the same scores and gradients', () => {
    const options = { size: 16, channels: 2, filters: 4, maxFilters: 8, seed: 5 };
    const plain = new ResNetPotential(options);
    const checkpointed = new ResNetPotential({ ...options, recomputeActivations: true });
    const y = tf.randomNormal([3, 16, 16, 2], 0, 1, 'float32', 2);
    const want = gradients(plain.variables, y, (input) => plain.apply(input));
    const before = tf.memory().numTensors;
    const got = gradients(checkpointed.variables, y, (input) => checkpointed.apply(input));
    expect(tf.memory().numTensors).toBe(before);
    expectClose(got, want);
    tf.dispose(y);
    plain.dispose();
    checkpointed.dispose();
  });

  it('takes no parameter gradients in the replay of a frozen network, only the input\'s', async () => {
    const options = { size: 16, channels: 2, filters: 4, maxFilters: 8, seed: 5 };
    const plain = new ResNetPotential(options);
    const checkpointed = new ResNetPotential({ ...options, recomputeActivations: true });
    const y = tf.randomNormal([3, 16, 16, 2], 0, 1, 'float32', 2);
    const inputGradient = (net: ResNetPotential) => tf.grad((input: tf.Tensor) => tf.sum(net.apply(input)) as tf.Scalar)(y);
    const filterGradients = async (net: ResNetPotential) =>
      (await tf.profile(() => inputGradient(net))).kernels.filter((k) => k.name === 'Conv2DBackpropFilter').length;
    expect(await filterGradients(checkpointed)).toBeGreaterThan(0);
    expect(await whileFrozen(checkpointed.variables, () => filterGradients(checkpointed))).toBe(0);
    const want = inputGradient(plain);
    const got = whileFrozen(checkpointed.variables, () => inputGradient(checkpointed));
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / tf.max(tf.abs(want)).dataSync()[0]).toBeLessThan(1e-5);
    expect(checkpointed.variables.length).toBe(plain.variables.length);
    tf.dispose([y, got, want]);
    plain.dispose();
    checkpointed.dispose();
  });
});
