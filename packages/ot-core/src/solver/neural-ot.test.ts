import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { NeuralOT } from './neural-ot';
import type { NeuralOTOptions } from './neural-ot-options';
import { quadraticCost } from '../costs/quadratic';
import { weakQuadraticCost } from '../costs/weak-quadratic';
import { affineMap, diagonalGaussian, quadraticPotential } from '../testing/affine-modules';
import { addNoise, edmWeight } from './noise-levels';
import type { Potential, TransportMap } from '../types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// P = N(m1, diag s1²), Q = N(m2, diag s2²): the OT map is x ↦ m2 + (s2/s1)(x − m1).
const m1 = [1, -1];
const s1 = [1, 2];
const m2 = [-2, 0.5];
const s2 = [2, 0.5];

function problem(overrides: Partial<NeuralOTOptions> = {}) {
  const map = affineMap(2);
  const potential = quadraticPotential(2);
  const solver = new NeuralOT({
    map,
    potential,
    source: diagonalGaussian(m1, s1, { seed: 1 }),
    target: diagonalGaussian(m2, s2, { seed: 2 }),
    cost: quadraticCost({ scale: 'half-sum' }),
    batchSize: 256,
    tIters: 10,
    mapOptimizer: { lr: 0.01 },
    potentialOptimizer: { lr: 0.02 },
    seed: 3,
    ...overrides,
  });
  return { map, potential, solver };
}

function mapError(map: ReturnType<typeof affineMap>): number {
  const [w, b] = [map.stateDict().weight.arraySync() as number[][], map.stateDict().bias.arraySync() as number[]];
  let err = 0;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) err += (w[i][j] - (i === j ? s2[i] / s1[i] : 0)) ** 2;
    err += (b[i] - (m2[i] - (s2[i] / s1[i]) * m1[i])) ** 2;
  }
  return Math.sqrt(err);
}

describe('NeuralOT', () => {
  it('converges to the closed-form OT map between Gaussians', async () => {
    const { map, solver } = problem();
    const start = mapError(map);
    await solver.fit({ steps: 400 });
    // Starting from the identity the error is ≈4.6; Adam's stochastic steps leave a small jitter around the optimum.
    expect(start).toBeGreaterThan(4);
    expect(mapError(map)).toBeLessThan(0.25);
  });

  it('leaves the tensor count unchanged over many steps', async () => {
    const { solver } = problem();
    await solver.trainStep();
    const before = tf.memory().numTensors;
    await solver.fit({ steps: 30 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic for a seed', async () => {
    const losses = async () => (await problem().solver.fit({ steps: 5 })).map((r) => [r.mapLoss, r.potentialLoss]);
    expect(await losses()).toEqual(await losses());
  });

  it('resumes from stateDict and progress exactly as an uninterrupted run continues', async () => {
    const uninterrupted = (await problem().solver.fit({ steps: 6 })).map((r) => [r.mapLoss, r.potentialLoss]);
    const first = problem();
    const before = (await first.solver.fit({ steps: 3 })).map((r) => [r.mapLoss, r.potentialLoss]);
    const saved = tf.tidy(() => Object.fromEntries(Object.entries(first.solver.stateDict()).map(([k, v]) => [k, tf.clone(v)])));
    const progress = JSON.parse(JSON.stringify(first.solver.progress()));
    // A fresh solver (new networks, new optimizers) on the same samplers, which carry on from where they were.
    const resumed = problem({ source: first.solver.source, target: first.solver.target });
    resumed.solver.loadState(saved, progress);
    tf.dispose(Object.values(saved));
    const after = (await resumed.solver.fit({ steps: 3 })).map((r) => [r.mapLoss, r.potentialLoss]);
    expect([...before, ...after]).toEqual(uninterrupted);
    expect(resumed.solver.step).toBe(6);
    expect(() => resumed.solver.loadState(saved, { ...progress, step: -1 })).toThrow(/progress.step must be a non-negative integer/);
  });

  it('keeps a moving average of the map that a resumed run continues exactly', async () => {
    const options = { mapAverage: { decay: 0.9, warmup: 2 } };
    const straight = problem(options);
    await straight.solver.fit({ steps: 6 });
    const first = problem(options);
    await first.solver.fit({ steps: 3 });
    const saved = tf.tidy(() => Object.fromEntries(Object.entries(first.solver.stateDict()).map(([k, v]) => [k, tf.clone(v)])));
    expect(Object.keys(saved)).toContain('mapAverage.weight');
    const resumed = problem({ ...options, source: first.solver.source, target: first.solver.target });
    resumed.solver.loadState(saved, first.solver.progress());
    await resumed.solver.fit({ steps: 3 });
    const average = (s: NeuralOT) => Array.from(s.mapAverage!.stateDict().weight.dataSync());
    expect(average(resumed.solver)).toEqual(average(straight.solver));
    // The average lags the map: it is not a copy of the current weights.
    expect(average(straight.solver)).not.toEqual(Array.from(straight.map.stateDict().weight.dataSync()));
    const { mapAverageSteps: _, ...without } = first.solver.progress();
    expect(() => resumed.solver.loadState(saved, without)).toThrow('NeuralOT.loadState: the solver keeps a map average, but the saved state has none');    tf.dispose(Object.values(saved));
  });

  it('reports losses per step and stops when its signal is aborted', async () => {
    const seen: number[] = [];
    const stop = new AbortController();
    const onStep = (r: { step: number }) => {
      seen.push(r.step);
      if (r.step === 3) stop.abort();
    };
    const reports = await problem().solver.fit({ steps: 10, onStep, signal: stop.signal });
    expect(seen).toEqual([1, 2, 3]);
    expect(reports).toHaveLength(3);
    expect(Number.isFinite(reports[0].mapLoss) && Number.isFinite(reports[0].potentialLoss)).toBe(true);
  });

  it('keeps T in inference mode during the potential update and training mode during map updates', async () => {
    const modes: (boolean | undefined)[] = [];
    const { solver, map } = problem({ tIters: 2 });
    const apply = map.apply.bind(map);
    map.apply = (x, z, options) => (modes.push(options?.training), apply(x, z, options));
    await solver.trainStep();
    expect(modes).toEqual([true, true, false]);
  });

  it("freezes f's variables during map updates only, as the reference's freeze(D), and restores them", async () => {
    const frozen: boolean[] = [];
    const { solver, potential } = problem({ tIters: 2 });
    const apply = potential.apply.bind(potential);
    potential.apply = (y, options) => (frozen.push(potential.variables.every((v) => !v.trainable)), apply(y, options));
    await solver.trainStep();
    // Two map updates (f on T(x)), then the potential update (f on T(x) and on y).
    expect(frozen).toEqual([true, true, false, false]);
    expect(potential.variables.every((v) => v.trainable)).toBe(true);
  });

  it('estimates the weak cost without bias from K noise draws per input, each group of K from its own x', async () => {
    // T(x, z) = x + zN with z ~ N(0, I): the outputs of x have mean x and total variance σ² = ‖N‖²_F = 1 + 4 = 5.
    // The γ-weak cost ½‖x − E y‖² + ½(1 − γ)σ² is then ½·0.5·5 = 1.25. The estimator sees ȳ and s² of K = 4 draws:
    // without its −1/K correction it would average ½(σ²/K + (1 − γ)σ²) = 1.875, and outputs grouped under the wrong
    // x would add ½‖x − x'‖² ≈ 2. The learning rates are negligible, so the map stays as set.
    const map = affineMap(2, 2);
    tf.tidy(() => (map.stateDict().noise as tf.Variable).assign(tf.tensor2d([[1, 0], [0, 2]])));
    const solver = new NeuralOT({
      map,
      potential: quadraticPotential(2),
      source: diagonalGaussian(m1, s1, { seed: 1 }),
      target: diagonalGaussian(m2, s2, { seed: 2 }),
      cost: weakQuadraticCost({ gamma: 0.5, scale: 'half-sum' }),
      batchSize: 256,
      tIters: 4,
      noise: { samples: 4, std: 1 },
      mapOptimizer: { lr: 1e-12 },
      potentialOptimizer: { lr: 1e-12 },
    });
    await solver.trainStep();
    const before = tf.memory().numTensors;
    const reports = await solver.fit({ steps: 40 });
    expect(tf.memory().numTensors).toBe(before);
    expect(solver.noise.samples).toBe(4);
    const mean = reports.reduce((sum, r) => sum + r.cost, 0) / reports.length;
    // 160 updates of 256 groups: the mean's standard error is about 0.01.
    expect(mean).toBeCloseTo(1.25, 1);
    expect(Math.abs(mean - 1.25)).toBeLessThan(0.04);
  });

  it('explains impossible settings', () => {
    expect(() => problem({ cost: weakQuadraticCost({ gamma: 1 }) })).toThrow(
      'NeuralOT: cost "weak-quadratic(γ=1)" needs K >= 2 outputs per input, but the map is deterministic (noiseShape is null)',
    );
    expect(() => problem({ map: affineMap(2, 1), cost: weakQuadraticCost({ gamma: 1 }), noise: { samples: 1 } })).toThrow(
      'needs K >= 2 noise samples per input, got noise.samples = 1',
    );
    expect(() => problem({ batchSize: 0 })).toThrow('NeuralOT: batchSize must be a positive integer, got 0');
    expect(() => problem({ target: diagonalGaussian([0, 0, 0], [1, 1, 1], { seed: 1 }) })).toThrow(/source samples have shape \[2\] but target samples \[3\]/);
    expect(() => problem({ noisedPotential: true })).toThrow(/needs a noise-conditioned potential/);
  });

  it('noised-potential variant: trains toward the same map and leaks nothing', async () => {
    const map = affineMap(2);
    const solver = new NeuralOT({
      map,
      potential: quadraticPotential(2, true),
      source: diagonalGaussian(m1, s1, { seed: 1 }),
      target: diagonalGaussian(m2, s2, { seed: 2 }),
      cost: quadraticCost({ scale: 'half-sum' }),
      batchSize: 256,
      tIters: 10,
      noisedPotential: { pMean: -1, pStd: 0.5 },
      mapOptimizer: { lr: 0.01 },
      potentialOptimizer: { lr: 0.02 },
    });
    const start = mapError(map);
    await solver.trainStep();
    const before = tf.memory().numTensors;
    await solver.fit({ steps: 300 });
    expect(tf.memory().numTensors).toBe(before);
    expect(mapError(map)).toBeLessThan(start / 3);
  });
});

describe('NeuralOT micro-batching', () => {
  // T(x) = (x − batch mean)·W + b (+ z·N): like batch norm, T couples the samples of a batch in training mode and
  // tracks a running mean for inference mode, so splitting T's batch would change its gradients.
  function batchCenteredMap(dim: number, noiseDim = 0): TransportMap {
    const affine = affineMap(dim, noiseDim);
    const runningMean = tf.variable(tf.zeros([dim]), false);
    return {
      get variables() {
        return affine.variables;
      },
      noiseShape: affine.noiseShape,
      apply: (x, z, options) =>
        tf.tidy(() => {
          const mean = options?.training ? tf.mean(x, 0) : runningMean;
          if (options?.training) runningMean.assign(tf.add(tf.mul(runningMean, 0.9), tf.mul(mean, 0.1)));
          return affine.apply(tf.sub(x, mean), z, options);
        }),
      stateDict: () => ({ ...affine.stateDict(), runningMean }),
      loadStateDict: () => {},
      dispose: () => (affine.dispose(), runningMean.dispose()),
    };
  }

  async function train(microBatch: number | undefined, weak: boolean) {
    const map = batchCenteredMap(2, weak ? 1 : 0);
    const potential = quadraticPotential(2, weak);
    const solver = new NeuralOT({
      map,
      potential,
      source: diagonalGaussian(m1, s1, { seed: 1 }),
      target: diagonalGaussian(m2, s2, { seed: 2 }),
      cost: weak ? weakQuadraticCost({ gamma: 0.5 }) : quadraticCost(),
      batchSize: 16,
      tIters: 3,
      ...(weak ? { noise: { samples: 4, std: 1 }, noisedPotential: true } : {}),
      mapOptimizer: { lr: 0.05 },
      potentialOptimizer: { lr: 0.05 },
      microBatch,
    });
    await solver.trainStep();
    const before = tf.memory().numTensors;
    const reports = (await solver.fit({ steps: 4 })).map((r) => [r.mapLoss, r.cost, r.potentialLoss]);
    expect(tf.memory().numTensors).toBe(before);
    const state = Object.fromEntries(Object.entries(solver.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]));
    return { reports, state };
  }

  for (const weak of [false, true]) {
    it(`gives the whole batch's losses, weights and running statistics (${weak ? 'weak cost, K = 4, noised f' : 'strong cost'})`, async () => {
      const whole = await train(undefined, weak);
      // Chunks of 5 rows: uneven (16 = 5 + 5 + 5 + 1 in f updates; 64 outputs in weak T updates).
      const split = await train(5, weak);
      expect(Object.keys(split.state)).toEqual(Object.keys(whole.state));
      for (const [key, values] of Object.entries(whole.state)) {
        values.forEach((v, i) => expect(split.state[key][i], key).toBeCloseTo(v, 4));
      }
      whole.reports.flat().forEach((v, i) => expect(split.reports.flat()[i]).toBeCloseTo(v, 4));
      // The training moved the weights: equal states are not two untouched initialisations.
      expect(whole.state['map.bias'].some((v) => Math.abs(v) > 0.01)).toBe(true);
    });
  }

  it('refuses a potential with buffers, whose samples may depend on each other', () => {
    const potential = batchCenteredMap(2) as unknown as Potential;
    expect(() => problem({ potential, microBatch: 8 })).toThrow(
      "NeuralOT: microBatch splits f's batches, which needs a potential that treats samples independently; this one keeps buffers (runningMean), as batch norm does",
    );
    expect(() => problem({ microBatch: 0 })).toThrow('NeuralOT: microBatch must be a positive integer, got 0');
  });
});

describe('noise levels', () => {
  it('weights each sample by its own EDM weight λ(σ) = (σ² + σd²)/(σ·σd)²', () => {
    const sigma = tf.tensor1d([0.5, 1, 2]);
    const w = Array.from(edmWeight(sigma, { sigmaData: 0.5 }).dataSync());
    [0.5, 1, 2].forEach((s, i) => expect(w[i]).toBeCloseTo((s * s + 0.25) / (s * s * 0.25), 4));
  });

  it('adds σ_b·ε_b to sample b only (no batch-wide broadcasting)', () => {
    const y = tf.zeros([3, 2, 2, 1]);
    const noisy = addNoise(y, tf.tensor1d([1, 2, 3]), tf.ones([3, 2, 2, 1]));
    expect(Array.from(noisy.dataSync())).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });
});
