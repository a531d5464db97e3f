/**
 * How a stage should draw from the push-forward of P through the frozen stages before it: on the fly (every draw
 * pushed, (K_T + 1) batches per outer step) or cached (the training set pushed once, then gathered). Times both for
 * stage 3 of a stack at the CPU preset's sizes (Fashion-MNIST bags, 32×32 gray, UNet 16, ResNet 16/64, batch 16,
 * K_T 3), side by side in one process, and compares the measured break-even with the rule trainStack's 'auto' uses.
 * Run: pnpm --filter @not/stacking bench   (STEPS changes the outer steps timed per mode, default 12).
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { ImageDataset, ImageSampler } from '@not/datasets';
import { openFashionMnist } from '@not/datasets/node';
import { NeuralOT, type Sampler, quadraticCost } from '@not/ot-core';
import { ResNetPotential, UNetMap } from '@not/nets';
import { Stack, pushforwardCached, pushforwardOnTheFly } from '../src/index';

const STEPS = Number(process.env.STEPS ?? 12);
const BATCH = 16;
const T_ITERS = 3;

const backend = await useBackend('auto');
const open = (classes: 'bag' | 'shoes') => new ImageDataset(openFashionMnist({ classes }), { size: 32, channels: 1 });
const bags = open('bag');
const shoes = open('shoes');
const maps = [1, 2].map((seed) => new UNetMap({ size: 32, channels: 1, base: 16, seed }));
const frozen = new Stack(maps);

/** Seconds per outer step of a stage trained on `source`, after one warm-up step. */
async function secondsPerStep(source: Sampler): Promise<number> {
  const map = new UNetMap({ size: 32, channels: 1, base: 16, seed: 3 });
  const potential = new ResNetPotential({ size: 32, channels: 1, filters: 16, maxFilters: 64, seed: 4 });
  const solver = new NeuralOT({ map, potential, source, target: new ImageSampler(shoes, { seed: 1 }), cost: quadraticCost(), batchSize: BATCH, tIters: T_ITERS });
  await solver.trainStep();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) await solver.trainStep();
  const seconds = (performance.now() - t0) / 1000 / STEPS;
  solver.dispose();
  map.dispose();
  potential.dispose();
  return seconds;
}

const base = () => new ImageSampler(bags, { seed: 0 });
const onTheFly = await secondsPerStep(pushforwardOnTheFly(base(), frozen));
const t0 = performance.now();
const cached = await pushforwardCached(base(), frozen, { batchSize: 64 });
const build = (performance.now() - t0) / 1000;
const fromCache = await secondsPerStep(cached);
const plain = await secondsPerStep(base());

const trainCount = bags.trainCount;
const measuredBreakEven = build / Math.max(1e-9, onTheFly - fromCache);
const ruleBreakEven = trainCount / ((T_ITERS + 1) * BATCH);
console.log(`push-forward through 2 frozen UNets, stage 3 at 32×32, batch ${BATCH}, K_T ${T_ITERS}, on ${backend.name} (${STEPS} steps each)`);
console.log(`  no push-forward (stage 1)   ${plain.toFixed(3)} s/step`);
console.log(`  on the fly                  ${onTheFly.toFixed(3)} s/step   (${(onTheFly / plain).toFixed(2)}× stage 1)`);
console.log(`  cached                      ${fromCache.toFixed(3)} s/step   (${(fromCache / plain).toFixed(2)}× stage 1; building the cache of ${trainCount} images: ${build.toFixed(1)} s)`);
console.log(`  caching pays off after ${measuredBreakEven.toFixed(0)} steps measured; 'auto' caches from ${ruleBreakEven.toFixed(0)} steps (set size / ((K_T + 1)·batch))`);
console.log(`  for a 250-step stage: on the fly ${(250 * onTheFly).toFixed(0)} s, cached ${(build + 250 * fromCache).toFixed(0)} s (${((250 * onTheFly) / (build + 250 * fromCache)).toFixed(2)}×)`);
maps.forEach((m) => m.dispose());
tf.disposeVariables();
