import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { DivergenceGuard } from './divergence-guard';
import { NeuralOT } from './neural-ot';
import type { StepReport } from './step-report';
import type { GuardEvent } from '../training/guard-events';
import { quadraticCost } from '../costs/quadratic';
import { defineCost } from '../costs/combinators';
import { Adam } from '../optim/adam';
import { Rng } from '../rng';
import { affineMap, diagonalGaussian, quadraticPotential } from '../testing/affine-modules';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const report = (step: number, mapLoss: number, potentialLoss = -mapLoss, diversity = 1): StepReport =>
  ({ step, mapLoss, potentialLoss, cost: 0, diversity, seconds: 0 });

describe('DivergenceGuard', () => {
  it('flags NaN and ±Inf losses from the first step', () => {
    const guard = new DivergenceGuard();
    expect(guard.inspect(report(1, Number.NaN))?.reason).toBe('mapLoss is NaN');
    expect(guard.inspect(report(1, 0.5, Number.POSITIVE_INFINITY))?.reason).toBe('potentialLoss is Infinity');
    expect(guard.inspect(report(1, 0.5))).toBeNull();
  });

  it('passes 2000 steps of noisy, drifting, sign-changing losses, and flags a jump by an order of magnitude', () => {
    const rng = new Rng(4);
    const guard = new DivergenceGuard();
    // Like NOT's losses: a slow drift through zero, a slow oscillation, and step-to-step noise.
    const loss = (t: number) => 2 - t / 500 + 0.5 * Math.sin(t / 40) + 0.2 * rng.normal();
    for (let t = 1; t <= 2000; t++) expect(guard.inspect(report(t, loss(t), -loss(t))), `step ${t}`).toBeNull();
    const spike = guard.inspect(report(2001, 100));
    expect(spike?.loss).toBe('mapLoss');
    expect(spike?.reason).toMatch(/^mapLoss 100\.0, while the last 50 good steps stayed within ±\d\.\d\d \(limit: 10 × max\(that, 1\)\)$/);
    // The spike did not join the baseline: the next ordinary step passes.
    expect(guard.inspect(report(2001, loss(2001)))).toBeNull();
  });

  it('judges spikes only after warm-up, and forgets steps a rollback undid', () => {
    const guard = new DivergenceGuard({ warmup: 5, window: 10 });
    for (let t = 1; t <= 4; t++) guard.inspect(report(t, 1 + 0.01 * t));
    expect(guard.inspect(report(5, 100))).toBeNull(); // only 4 good steps: still warming up
    const fresh = new DivergenceGuard({ warmup: 5, window: 10 });
    for (let t = 1; t <= 8; t++) fresh.inspect(report(t, 1 + 0.01 * t));
    const divergence = fresh.inspect(report(9, 100))!;
    expect(divergence).not.toBeNull();
    fresh.rolledBack(3, divergence);
    // Back at step 3, three good steps remain: below warm-up, so nothing is judged until five are in again.
    expect(fresh.inspect(report(4, 100))).toBeNull();
  });

  it('gives up after maxRollbacks, naming the last divergence', () => {
    const guard = new DivergenceGuard({ maxRollbacks: 2 });
    const divergence = guard.inspect(report(7, Number.NaN))!;
    guard.rolledBack(0, divergence);
    guard.rolledBack(0, divergence);
    expect(() => guard.rolledBack(0, divergence)).toThrow(
      'DivergenceGuard: training diverged 3 times (maxRollbacks 2); the last: step 7, mapLoss is NaN. Try a lower learning rate.');
  });

  it('reports mode collapse once after collapsePatience low-diversity steps past warm-up, and again only after a recovery', () => {
    const guard = new DivergenceGuard({ collapsePatience: 3, warmup: 3 });
    const seen = [0.01, 0.01, 0.02, 0.01, 0.01, 0.01, 0.3, 0.01, 0.01, 0.01].map((d, i) => {
      const r = report(i + 1, 0.5, -0.5, d);
      guard.inspect(r);
      return guard.collapse(r);
    });
    // Steps 1 and 2 are warm-up (a young map's outputs are alike); 3, 4, 5 are low: reported at 5, then at 10.
    expect(seen.map((c) => c?.step ?? null)).toEqual([null, null, null, null, 5, null, null, null, null, 10]);
    expect(seen[4]?.reason).toBe("T's outputs of a batch vary 1.0% as much as the target's (below 5.0% for 3 steps): mode collapse");
  });

  it('explains bad options', () => {
    expect(() => new DivergenceGuard({ lrFactor: 1 })).toThrow('DivergenceGuard: lrFactor must lie in (0, 1), got 1');
    expect(() => new DivergenceGuard({ window: 2 })).toThrow('DivergenceGuard: window must be an integer >= 3, got 2');
    expect(() => new DivergenceGuard({ warmup: 60 })).toThrow('DivergenceGuard: warmup (60) must not exceed window (50)');
    expect(() => new DivergenceGuard({ spike: 0 })).toThrow('DivergenceGuard: spike must be > 0, got 0');
  });
});

/** The Gaussian problem of neural-ot.test.ts, with a cost that returns NaN in the map updates of `poisoned` outer steps. */
function problem(poisoned: Set<number>, { batchSize = 64, lr = 0.01 } = {}) {
  const map = affineMap(2);
  const potential = quadraticPotential(2);
  const quadratic = quadraticCost({ scale: 'half-sum' });
  const seen = new Set<number>();
  const cost = defineCost({
    name: 'quadratic, poisoned',
    evaluate: (x, ys, context) => {
      const value = quadratic.evaluate(x, ys, context);
      // Poisoned once per step number: the step run again after the rollback is clean.
      if (!poisoned.has(context.step) || seen.has(context.step)) return value;
      seen.add(context.step);
      return tf.mul(value, Number.NaN);
    },
  });
  const solver = new NeuralOT({
    map, potential, cost, batchSize, tIters: 2, seed: 3,
    source: diagonalGaussian([1, -1], [1, 2], { seed: 1 }), target: diagonalGaussian([-2, 0.5], [2, 0.5], { seed: 2 }),
    mapOptimizer: { lr }, potentialOptimizer: { lr: 2 * lr },
  });
  return { map, potential, solver };
}

describe('NeuralOT.fit with a guard', () => {
  it('goes back to the last checkpoint on a NaN, lowers the learning rates, and runs the lost steps again', async () => {
    // context.step is 0-based: poisoning 12 makes outer step 13 diverge; checkpoints are at steps 0, 5 and 10.
    const { map, solver } = problem(new Set([12]));
    const atStep10: Record<string, number[]> = {};
    const events: GuardEvent[] = [];
    const before = tf.memory().numTensors;
    const reports = await solver.fit({
      steps: 20,
      guard: {},
      checkpointEvery: 5,
      onEvent: (event) => {
        events.push(event);
        // Right after the rollback the map is exactly as it was after step 10.
        for (const [k, v] of Object.entries(map.stateDict())) expect(Array.from(v.dataSync()), k).toEqual(atStep10[k]);
      },
      onStep: (r) => {
        if (r.step === 10) for (const [k, v] of Object.entries(map.stateDict())) atStep10[k] = Array.from(v.dataSync());
      },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'divergence', step: 13, loss: 'mapLoss', reason: 'mapLoss is NaN', restoredStep: 10, learningRateScale: 0.5 });
    expect(reports.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(reports.every((r) => Number.isFinite(r.mapLoss))).toBe(true);
    expect(solver.step).toBe(20);
    expect(solver.learningRateScale).toBe(0.5);
    expect(solver.progress().learningRateScale).toBe(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without a guard, a NaN goes through (the reports say so)', async () => {
    const { solver } = problem(new Set([2]));
    const reports = await solver.fit({ steps: 4, guard: false });
    expect(Number.isNaN(reports[2].mapLoss)).toBe(true);
  });

  it('stops with a clear error when rollbacks run out', async () => {
    const { solver } = problem(new Set([3, 4, 5]));
    await expect(solver.fit({ steps: 10, guard: { maxRollbacks: 1 }, checkpointEvery: 2 })).rejects.toThrow(
      /^DivergenceGuard: training diverged 2 times \(maxRollbacks 1\); the last: step [45], mapLoss is NaN/);
  });

  it('reports diversity near 1 for a map whose outputs spread like the target, near 0 for a constant map', async () => {
    // T stays the identity (a negligible learning rate): N(m1, diag(1, 4)) against N(m2, diag(4, 0.25)) gives a mean
    // std of 1.5 over 1.25; 4096 samples estimate it within about 2%.
    const { solver, map } = problem(new Set(), { batchSize: 4096, lr: 1e-9 });
    expect(Math.abs((await solver.trainStep()).diversity - 1.5 / 1.25)).toBeLessThan(0.04);
    tf.tidy(() => map.loadStateDict({ weight: tf.zeros([2, 2]), bias: tf.ones([2]) }));
    expect((await solver.trainStep()).diversity).toBeLessThan(0.05);
  });

  it('restores the learning-rate scale with the progress, and reads older progress without it as 1', () => {
    const { solver } = problem(new Set());
    solver.setLearningRateScale(0.25);
    const progress = solver.progress();
    const state = solver.stateDict();
    const other = problem(new Set()).solver;
    other.loadState(state, progress);
    expect(other.learningRateScale).toBe(0.25);
    const { learningRateScale: _, ...older } = progress;
    other.loadState(state, older);
    expect(other.learningRateScale).toBe(1);
  });
});

describe('Adam.learningRateScale', () => {
  it('scales the step exactly as a scaled learning rate does', () => {
    const run = (lr: number, scale: number) => {
      const v = tf.variable(tf.tensor1d([1, -2, 3]), true, `w${lr}${scale}`);
      const adam = new Adam([v], { lr });
      adam.learningRateScale = scale;
      for (let i = 0; i < 3; i++) tf.tidy(() => adam.apply({ [v.name]: tf.tensor1d([0.5, 0.1, -0.3]) }));
      const out = Array.from(v.dataSync());
      adam.dispose();
      v.dispose();
      return out;
    };
    expect(run(0.1, 0.5)).toEqual(run(0.05, 1));
    expect(run(0.1, 0.5)).not.toEqual(run(0.1, 1));
  });
});
