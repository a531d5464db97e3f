// Parity of UNet and ResNetPotential with PyTorch networks built from the reference's facts
// (fixtures/image-nets-fixture.safetensors, made by fixtures/make-image-nets-fixture.py): the same state dict gives
// the same outputs (train and eval mode), batch-norm running statistics, and gradients.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { stateDictPart } from '@not/ot-core';
import { ResNetPotential } from './resnet-potential';
import { UNet } from './unet';

/** Reads the fixture's safetensors file (F32 and I32 entries only). */
function readFixture(url: URL): Record<string, tf.Tensor> {
  const bytes = readFileSync(url);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const base = 8 + headerLength;
  const out: Record<string, tf.Tensor> = {};
  for (const [name, entry] of Object.entries(header) as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][]) {
    if (name === '__metadata__') continue;
    const data = bytes.buffer.slice(bytes.byteOffset + base + entry.data_offsets[0], bytes.byteOffset + base + entry.data_offsets[1]);
    out[name] = entry.dtype === 'I32' ? tf.tensor(new Int32Array(data), entry.shape, 'int32') : tf.tensor(new Float32Array(data), entry.shape);
  }
  return out;
}

const fixture = readFixture(new URL('../fixtures/image-nets-fixture.safetensors', import.meta.url));

const under = (prefix: string) => stateDictPart(fixture, prefix);

const nhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]);

/**
 * Largest absolute difference, and the largest magnitude of the reference. Gradients are compared relative to their
 * tensor's scale (floored at 1e-3: biases just before a batch norm have gradients ~1e-9, pure rounding).
 */
function compare(got: tf.Tensor, want: tf.Tensor): { diff: number; scale: number } {
  expect(got.shape).toEqual(want.shape);
  const g = got.dataSync();
  const w = want.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < w.length; i++) {
    diff = Math.max(diff, Math.abs(g[i] - w[i]));
    scale = Math.max(scale, Math.abs(w[i]));
  }
  return { diff, scale };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('UNet matches PyTorch', () => {
  it('in train mode (outputs, gradients, running statistics) and then in eval mode, within 1e-4', () => {
    const net = new UNet({ inChannels: 4, outChannels: 3, base: 4 });
    net.loadStateDict(under('unet.state'));
    const x = nhwc(fixture['unet.x']);
    let y: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      y = tf.keep(net.apply(x, { training: true }));
      return tf.mean(tf.square(y));
    }, net.variables);
    expect(compare(y as tf.Tensor, nhwc(fixture['unet.train.y'])).diff).toBeLessThan(1e-4);
    expect(Math.abs(value.dataSync()[0] - fixture['unet.train.loss'].dataSync()[0])).toBeLessThan(1e-5);
    const wantGrads = under('unet.train.grad');
    const state = net.stateDict();
    for (const [name, v] of Object.entries(state)) {
      if (!v.trainable) continue;
      const { diff, scale } = compare(grads[v.name], wantGrads[name]);
      expect(diff, name).toBeLessThan(1e-4 * Math.max(scale, 1e-3));
    }
    expect(Object.keys(wantGrads).length).toBe(net.variables.length);
    const wantBuffers = under('unet.train.state');
    expect(Object.keys(wantBuffers).length).toBe(Object.values(state).filter((v) => !v.trainable).length);
    for (const [name, want] of Object.entries(wantBuffers)) {
      if (name.endsWith('num_batches_tracked')) expect(state[name].dataSync()[0], name).toBe(want.dataSync()[0]);
      else expect(compare(state[name], want).diff, name).toBeLessThan(1e-5);
    }
    expect(compare(net.apply(x), nhwc(fixture['unet.eval.y'])).diff).toBeLessThan(1e-4);
    net.dispose();
  });
});

describe('ResNetPotential matches PyTorch', () => {
  it('scores and gradients (parameters and input) within 1e-4', () => {
    const f = new ResNetPotential({ size: 16, channels: 3, filters: 4, maxFilters: 32 });
    f.loadStateDict(under('resnet.state'));
    const x = nhwc(fixture['resnet.x']);
    expect(compare(f.apply(x), fixture['resnet.y']).diff).toBeLessThan(1e-4);
    const { grads } = tf.variableGrads(() => tf.mean(f.apply(x)) as tf.Scalar, f.variables);
    const wantGrads = under('resnet.grad');
    expect(Object.keys(wantGrads).length).toBe(f.variables.length);
    for (const [name, v] of Object.entries(f.stateDict())) {
      const { diff, scale } = compare(grads[v.name], wantGrads[name]);
      expect(diff, name).toBeLessThan(1e-4 * Math.max(scale, 1e-3));
    }
    const gradX = tf.grad((input: tf.Tensor) => tf.mean(f.apply(input)))(x);
    expect(compare(gradX, nhwc(fixture['resnet.grad_x'])).diff).toBeLessThan(1e-5);
    f.dispose();
  });
});
