// NOT's steps written out with tf.variableGrads and our Adam (the solver's training loop is being rewritten, and
// its steps read the device synchronously), for a GPU backend: each step ends with one `await data()` of its loss,
// so a timing covers the GPU's work. The same steps as bench/torch_side.py and bench/gpu/torch_gpu.py:
// - T step: y = T(x); loss = mean_b(mean((x − y)²)) − mean(f(y)); T's gradient; Adam on T;
// - f step: y = T(x) without gradient; loss = mean(f(y)) − mean(f(y')); f's gradient; Adam on f;
// - outer step: K_T T steps, then one f step (one read, at the end);
// - push-forward: T(x) in inference mode (running batch-norm statistics), read back;
// - FID features: pytorch-fid's InceptionV3 (resize to 299, pool3) with random weights of its shapes, read back.
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '@not/ot-core';
import { ResNetPotential, UNetMap } from '@not/nets';
import { FidInceptionV3, fidInceptionWeightShapes } from '@not/metrics';

/** The reference notebooks' networks and batch (64×64×3, UNet base 48, ResNet 64 capped at 512, batch 64, K_T 10). */
export const GPU_REFERENCE = { name: 'reference', size: 64, channels: 3, base: 48, filters: 64, maxFilters: 512, batch: 64, tIters: 10, pushBatch: 64, fidBatch: 64 };

/** Steps on `config`: `steps[kind]()` runs one and resolves once its result is read back; `dispose()` frees all. */
export function gpuSteps(config) {
  const c = config;
  const map = new UNetMap({ size: c.size, channels: c.channels, base: c.base, seed: 0 });
  const potential = new ResNetPotential({ size: c.size, channels: c.channels, filters: c.filters, maxFilters: c.maxFilters, seed: 1 });
  const mapOpt = new Adam(map.variables, { lr: 1e-4, betas: [0.9, 0.999] });
  const potOpt = new Adam(potential.variables, { lr: 1e-4, betas: [0.9, 0.999] });
  const shape = [c.batch, c.size, c.size, c.channels];
  const x = tf.randomUniform(shape, -1, 1, 'float32', 1);
  const y = tf.randomUniform(shape, -1, 1, 'float32', 2);
  const px = tf.randomUniform([c.pushBatch, c.size, c.size, c.channels], -1, 1, 'float32', 3);

  const tStep = () => {
    const { value, grads } = tf.variableGrads(() => {
      const tx = map.apply(x, undefined, { training: true });
      const cost = tf.mean(tf.mean(tf.square(tf.sub(x, tx)), [1, 2, 3]));
      return tf.sub(cost, tf.mean(potential.apply(tx)));
    }, map.variables);
    mapOpt.apply(grads);
    tf.dispose(grads);
    return value;
  };
  const fStep = () => {
    const tx = tf.tidy(() => map.apply(x, undefined, { training: true }));
    const { value, grads } = tf.variableGrads(() => tf.sub(tf.mean(potential.apply(tx)), tf.mean(potential.apply(y))), potential.variables);
    potOpt.apply(grads);
    tf.dispose([grads, tx]);
    return value;
  };
  const read = async (t) => {
    const v = await t.data();
    t.dispose();
    return v[0];
  };

  const weights = Object.fromEntries(
    fidInceptionWeightShapes().map(([key, s], i) => [key, key.endsWith('running_var') ? tf.ones(s) : tf.randomNormal(s, 0, 0.05, 'float32', i)]),
  );
  const fid = FidInceptionV3.fromWeights(weights, { batchSize: c.fidBatch });
  tf.dispose(Object.values(weights));
  const fidX = tf.randomUniform([c.fidBatch, c.size, c.size, 3], -1, 1, 'float32', 4);
  const steps = {
    't-step': () => read(tStep()),
    'f-step': () => read(fStep()),
    outer: async () => {
      for (let i = 0; i < c.tIters; i++) tStep().dispose();
      return read(fStep());
    },
    push: () => read(tf.tidy(() => tf.mean(map.apply(px)))),
    fid: () => read(tf.tidy(() => tf.mean(fid.features(fidX)))),
  };
  const dispose = () => {
    mapOpt.dispose();
    potOpt.dispose();
    map.dispose();
    potential.dispose();
    fid.dispose();
    tf.dispose([x, y, px, fidX]);
  };
  return { steps, dispose };
}

/**
 * Times `run` (async, resolving once its result is on the host): `warmUp` untimed runs first (shader compilation,
 * buffer pools), then `runs` timed ones; median ms. Throws if a run leaves tensors behind.
 */
export async function timeRuns(run, { runs, warmUp = 1 }) {
  const times = [];
  for (let r = -warmUp; r < runs; r++) {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    if (tf.memory().numTensors !== before) throw new Error(`timeRuns: a run left ${tf.memory().numTensors - before} tensors behind`);
    if (r >= 0) times.push(ms);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], times };
}
