import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { ResNetPotential, UNetMap } from '@not/nets';
import { decideRecompute } from './activation-memory';

describe('decideRecompute', () => {
  let map: UNetMap;
  let potential: ResNetPotential;
  let nets: Parameters<typeof decideRecompute>[1];
  beforeAll(async () => {
    await useBackend('wasm');
    map = new UNetMap({ size: 16, channels: 1, noiseChannels: 1, base: 4 });
    potential = new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8 });
    nets = { map, potential, imageShape: [16, 16, 1], batch: 4, noiseSamples: 2 };
  });
  afterAll(() => (map.dispose(), potential.dispose()));

  it('on wasm, measures the step against the heap budget and leaves the networks as they were', () => {
    const before = Object.values(map.stateDict()).map((v) => Array.from(v.dataSync()));
    const tensors = tf.memory().numTensors;
    const fits = decideRecompute('auto', nets);
    expect(fits).toMatchObject({ recompute: false });
    expect(fits.reason).toMatch(/^a training step needs about \d+\.\d\d GiB \(activations 0\.00 GiB\), within wasm's budget of 3\.00 GiB$/);
    const need = fits.need as number;
    expect(need).toBeGreaterThan(tf.memory().numBytes);
    const tight = decideRecompute('auto', nets, need * 0.8);
    expect(tight).toMatchObject({ recompute: true, need });
    expect(tight.reason).toMatch(/over wasm's budget of \d+\.\d\d GiB$/);
    expect(() => decideRecompute('auto', nets, need * 0.3)).toThrow(
      /^train: a training step needs about .* with recomputed activations; wasm's heap holds 4 GiB \(budget .*\): lower --batch, or use the native backend/,
    );
    // The probe ran T in training mode: its batch-norm running statistics are back, and nothing leaked.
    expect(Object.values(map.stateDict()).map((v) => Array.from(v.dataSync()))).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('follows an explicit choice, and only wasm has the cap', async () => {
    expect(decideRecompute('on', nets)).toEqual({ recompute: true, reason: '--recompute-activations on' });
    expect(decideRecompute('off', nets)).toEqual({ recompute: false, reason: '--recompute-activations off' });
    await useBackend('cpu');
    expect(decideRecompute('auto', nets)).toEqual({ recompute: false, reason: 'the cpu backend has no 4 GiB heap cap' });
    await useBackend('wasm');
  });
});
