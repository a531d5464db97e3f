import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MemoryCheckpointStore, Rng, type TransportMap, quadraticCost } from '@not/ot-core';
import { affineMap, quadraticPotential } from '@not/ot-core/testing';
import { GaussianSampler, randomGaussianPair } from '@not/datasets';
import { describeDifferences, identityDifferences, isRunIdentity } from './run-identity';
import type { StackRunState } from './stack-store';
import { type TrainStackOptions, trainStack } from './train-stack';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('identityDifferences', () => {
  it('lists every leaf that differs, with its path, and keys present on one side only', () => {
    const stored = { settings: { seed: 1, lr: 0.001, stages: [{ cost: 'strong' }, { cost: 'weak' }], init: 'fresh' }, inputs: { first: 'aa' } };
    const asked = { settings: { seed: 2, lr: 0.001, stages: [{ cost: 'strong' }, { cost: 'strong' }], margin: 0 }, inputs: { first: 'bb' } };
    const differences = identityDifferences(stored, asked);
    expect(differences).toEqual([
      { path: 'settings.seed', stored: 1, asked: 2 },
      { path: 'settings.stages[1].cost', stored: 'weak', asked: 'strong' },
      { path: 'settings.init', stored: 'fresh', asked: undefined },
      { path: 'settings.margin', stored: undefined, asked: 0 },
      { path: 'inputs.first', stored: 'aa', asked: 'bb' },
    ]);
    expect(describeDifferences(differences.slice(0, 1))).toBe('settings.seed 1 → 2');
    expect(describeDifferences(differences.slice(2, 4))).toBe('settings.init "fresh" → (none); settings.margin (none) → 0');
    expect(identityDifferences(stored, structuredClone(stored))).toEqual([]);
    // Arrays of another length differ as a whole; keys set to undefined count as absent.
    expect(identityDifferences({ a: [1, 2] }, { a: [1, 2, 3], b: undefined })).toEqual([{ path: 'a', stored: [1, 2], asked: [1, 2, 3] }]);
  });

  it('accepts JSON values only', () => {
    expect(isRunIdentity({ a: [1, 'x', null, true, { b: 2 }] })).toBe(true);
    for (const bad of [Number.NaN, { a: Infinity }, { f: () => 1 }, new Date(0), [1n]]) expect(isRunIdentity(bad)).toBe(false);
  });
});

describe("trainStack's runIdentity", () => {
  const DIM = 2;
  const pair = randomGaussianPair(DIM, new Rng(11));
  const options = (overrides: Partial<TrainStackOptions>): TrainStackOptions => ({
    source: new GaussianSampler(pair.m1, pair.S1, { seed: 1 }),
    target: new GaussianSampler(pair.m2, pair.S2, { seed: 2 }),
    stages: [{ steps: 3 }, { steps: 3 }],
    makeMap: () => affineMap(DIM),
    makePotential: () => quadraticPotential(DIM),
    batchSize: 32,
    tIters: 2,
    mapOptimizer: { lr: 0.01 },
    potentialOptimizer: { lr: 0.02 },
    cost: quadraticCost({ scale: 'half-sum' }),
    seed: 5,
    ...overrides,
  });
  const weights = (maps: TransportMap[]) => maps.map((m) => Object.values(m.stateDict()).flatMap((t) => Array.from(t.dataSync())));
  const dispose = (maps: TransportMap[]) => maps.forEach((m) => (m as { dispose?: () => void }).dispose?.());
  const identity = { settings: { seed: 5, lr: 0.01 }, inputs: { first: 'sha-a' } };

  it('is saved with each checkpoint; a resume with another identity is refused, with the same one it continues exactly', async () => {
    const straight = await trainStack(options({}));
    const expected = weights(straight.maps);
    dispose(straight.maps);

    const store = new MemoryCheckpointStore<StackRunState>();
    const stop = new AbortController();
    const stopped = await trainStack(options({ store, runIdentity: identity, onStep: (_, r) => void (r.step === 2 && stop.abort()), signal: stop.signal }));
    expect(stopped.interrupted).toBe(true);
    dispose(stopped.maps);
    const saved = (await store.load())!;
    expect(saved.state.identity).toEqual(identity);
    tf.dispose(Object.values(saved.tensors));

    const other = options({ store, runIdentity: { settings: { seed: 6, lr: 0.01 }, inputs: { first: 'sha-b' } }, resume: true });
    const before = tf.memory().numTensors;
    await expect(trainStack(other)).rejects.toThrow(
      'trainStack: resume refused, it is another run: settings.seed 5 → 6; inputs.first "sha-a" → "sha-b" (stored → asked); start afresh',
    );
    expect(tf.memory().numTensors).toBe(before);

    const resumed = await trainStack(options({ store, runIdentity: structuredClone(identity), resume: true }));
    expect(weights(resumed.maps)).toEqual(expected);
    dispose(resumed.maps);
    store.dispose();
  });

  it('refuses a checkpoint saved without an identity when one is given, and an identity that is not JSON', async () => {
    const store = new MemoryCheckpointStore<StackRunState>();
    const plain = await trainStack(options({ store, stages: [{ steps: 1 }] }));
    dispose(plain.maps);
    await expect(trainStack(options({ store, stages: [{ steps: 1 }], runIdentity: identity, resume: true }))).rejects.toThrow(
      'trainStack: resume refused, its checkpoint records no runIdentity',
    );
    await expect(trainStack(options({ runIdentity: { seed: Number.NaN } }))).rejects.toThrow('trainStack: runIdentity must be a JSON value');
    store.dispose();
  });

  it('more stages extend a finished run to what an uninterrupted run of that many stages gives', async () => {
    const straight = await trainStack(options({ stages: [{ steps: 3 }, { steps: 3 }, { steps: 3 }] }));
    const expected = weights(straight.maps);
    dispose(straight.maps);
    const store = new MemoryCheckpointStore<StackRunState>();
    const short = await trainStack(options({ store, runIdentity: identity }));
    expect(short.maps.length).toBe(2);
    dispose(short.maps);
    const longer = await trainStack(options({ store, runIdentity: identity, resume: true, stages: [{ steps: 3 }, { steps: 3 }, { steps: 3 }] }));
    expect(weights(longer.maps)).toEqual(expected);
    dispose(longer.maps);
    // A stage in progress cannot be cut below the steps it has done.
    const halt = new AbortController();
    const cut = new MemoryCheckpointStore<StackRunState>();
    const stopped = await trainStack(options({ store: cut, onStep: (_, r) => void (r.step === 2 && halt.abort()), signal: halt.signal }));
    dispose(stopped.maps);
    await expect(trainStack(options({ store: cut, resume: true, stages: [{ steps: 1 }, { steps: 3 }] }))).rejects.toThrow(
      "trainStack: the checkpoint is at step 2 of stage 1, beyond these options' 1 steps in stage 1",
    );
    store.dispose();
    cut.dispose();
  });
});
