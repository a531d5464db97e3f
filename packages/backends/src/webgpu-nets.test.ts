// Our networks on webgpu: a whole UNetMap + ResNetPotential forward and backward against cpu, and memory that stays
// flat over hundreds of training updates. Skips with a note where no WebGPU adapter is found.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { Adam } from '@not/ot-core';
import { ResNetPotential, UNetMap } from '@not/nets';
import { randomValues, seededRandom } from './test-helpers';
import { relativeError, startWebGpu } from './webgpu-test-helpers';

const { report, skip } = await startWebGpu();

const SIZE = 16;

/** The same nets (same seeds) on the active backend, and one NOT-like loss through both. */
function makeNets() {
  const map = new UNetMap({ size: SIZE, channels: 3, base: 4, seed: 1 });
  const potential = new ResNetPotential({ size: SIZE, channels: 3, filters: 4, maxFilters: 16, seed: 2 });
  return { map, potential, variables: [...map.variables, ...potential.variables] };
}

const data = (seed: number, shape: number[]) => randomValues(seededRandom(seed), shape);

/** Forward outputs and every parameter's gradient, on `backend`, read with `await data()`. */
async function run(backend: string) {
  await tf.setBackend(backend);
  const { map, potential, variables } = makeNets();
  const batch = 4;
  const x = tf.tensor4d(data(1, [batch, SIZE, SIZE, 3]), [batch, SIZE, SIZE, 3]);
  const y = tf.tensor4d(data(2, [batch, SIZE, SIZE, 3]), [batch, SIZE, SIZE, 3]);
  const r = tf.tensor4d(data(3, [batch, SIZE, SIZE, 3]), [batch, SIZE, SIZE, 3]);
  let out!: tf.Tensor;
  const { value, grads } = tf.variableGrads(() => {
    const tx = map.apply(x, undefined, { training: true });
    out = tf.keep(tf.concat([tf.reshape(tx, [-1]), potential.apply(tx), potential.apply(y)]));
    // A cost term, a potential term on T(x) and one on y: every layer of both nets gets a gradient.
    return tf.add(tf.sum(tf.mul(tx, r)), tf.sub(tf.mean(potential.apply(y)), tf.mean(potential.apply(tx)))) as tf.Scalar;
  }, variables);
  const result = {
    out: await out.data(),
    loss: (await value.data())[0],
    grads: await Promise.all(variables.map(async (v) => ({ name: v.name, values: await grads[v.name].data() }))),
  };
  tf.dispose([value, out, x, y, r, ...Object.values(grads)]);
  map.dispose();
  potential.dispose();
  return result;
}

describe.skipIf(skip !== undefined)('our networks on webgpu', () => {
  afterAll(() => report?.release());

  it('UNetMap + ResNetPotential (16×16, base 4): outputs and every gradient match cpu', async () => {
    const want = await run('cpu');
    const got = await run('webgpu');
    expect(relativeError(got.out, want.out)).toBeLessThan(1e-4);
    expect(Math.abs(got.loss - want.loss) / Math.abs(want.loss)).toBeLessThan(1e-4);
    expect(got.grads.length).toBe(want.grads.length);
    let worst = 0;
    for (const [i, g] of got.grads.entries()) {
      // Relative to the gradient's own scale, floored: biases just before a batch norm get ~1e-9 (rounding only).
      const e = relativeError(g.values, want.grads[i].values);
      const scale = Math.max(...Array.from(want.grads[i].values, Math.abs));
      const error = scale < 1e-4 ? 0 : e;
      worst = Math.max(worst, error);
      expect(error, `gradient ${i} (${want.grads[i].values.length} values)`).toBeLessThan(1e-3);
    }
    console.log(`${got.grads.length} gradients; worst relative error ${worst.toExponential(2)}`);
  });

  it('tensor count and GPU bytes stay flat over 300 training updates (conv, batch norm, pools, resize from 1×1, Adam)', async () => {
    await tf.setBackend('webgpu');
    // A small net with every kind of layer the UNet has (a whole UNet takes ~0.2 s per update on lavapipe).
    const rand = seededRandom(9);
    const param = (shape: number[], scale: number) => tf.variable(tf.tensor(randomValues(rand, shape).map((v) => v * scale), shape));
    const w1 = param([3, 3, 2, 4], 0.3);
    const gamma = tf.variable(tf.ones([4]));
    const beta = tf.variable(tf.zeros([4]));
    const w2 = param([1, 1, 8, 2], 0.3);
    const variables = [w1, gamma, beta, w2];
    const adam = new Adam(variables, { lr: 1e-2 });
    const x = tf.tensor4d(randomValues(rand, [2, 8, 8, 2]), [2, 8, 8, 2]);
    const target = tf.tensor4d(randomValues(rand, [2, 8, 8, 2]), [2, 8, 8, 2]);
    const net = () => {
      const h = tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      const a = tf.leakyRelu(tf.add(tf.mul(tf.sub(h, mean), tf.mul(tf.rsqrt(tf.add(variance, 1e-5)), gamma)), beta), 0.2);
      const p2 = tf.maxPool(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), 2, 2, 'valid');
      const p1 = tf.avgPool(tf.pad(p2, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid');
      const up = tf.image.resizeBilinear(tf.maxPool(p2, 2, 2, 'valid'), [2, 2], true);
      const merged = tf.concat([tf.add(up, tf.image.resizeBilinear(p1, [2, 2], true)), p2], 3);
      const y = tf.image.resizeBilinear(tf.conv2d(merged as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'valid'), [8, 8], true);
      return tf.mean(tf.square(tf.sub(y, target))) as tf.Scalar;
    };
    const step = () => {
      const { value, grads } = tf.variableGrads(net, variables);
      adam.apply(grads);
      tf.dispose(grads);
      return value;
    };
    const snapshot = () => {
      const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
      return { tensors: m.numTensors, bytes: m.numBytes, gpu: m.numBytesInGPU, allocated: m.numBytesAllocatedInGPU };
    };
    const losses: number[] = [];
    // Warm-up: Adam's state and tfjs' buffer pool fill during the first updates.
    for (let i = 0; i < 20; i++) {
      const v = step();
      losses.push((await v.data())[0]);
      v.dispose();
    }
    const after20 = snapshot();
    for (let i = 0; i < 280; i++) {
      const v = step();
      // One read per ten updates, as a training loop reads its losses: nothing may pile up in between either.
      if (i % 10 === 9) losses.push((await v.data())[0]);
      v.dispose();
    }
    const after300 = snapshot();
    console.log('after 20 updates', after20, 'after 300', after300, 'loss', losses[0].toFixed(4), '→', losses.at(-1)!.toFixed(4));
    expect(after300.tensors).toBe(after20.tensors);
    expect(after300.bytes).toBe(after20.bytes);
    expect(after300.gpu).toBe(after20.gpu);
    // The buffer pool may keep a few more buffers than after warm-up, but does not grow with the number of updates.
    expect(after300.allocated!).toBeLessThanOrEqual(after20.allocated! * 1.25);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    tf.dispose([x, target, ...variables]);
    adam.dispose();
  });
});
