// Parity with a PyTorch nn.Sequential(Linear, SiLU, Linear, SiLU, Linear) (fixtures/mlp-fixture.json, made by
// fixtures/make-mlp-fixture.py): the same state dict gives the same outputs and gradients.
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import { Mlp } from './mlp';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/mlp-fixture.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('an MLP loaded from a PyTorch state dict matches its outputs and gradients within 1e-5', () => {
  const mlp = new Mlp({ inputs: 3, outputs: 2, hidden: [8, 8], activation: 'silu' });
  // PyTorch names the Sequential's entries "0.weight", …; ours sit under "net.".
  mlp.loadStateDict(Object.fromEntries(Object.entries(fixture.state).map(([k, v]) => [`net.${k}`, tf.tensor(v as number[])])));
  const x = tf.tensor2d(fixture.x);
  (mlp.apply(x).arraySync() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(fixture.y[i][j], 5)));
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(mlp.apply(x))) as tf.Scalar, mlp.variables);
  expect(value.dataSync()[0]).toBeCloseTo(fixture.loss, 5);
  for (const [name, variable] of Object.entries(mlp.stateDict())) {
    const want = (fixture.grads[name.slice('net.'.length)] as number[] | number[][]).flat();
    Array.from(grads[(variable as tf.Variable).name].dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
  }
});
