import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { PNG } from 'pngjs';
import { type ToyOptions, runToy } from './run-toy';

beforeAll(async () => {
  // wasm: the same 30 steps take ~25× longer on the pure-JS cpu backend.
  await useBackend('wasm');
});

// Tiny nets and batches: enough to move T♯P clearly towards Q in about a second.
const tiny: Partial<ToyOptions> = {
  steps: 30,
  batchSize: 64,
  tIters: 5,
  hidden: [32, 32],
  lr: 1e-2,
  evalSize: 256,
  lines: 16,
  panelSize: 160,
};

/** Decoded PNG with a count of pixels that are not near-white. */
function inspect(png: Buffer): { width: number; height: number; inked: number; greenish: number } {
  const img = PNG.sync.read(png);
  let inked = 0;
  let greenish = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const [r, g, b] = [img.data[4 * i], img.data[4 * i + 1], img.data[4 * i + 2]];
    if (r + g + b < 3 * 235) inked++;
    if (g > r + 20 && g > b + 20) greenish++;
  }
  return { width: img.width, height: img.height, inked, greenish };
}

describe('runToy', () => {
  it('moves T♯P towards Q with the strong cost and draws a two-panel PNG, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const started = performance.now();
    const result = await runToy({ ...tiny, target: '8gaussians', seed: 2 });
    const wall = (performance.now() - started) / 1000;
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ source: 'normal', target: '8gaussians', cost: 'strong', gamma: null, steps: 30 });
    expect(result.energy.mapped).toBeLessThan(0.5 * result.energy.source);
    expect(result.energy.floor).toBeGreaterThan(0);
    expect(result.energy.floor).toBeLessThan(result.energy.source);
    // seconds is the training part of the call: positive, and less than the whole (evaluation and drawing excluded).
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.seconds).toBeLessThan(wall);

    const img = inspect(result.png);
    expect(img.width).toBe(2 * 160);
    expect(img.height).toBeGreaterThan(160);
    expect(img.inked).toBeGreaterThan(0.05 * img.width * img.height);
    expect(img.greenish).toBeGreaterThan(200); // the mapped points
  });

  it('trains a stochastic map with the weak cost', async () => {
    const result = await runToy({ ...tiny, target: 'swiss-roll', cost: 'weak', gamma: 0.5, noiseSamples: 2, seed: 2 });
    expect(result).toMatchObject({ cost: 'weak', gamma: 0.5 });
    expect(result.energy.mapped).toBeLessThan(0.5 * result.energy.source);
    expect(inspect(result.png).greenish).toBeGreaterThan(200);
  });

  it('rejects unknown names and misplaced options, naming the option and the choices', async () => {
    await expect(runToy({ target: 'spiral' as never })).rejects.toThrow(
      `runToy: target must be one of '8gaussians', 'swiss-roll', 'moons', 'normal', got "spiral"`,
    );
    await expect(runToy({ source: 'uniform' as never, target: 'moons' })).rejects.toThrow('runToy: source must be one of');
    await expect(runToy({ target: 'moons', cost: 'wasserstein' as never })).rejects.toThrow(
      `runToy: cost must be one of 'strong', 'weak', got "wasserstein"`,
    );
    await expect(runToy({ target: 'moons', gamma: 1 })).rejects.toThrow(`runToy: gamma applies only to cost 'weak'`);
    await expect(runToy({ target: 'moons', noiseStd: 0.1 })).rejects.toThrow(`runToy: noiseStd applies only to cost 'weak'`);
    await expect(runToy({ target: 'moons', cost: 'weak', noiseSamples: 1 })).rejects.toThrow(
      'runToy: noiseSamples must be at least 2',
    );
    await expect(runToy({ target: 'moons', steps: 0 })).rejects.toThrow('runToy: steps must be a positive integer, got 0');
  });
});
