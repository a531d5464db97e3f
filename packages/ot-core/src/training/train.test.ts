import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../index';
import { NeuralOT } from '../solver/neural-ot';
import type { SolverProgress } from '../solver/step-report';
import { quadraticCost } from '../costs/quadratic';
import { affineMap, diagonalGaussian, quadraticPotential } from '../testing/affine-modules';
import type { Sampler } from '../types';
import { type Checkpoint, type CheckpointStore, MemoryCheckpointStore } from './checkpoint-store';
import { train } from './train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

function solver(tIters = 3, samplers?: { source: Sampler; target: Sampler }) {
  return new NeuralOT({
    map: affineMap(2),
    potential: quadraticPotential(2),
    source: samplers?.source ?? diagonalGaussian([1, -1], [1, 2], { seed: 1 }),
    target: samplers?.target ?? diagonalGaussian([-2, 0.5], [2, 0.5], { seed: 2 }),
    cost: quadraticCost(),
    batchSize: 32,
    tIters,
    mapOptimizer: { lr: 0.01 },
    potentialOptimizer: { lr: 0.02 },
    seed: 3,
  });
}

/** A memory store that also records what it was asked to do. */
class RecordingStore extends MemoryCheckpointStore<SolverProgress> {
  readonly log: string[] = [];
  override async save(checkpoint: Checkpoint<SolverProgress>): Promise<void> {
    this.log.push(`save ${checkpoint.state.step}`);
    await super.save(checkpoint);
  }
}

describe('train', () => {
  it('is asynchronous and lets timers run between steps', async () => {
    const s = solver();
    let stepWhenTimerRan = -1;
    setTimeout(() => (stepWhenTimerRan = s.step), 0);
    const pending = s.fit({ steps: 8 });
    expect(pending).toBeInstanceOf(Promise);
    expect(s.step).toBe(0);
    await pending;
    // The timer ran while training went on: after the first step, before the last.
    expect(stepWhenTimerRan).toBeGreaterThanOrEqual(1);
    expect(stepWhenTimerRan).toBeLessThan(8);
  });

  for (const tIters of [1, 10]) {
    it(`reads the device once per outer step, with K_T = ${tIters}, and never synchronously`, async () => {
      const s = solver(tIters);
      const reads = vi.spyOn(tf.engine(), 'read');
      const syncReads = vi.spyOn(tf.engine(), 'readSync');
      const reports = await train(s, { steps: 6, checkpointEvery: 2 });
      expect(reports.reports).toHaveLength(6);
      expect(reads).toHaveBeenCalledTimes(6);
      expect(syncReads).not.toHaveBeenCalled();
    });
  }

  it('stops within one step of an abort, checkpoints there, and resumes to the numbers of an uninterrupted run', async () => {
    const uninterrupted = (await train(solver(), { steps: 7 })).reports.map((r) => [r.mapLoss, r.potentialLoss]);

    const first = solver();
    const store = new RecordingStore();
    const stop = new AbortController();
    const part = await train(first, {
      steps: 7,
      store,
      checkpointEvery: 100,
      signal: stop.signal,
      onStep: (r) => {
        if (r.step === 3) stop.abort();
      },
    });
    expect(part).toMatchObject({ interrupted: true });
    expect(first.step).toBe(3);
    expect(store.log).toEqual(['save 0', 'save 3']);

    // A new solver (new networks and optimizers) on the same samplers, which carry on from where they stood.
    const second = solver(3, first);
    const saved = (await store.load())!;
    second.loadState(saved.tensors, saved.state);
    tf.dispose(Object.values(saved.tensors));
    const rest = await train(second, { steps: 7, store });
    expect(rest.interrupted).toBe(false);
    expect([...part.reports, ...rest.reports].map((r) => [r.mapLoss, r.potentialLoss])).toEqual(uninterrupted);
    store.dispose();
  });

  it('an abort that arrives while the loop yields still leaves a checkpoint of the last step', async () => {
    const s = solver();
    const store = new RecordingStore();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 0);
    const result = await train(s, { steps: 1000, store, checkpointEvery: 1000, signal: stop.signal });
    expect(result.interrupted).toBe(true);
    expect(s.step).toBeLessThan(1000);
    expect(store.log.at(-1)).toBe(`save ${s.step}`);
    store.dispose();
  });

  it('evaluates every `every` steps and at the end, before that step is checkpointed', async () => {
    const store = new RecordingStore();
    const s = solver();
    const before = tf.memory().numTensors;
    await train(s, {
      steps: 5,
      store,
      checkpointEvery: 2,
      evaluate: { every: 2, run: (step) => void store.log.push(`evaluate ${step}`) },
    });
    expect(store.log).toEqual(['save 0', 'evaluate 2', 'save 2', 'evaluate 4', 'save 4', 'evaluate 5', 'save 5']);
    store.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says what is wrong with its options', async () => {
    await expect(train(solver(), { steps: -1 })).rejects.toThrow('train: steps must be an integer >= 0, got -1');
    await expect(train(solver(), { steps: 3, checkpointEvery: 0 })).rejects.toThrow('train: checkpointEvery must be an integer >= 1, got 0');
    await expect(train(solver(), { steps: 3, evaluate: { every: 1.5, run: () => {} } })).rejects.toThrow('train: evaluate.every must be an integer >= 1, got 1.5');
    const empty: CheckpointStore<SolverProgress> = { load: async () => null, save: async () => {} };
    const poisoned = solver();
    vi.spyOn(poisoned, 'trainStep').mockResolvedValue({ step: 1, mapLoss: Number.NaN, cost: 0, potentialLoss: 0, diversity: 1, seconds: 0 });
    await expect(train(poisoned, { steps: 3, store: empty })).rejects.toThrow(
      'train: step 1 diverged (mapLoss is NaN), but the store holds no checkpoint to go back to',
    );
  });
});
