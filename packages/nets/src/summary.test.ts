import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import type { Module, StateDict } from '@not/ot-core';
import { MlpMap } from './mlp-map';
import { parameterSummary } from './summary';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('counts an MlpMap like its closed form, per nn.Sequential layer', () => {
  const dim = 3;
  const noiseDim = 2;
  const hidden = [7, 5];
  const map = new MlpMap({ dim, noiseDim, hidden, skip: 'linear' });
  const widths = [dim + noiseDim, ...hidden, dim];
  const linear = widths.slice(1).map((out, i) => widths[i] * out + out);
  const summary = parameterSummary(map);
  expect(summary.total).toBe(linear.reduce((a, b) => a + b) + dim * dim + dim);
  expect(summary.buffers).toBe(0);
  expect(summary.layers.map((l) => l.name)).toEqual(['net.0', 'net.2', 'net.4', 'skip']);
  expect(summary.layers.map((l) => l.count)).toEqual([...linear, dim * dim + dim]);
  expect(summary.layers[0].parameters).toEqual([
    { name: 'weight', shape: [7, 5], count: 35 },
    { name: 'bias', shape: [7], count: 7 },
  ]);
  map.dispose();
});

it('counts state-dict entries that are not variables as buffers, tied tensors once, and a frozen module as all buffers', () => {
  const weight = tf.variable(tf.zeros([4, 2]));
  const bias = tf.variable(tf.zeros([2]));
  const runningMean = tf.zeros([4]);
  const module: Module = {
    variables: [weight, bias],
    stateDict: (): StateDict => ({ 'bn.weight': weight, 'bn.running_mean': runningMean, tied: weight, bias }),
    loadStateDict: () => undefined,
    dispose: () => tf.dispose([weight, bias, runningMean]),
  };
  expect(parameterSummary(module)).toEqual({
    layers: [
      { name: 'bn', parameters: [{ name: 'weight', shape: [4, 2], count: 8 }], count: 8 },
      { name: '', parameters: [{ name: 'bias', shape: [2], count: 2 }], count: 2 },
    ],
    total: 10,
    buffers: 4,
  });
  const frozen = parameterSummary({ ...module, variables: [] });
  expect(frozen.total).toBe(0);
  expect(frozen.layers).toEqual([]);
  expect(frozen.buffers).toBe(14);
  expect(() => parameterSummary(null as never)).toThrow('parameterSummary: module must have variables and stateDict(), got null');
  weight.dispose();
  bias.dispose();
  runningMean.dispose();
});
