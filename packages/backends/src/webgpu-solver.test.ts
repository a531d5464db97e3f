// NOT's training steps on webgpu against cpu: the strong cost on the image networks, the weak cost with K = 8 noise
// draws, and the noised potential. Skips with a note where no WebGPU adapter is found.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { NeuralOT, type NeuralOTOptions, type Sampler, type StepReport, quadraticCost, weakQuadraticCost } from '@not/ot-core';
import { MlpMap, MlpPotential, ResNetPotential, UNetMap } from '@not/nets';
import { randomValues, seededRandom } from './test-helpers';
import { startWebGpu } from './webgpu-test-helpers';

const { report, skip } = await startWebGpu();

/** Fixed batches from plain data, the same on every backend. */
function sampler(shape: number[], seed: number): Sampler {
  const random = seededRandom(seed);
  return { shape, sample: (n) => tf.tensor(randomValues(random, [n, ...shape]), [n, ...shape]) };
}

const LR = 1e-3;
const STEPS = 2;

/** Two outer steps on `backend`: their reports and the state they leave. */
async function twoSteps(backend: string, options: () => Omit<NeuralOTOptions, 'source' | 'target'>, shape: number[]) {
  await tf.setBackend(backend);
  const settings = options();
  const solver = new NeuralOT({ ...settings, source: sampler(shape, 1), target: sampler(shape, 2), mapOptimizer: { lr: LR }, potentialOptimizer: { lr: LR }, seed: 5 });
  const reports: StepReport[] = [];
  for (let i = 0; i < STEPS; i++) reports.push(await solver.trainStep());
  const state = Object.fromEntries(await Promise.all(Object.entries(solver.stateDict()).map(async ([k, v]) => [k, Array.from(await v.data())] as const)));
  solver.dispose();
  settings.map.dispose();
  settings.potential.dispose();
  return { reports, state };
}

// Each case: its name, its solver, the sample shape, and the share of weights that must agree to 1e-5 relative.
const CASES: [string, () => Omit<NeuralOTOptions, 'source' | 'target'>, number[], number][] = [
  [
    'strong cost, UNet map and ResNet potential (16×16)',
    () => ({ map: new UNetMap({ size: 16, channels: 1, base: 4, seed: 1 }), potential: new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8, seed: 2 }), cost: quadraticCost(), batchSize: 4, tIters: 2 }),
    [16, 16, 1],
    0.95,
  ],
  [
    'weak cost, K = 8 noise draws per input',
    () => ({
      map: new UNetMap({ size: 16, channels: 1, noiseChannels: 1, base: 4, seed: 1 }),
      potential: new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8, seed: 2 }),
      cost: weakQuadraticCost({ gamma: 0.5 }),
      noise: { samples: 8, std: 0.1 },
      batchSize: 2,
      tIters: 2,
    }),
    [16, 16, 1],
    // The K outputs of an x differ by little, so their variance cancels most of its digits: rounding differences
    // between the backends grow there, and fewer weights agree to 1e-5 (all still within the bound below).
    0.75,
  ],
  [
    'noised potential (points, noise-conditioned MLP)',
    () => ({
      map: new MlpMap({ dim: 4, hidden: [16, 16], seed: 1 }),
      potential: new MlpPotential({ dim: 4, hidden: [16, 16], noiseConditioned: true, seed: 2 }),
      cost: quadraticCost(),
      noisedPotential: true,
      batchSize: 16,
      tIters: 2,
    }),
    [4],
    0.95,
  ],
];

describe.skipIf(skip !== undefined)('NOT training steps on webgpu', () => {
  afterAll(() => report?.release());

  for (const [name, options, shape, agreeing] of CASES) {
    it(`${name}: the losses and the updated weights match cpu`, async () => {
      const cpu = await twoSteps('cpu', options, shape);
      const gpu = await twoSteps('webgpu', options, shape);
      for (const [i, r] of cpu.reports.entries()) {
        for (const key of ['mapLoss', 'cost', 'potentialLoss', 'diversity'] as const) {
          expect(Math.abs(gpu.reports[i][key] - r[key]), `step ${i + 1} ${key}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(r[key])));
        }
      }
      // Adam moves each weight by about lr per update whatever its gradient's size, so a gradient within rounding of
      // 0 may move it either way: weights agree to within 2·lr per update, and most far better.
      const updates = STEPS * 3;
      let close = 0;
      let total = 0;
      for (const [key, values] of Object.entries(cpu.state)) {
        values.forEach((v, j) => {
          const d = Math.abs(gpu.state[key][j] - v);
          expect(d, `${key}[${j}]`).toBeLessThan(2 * LR * updates + 1e-5 * Math.max(1, Math.abs(v)));
          close += d < 1e-5 * Math.max(1, Math.abs(v)) ? 1 : 0;
          total += 1;
        });
      }
      expect(close / total).toBeGreaterThan(agreeing);
    }, 120_000);
  }
});
