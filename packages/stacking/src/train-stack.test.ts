import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type Divergence, DivergenceGuard, type GuardEvent, MemoryCheckpointStore, Rng, type Sampler, type StepReport, type TransportMap, applyAffineMap, gaussianOtMap, quadraticCost } from '@not/ot-core';
import { affineMap, quadraticPotential } from '@not/ot-core/testing';
import { GaussianSampler, randomGaussianPair } from '@not/datasets';
import { l2Uvp } from '@not/metrics';
import type { StackRunState } from './stack-store';
import { type TrainStackOptions, trainStack } from './train-stack';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DIM = 3;
const pair = randomGaussianPair(DIM, new Rng(7));
const truth = gaussianOtMap(pair.m1, pair.S1, pair.m2, pair.S2);
const targetVariance = Array.from({ length: DIM }, (_, i) => pair.S2.data[i * DIM + i]).reduce((a, b) => a + b, 0);
const testPoints = new GaussianSampler(pair.m1, pair.S1, { seed: 99 }).sample(2000);
const trueImages = { data: applyAffineMap(truth, testPoints.dataSync()), shape: testPoints.shape };

/** L2-UVP (%) of a map against the closed-form OT map, on fixed test points. */
function uvp(map: TransportMap): number {
  const y = map.apply(testPoints);
  const value = l2Uvp(y, trueImages, targetVariance);
  y.dispose();
  return value;
}

/** Affine maps and quadratic potentials between the Gaussian pair: the exact solution is in the family. */
function options(overrides: Partial<TrainStackOptions> = {}): TrainStackOptions {
  return {
    source: new GaussianSampler(pair.m1, pair.S1, { seed: 1 }),
    target: new GaussianSampler(pair.m2, pair.S2, { seed: 2 }),
    stages: [{ steps: 6 }, { steps: 6 }],
    makeMap: () => affineMap(DIM),
    makePotential: () => quadraticPotential(DIM),
    batchSize: 128,
    tIters: 10,
    mapOptimizer: { lr: 0.01 },
    potentialOptimizer: { lr: 0.02 },
    cost: quadraticCost({ scale: 'half-sum' }),
    seed: 3,
    ...overrides,
  };
}

const weights = (map: TransportMap) => Object.values(map.stateDict()).flatMap((t) => Array.from(t.dataSync()));
const disposeMaps = (maps: TransportMap[]) => maps.forEach((m) => (m as { dispose?: () => void }).dispose?.());

describe('trainStack', () => {
  it('a second stage corrects an under-trained first one: the stack ends closer to the true OT map (L2-UVP)', async () => {
    const result = await trainStack(options({ stages: [{ steps: 8 }, { steps: 250 }], evaluate: (map) => ({ value: uvp(map) }) }));
    const [first] = result.maps;
    const alone = uvp(first);
    const stacked = uvp(result.stack!);
    // Eight steps from the identity leave most of the way to go; the second stage carries the rest.
    expect(alone).toBeGreaterThan(20);
    expect(stacked).toBeLessThan(3);
    expect(result.depth).toBe(2);
    expect(result.reports.map((r) => r.selected)).toEqual([false, true]);
    expect(result.reports[1].value).toBeCloseTo(stacked, 6);
    expect(result.sourceEvaluation!.value).toBeGreaterThan(alone);
    disposeMaps(result.maps);
  });

  it('freezes finished stages: training stage 2 changes nothing in stage 1', async () => {
    let afterStage1: number[] = [];
    const result = await trainStack(
      options({
        onStageEnd: ({ reports, stack }) => {
          if (reports.length === 1) afterStage1 = weights(stack.stages[0]);
        },
      }),
    );
    expect(afterStage1.length).toBe(DIM * DIM + DIM);
    expect(weights(result.maps[0])).toEqual(afterStage1);
    expect(weights(result.maps[1])).not.toEqual(weights(result.maps[0]));
    disposeMaps(result.maps);
  });

  it("passes a stage's microBatch to its solver: f sees passes of at most that many samples, and the maps are the same", async () => {
    const seen: number[] = [];
    const makePotential = () => {
      const f = quadraticPotential(DIM);
      const apply = f.apply.bind(f);
      f.apply = (y, o) => (seen.push(y.shape[0]), apply(y, o));
      return f;
    };
    const whole = await trainStack(options({ stages: [{ steps: 3 }, { steps: 3 }] }));
    const split = await trainStack(options({ stages: [{ steps: 3 }, { steps: 3, microBatch: 50 }], makePotential }));
    // Stage 1 in whole batches of 128; stage 2 in passes of 50, 50 and 28.
    expect(Math.max(...seen)).toBe(128);
    expect(new Set(seen.slice(seen.indexOf(50)))).toEqual(new Set([50, 28]));
    whole.maps.forEach((map, i) => weights(map).forEach((w, j) => expect(weights(split.maps[i])[j]).toBeCloseTo(w, 4)));
    disposeMaps([...whole.maps, ...split.maps]);
  });

  it('stops when a stage does not improve the validation value by the margin, and keeps the best depth', async () => {
    const scripted = [5, 4, 3.99, 1];
    let trained = 0;
    const result = await trainStack(
      options({
        stages: [{ steps: 2 }, { steps: 2 }, { steps: 2 }, { steps: 2 }],
        evaluate: (_map, at) => ({ value: at.stage === 0 ? 10 : scripted[at.stage - 1] }),
        margin: 0.01,
        onStageEnd: () => void trained++,
      }),
    );
    // Stage 3 improves stage 2 by 0.25% < 1%: stop, keep depth 3 (its value is still the lowest).
    expect(trained).toBe(3);
    expect(result.depth).toBe(3);
    expect(result.stack!.stages.length).toBe(3);
    expect(result.reports.map((r) => r.value)).toEqual([5, 4, 3.99]);
    disposeMaps(result.maps);
  });

  it("keeps and evaluates a stage's moving average when asked: avg_t = d_t·avg + (1 − d_t)·w_t, d_t = min(decay, (1 + t)/(warmup + t))", async () => {
    const decay = 0.8;
    const warmup = 2;
    for (const evaluating of [true, false]) {
      let map: TransportMap | null = null;
      const own: number[][] = []; // the map's own weights after each step
      const seen: number[][] = [];
      const result = await trainStack(
        options({
          stages: [{ steps: 6 }],
          mapAverage: { decay, warmup },
          makeMap: () => (map = affineMap(DIM)),
          onStep: () => own.push(weights(map!)),
          // Later steps score better, so the stage keeps its last evaluated map.
          ...(evaluating && {
            evaluateEvery: 3,
            evaluate: (stack: TransportMap, at: { stage: number; step: number }) => {
              if (at.stage > 0) seen.push(weights((stack as unknown as { stages: TransportMap[] }).stages[0]));
              return { value: -at.step };
            },
          }),
        }),
      );
      const start = affineMap(DIM);
      let average = weights(start);
      start.dispose();
      const expected = own.map((w, i) => {
        const d = Math.min(decay, (2 + i) / (warmup + 1 + i));
        average = average.map((a, j) => d * a + (1 - d) * w[j]);
        return average;
      });
      const close = (a: number[], b: number[]) => a.forEach((v, j) => expect(v).toBeCloseTo(b[j], 5));
      if (evaluating) {
        expect(seen).toHaveLength(2);
        close(seen[0], expected[2]);
        close(seen[1], expected[5]);
      }
      close(weights(result.maps[0]), expected[5]);
      expect(weights(result.maps[0])).not.toEqual(own[5]);
      disposeMaps(result.maps);
    }
  });

  it('keeps the best-evaluated step of a stage, not the last', async () => {
    let calls = 0;
    const values = [3, 1, 2];
    const seen: number[][] = [];
    const result = await trainStack(
      options({
        stages: [{ steps: 6 }],
        evaluateEvery: 2,
        evaluate: (map, at) => {
          if (at.stage === 0) return { value: 10 };
          seen.push(weights((map as unknown as { stages: TransportMap[] }).stages[0]));
          return { value: values[calls++] };
        },
      }),
    );
    expect(result.reports[0].keptStep).toBe(4);
    expect(weights(result.maps[0])).toEqual(seen[1]);
    disposeMaps(result.maps);
  });

  it('warm starts: init "previous" begins at the last stage\'s weights, "identity" near x ↦ x', async () => {
    const starts: number[][] = [];
    const makeMap = () => {
      const map = affineMap(DIM);
      const train = map.apply.bind(map);
      let recorded = false;
      map.apply = (x, z, o) => {
        if (!recorded && o?.training) {
          starts.push(weights(map));
          recorded = true;
        }
        return train(x, z, o);
      };
      return map;
    };
    let stage1: number[] = [];
    const result = await trainStack(
      options({
        makeMap,
        stages: [{ steps: 4 }, { steps: 2, init: 'previous' }],
        onStageEnd: ({ reports, stack }) => {
          if (reports.length === 1) stage1 = weights(stack.stages[0]);
        },
      }),
    );
    expect(starts[1]).toEqual(stage1);
    disposeMaps(result.maps);

    const shifted = affineMap(DIM);
    shifted.loadStateDict({ weight: tf.mul(tf.eye(DIM), 2), bias: tf.ones([DIM]) });
    const identity = await trainStack(options({ makeMap: () => shifted, stages: [{ steps: 1, init: 'identity' }], identity: { steps: 300, lr: 0.05 } }));
    // One NOT step after the identity fit moves it by about the learning rate.
    const w = identity.maps[0].stateDict().weight.arraySync() as number[][];
    w.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - (i === j ? 1 : 0))).toBeLessThan(0.1)));
    disposeMaps(identity.maps);
  });

  it('resumes mid-stage and at stage boundaries to the same result as an uninterrupted run', async () => {
    const uninterrupted = await trainStack(options({ stages: [{ steps: 5 }, { steps: 5 }], evaluate: (map) => ({ value: uvp(map) }) }));
    const expected = uninterrupted.maps.map(weights);
    disposeMaps(uninterrupted.maps);

    // Stopped (signal) mid-stage, stopped again, killed (an exception) just after stage 1's end, stopped in stage 2.
    const store = new MemoryCheckpointStore<StackRunState>();
    const stopAt = new Set(['1:3', '1:4', '2:3']);
    let killed = false;
    let runs = 0;
    let result: Awaited<ReturnType<typeof trainStack>> | undefined;
    for (;;) {
      runs++;
      let where = '';
      const stop = new AbortController();
      try {
        result = await trainStack(
          options({
            stages: [{ steps: 5 }, { steps: 5 }],
            evaluate: (map) => ({ value: uvp(map) }),
            store,
            checkpointEvery: 2,
            resume: runs > 1,
            onStep: (stage, r) => {
              where = `${stage}:${r.step}`;
              if (where === '2:1' && !killed) {
                killed = true;
                throw new Error('killed');
              }
              if (stopAt.delete(where)) stop.abort();
            },
            signal: stop.signal,
          }),
        );
      } catch (error) {
        expect((error as Error).message).toBe('killed');
        // The last checkpoint is the one stage 2 starts with.
        const saved = (await store.load())!;
        expect(saved.state).toMatchObject({ stage: 2, progress: { step: 0 } });
        tf.dispose(Object.values(saved.tensors));
        continue;
      }
      if (!result.interrupted) break;
      disposeMaps(result.maps);
    }
    expect(runs).toBe(5);
    expect(result.maps.map(weights)).toEqual(expected);
    expect(result.reports.map((r) => r.value)).toEqual(uninterrupted.reports.map((r) => r.value));
    disposeMaps(result.maps);
    store.dispose();
  });

  it('undoes a diverged step: the stage goes back to its last checkpoint with halved learning rates and finishes', async () => {
    /** Judges stage 2's step 5 diverged, once. */
    class DivergesAt extends DivergenceGuard {
      private fired = false;
      override inspect(report: StepReport): Divergence | null {
        if (report.step !== 5 || this.fired) return super.inspect(report);
        this.fired = true;
        return { step: 5, loss: 'mapLoss', value: Number.NaN, reason: 'injected' };
      }
    }
    const straight = await trainStack(options());
    const events: [number, GuardEvent][] = [];
    const steps: [number, number][] = [];
    const before = tf.memory().numTensors;
    const store = new MemoryCheckpointStore<StackRunState>();
    const result = await trainStack(options({
      store,
      checkpointEvery: 2,
      guard: (stage) => (stage === 2 ? new DivergesAt() : new DivergenceGuard()),
      onEvent: (stage, event) => events.push([stage, event]),
      onStep: (stage, report) => steps.push([stage, report.step]),
    }));
    expect(events).toEqual([[2, { kind: 'divergence', step: 5, loss: 'mapLoss', value: Number.NaN, reason: 'injected', restoredStep: 4, learningRateScale: 0.5 }]]);
    // Step 5 of stage 2 was not kept; it ran again after the rollback.
    expect(steps).toEqual([...[1, 2, 3, 4, 5, 6].map((s) => [1, s]), ...[1, 2, 3, 4, 5, 6].map((s) => [2, s])]);
    expect(weights(result.maps[0])).toEqual(weights(straight.maps[0]));
    expect(weights(result.maps[1])).not.toEqual(weights(straight.maps[1]));
    disposeMaps(result.maps);
    store.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeMaps(straight.maps);
  });

  it('leaves no tensors behind over a run', async () => {
    const before = tf.memory().numTensors;
    const result = await trainStack(options({ stages: [{ steps: 3 }, { steps: 3, init: 'previous' }, { steps: 3, init: 'identity' }], identity: { steps: 5 }, evaluate: (map) => ({ value: uvp(map) }), margin: 0 }));
    disposeMaps(result.maps);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explains bad options', async () => {
    await expect(trainStack(options({ stages: [{ steps: 0 }] }))).rejects.toThrow('trainStack: stages[0].steps must be a positive integer, got 0');
    await expect(trainStack(options({ resume: true }))).rejects.toThrow('trainStack: resume needs a store');
    await expect(trainStack(options({ pushforward: 'cached' }))).rejects.toThrow('trainStack: pushforward "cached" needs an indexed source');
    const plain: Sampler = { shape: [DIM], sample: (n) => tf.zeros([n, DIM]) };
    await expect(trainStack(options({ source: plain, resume: true, store: new MemoryCheckpointStore<StackRunState>() }))).rejects.toThrow('resume needs resumable source and target samplers');
  });
});
