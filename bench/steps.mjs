// The networks, batch sizes and NOT steps both bench scripts time: the configuration `pnpm start` trains (the cpu
// preset on 32×32 grayscale) and the reference notebooks' networks, built as users build them.
import * as tf from '@tensorflow/tfjs-core';
import { NeuralOT, pushForward, quadraticCost, weakQuadraticCost } from '@not/ot-core';
import { ResNetPotential, UNetMap } from '@not/nets';

export const CPU = { name: 'cpu preset', size: 32, channels: 1, base: 16, filters: 16, maxFilters: 64, batch: 16, tIters: 10, noiseSamples: 1, pushBatch: 64 };
export const REFERENCE = { name: 'reference nets', size: 64, channels: 3, base: 48, filters: 64, maxFilters: 512, batch: 16, tIters: 10, noiseSamples: 1, pushBatch: 64 };

/** Uniform images in [-1, 1] as a Sampler. */
const sampler = (config, seed) => ({
  shape: [config.size, config.size, config.channels],
  sample: (n) => tf.randomUniform([n, config.size, config.size, config.channels], -1, 1, 'float32', seed++),
});

/**
 * The solver's own steps on `config` (its private map and potential updates, so the bench times the code users
 * run): `steps['t-step' | 'f-step' | 'outer' | 'push']()` runs one; `dispose()` frees everything.
 */
export function notSteps(config) {
  const c = config;
  const recomputeActivations = c.memory !== undefined;
  const map = new UNetMap({ size: c.size, channels: c.channels, noiseChannels: c.noiseSamples > 1 ? 1 : 0, base: c.base, recomputeActivations });
  const potential = new ResNetPotential({ size: c.size, channels: c.channels, filters: c.filters, maxFilters: c.maxFilters, recomputeActivations });
  const solver = new NeuralOT({
    map,
    potential,
    source: sampler(c, 1),
    target: sampler(c, 1000),
    cost: c.noiseSamples > 1 ? weakQuadraticCost({ gamma: 0.66 }) : quadraticCost(),
    batchSize: c.batch,
    tIters: c.tIters,
    noise: c.noiseSamples > 1 ? { samples: c.noiseSamples, std: 0.1 } : undefined,
    microBatch: c.memory?.microBatch,
  });
  const x = tf.randomUniform([c.pushBatch, c.size, c.size, c.channels], -1, 1);
  // Each step ends with an awaited read of its result, as training does, so that a GPU backend's queue is timed too.
  const settle = async (t) => {
    await t.data();
    t.dispose();
  };
  const steps = {
    't-step': () => settle(solver.mapUpdate({ step: 0 })),
    'f-step': () => settle(solver.potentialUpdate()),
    outer: () => solver.trainStep(),
    push: () => settle(pushForward(map, x, { noiseStd: 0.1, seed: 0 })),
  };
  const dispose = () => (solver.dispose(), tf.dispose([...Object.values(map.stateDict()), ...Object.values(potential.stateDict()), x]));
  return { steps, dispose };
}
