import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { ResNetPotential, UNetMap } from '@not/nets';
import { planStepMemory } from './step-memory';

describe('planStepMemory', () => {
  let map: UNetMap;
  let potential: ResNetPotential;
  let nets: Parameters<typeof planStepMemory>[1];
  const auto = { recompute: 'auto', microBatch: 'auto' } as const;
  beforeAll(async () => {
    await useBackend('wasm');
    map = new UNetMap({ size: 16, channels: 1, noiseChannels: 1, base: 4 });
    potential = new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8 });
    nets = { map, potential, imageShape: [16, 16, 1], batchSize: 4, noiseSamples: 2 };
  });
  afterAll(() => (map.dispose(), potential.dispose()));

  it('on wasm, picks the fastest layout within the budget and leaves the networks as they were', async () => {
    const before = Object.values(map.stateDict()).map((v) => Array.from(v.dataSync()));
    const tensors = tf.memory().numTensors;
    const fits = await planStepMemory(auto, nets);
    expect(fits).toMatchObject({ recompute: false, microBatch: null });
    expect(fits.reason).toMatch(/^a step keeping activations: \d+\.\d MiB, within wasm's budget of 3\.00 GiB$/);
    const whole = fits.need as number;
    expect(whole).toBeGreaterThan(tf.memory().numBytes);
    // Recomputing saves memory; splitting f's passes saves more; the plan takes the first that fits.
    const recomputed = await planStepMemory(auto, nets, whole - 1);
    expect(recomputed).toMatchObject({ recompute: true, microBatch: null });
    const recomputedNeed = recomputed.need as number;
    expect(recomputedNeed).toBeLessThan(whole);
    const split = await planStepMemory(auto, nets, recomputedNeed - 1);
    expect(split).toMatchObject({ recompute: true });
    expect(split.microBatch).toBeGreaterThanOrEqual(1);
    expect(split.microBatch).toBeLessThan(8);
    expect(split.need).toBeLessThanOrEqual(recomputedNeed - 1);
    expect(split.reason).toMatch(new RegExp(`^a step recomputing activations, f in passes of ${split.microBatch}: `));
    // A fixed choice is kept, and a budget no layout meets is refused with every layout's need.
    const kept = await planStepMemory({ recompute: 'off', microBatch: 'auto' }, nets, whole - 1);
    expect(kept).toMatchObject({ recompute: false });
    expect(kept.microBatch).toBeLessThan(8);
    await expect(planStepMemory(auto, nets, tf.memory().numBytes)).rejects.toThrow(
      /^train: a step at --batch-size 4 needs about keeping activations: [\d.]+ MiB; recomputing activations: [\d.]+ MiB; recomputing activations, f in passes of 1: [\d.]+ MiB; wasm's heap holds 4 GiB \(budget [\d.]+ MiB\): lower --batch-size, or use the native backend/,
    );
    // The probes ran T in training mode: its batch-norm running statistics are back, and nothing leaked.
    expect(Object.values(map.stateDict()).map((v) => Array.from(v.dataSync()))).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    expect([map.recomputeActivations, potential.recomputeActivations]).toEqual([false, false]);
  });

  it('follows explicit choices, and only wasm has the cap', async () => {
    expect(await planStepMemory({ recompute: 'on', microBatch: 3 }, nets)).toEqual({
      recompute: true,
      microBatch: 3,
      reason: '--recompute-activations on, --micro-batch 3',
    });
    await useBackend('cpu');
    expect(await planStepMemory(auto, nets)).toEqual({
      recompute: false,
      microBatch: null,
      reason: '--recompute-activations auto, --micro-batch auto: the cpu backend has no 4 GiB heap cap',
    });
    await useBackend('wasm');
  });
});
