import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { Rng, type TransportMap } from '@not/ot-core';
import { ImageDataset } from '@not/datasets';
import { openFashionMnist } from '@not/datasets/node';
import { type FashionClassifier, Lpips, lpipsWeightShapes } from '@not/metrics';
import { loadFashionClassifier } from '@not/metrics/node';
import { evaluateMap } from './evaluate-map';

let classifier: FashionClassifier;
beforeAll(async () => {
  await useBackend('wasm');
  classifier = await loadFashionClassifier();
});

/** T(x) = x, or the constant image `fill`. */
function fixedMap(fill?: number): TransportMap {
  return {
    variables: [],
    stateDict: () => ({}),
    loadStateDict: () => {},
    noiseShape: () => null,
    apply: (x: tf.Tensor) => (fill === undefined ? tf.clone(x) : tf.fill(x.shape, fill)),
  } as unknown as TransportMap;
}

const data = (classes: 'bag' | 'shoes') => new ImageDataset(openFashionMnist({ classes }), { size: 32, channels: 1 });

describe('evaluateMap', () => {
  it('scores the identity on shoes → shoes as perfect and on bags → shoes as untranslated, caching the target features', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'not-eval-'));
    const before = tf.memory().numTensors;
    const same = await evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('shoes'), target: data('shoes'), metrics: ['classifier', 'cost'], classifier, cacheDir, count: 300 });
    expect(same.count).toBe(300);
    expect(same.cost).toBe(0);
    expect(same.classifier!.targetClasses).toEqual([5, 7, 9]);
    expect(same.classifier!.targetShare).toBeGreaterThan(0.97);
    expect(same.classifier!.frechet).toBeLessThan(1e-3); // the very same images: rounding in Tr Σ + Tr Σ − 2 Tr (Σ²)^½ only
    const key = 'fashion-mnist_shoes-32px-1ch-test-fashion-classifier';
    expect(readdirSync(cacheDir).sort()).toEqual([`${key}.npy`, `${key}.stats.json`]);
    // The reference's stats format, and the same statistics as the features give.
    const cachedStats = JSON.parse(readFileSync(join(cacheDir, `${key}.stats.json`), 'utf8'));
    expect(cachedStats).toMatchObject({ count: 300, features: 'fashion-classifier' });
    expect(cachedStats.sigma).toHaveLength(128);
    const again = await evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('shoes'), target: data('shoes'), metrics: ['classifier'], classifier, cacheDir, count: 300 });
    expect(again.classifier).toEqual(same.classifier);

    const bags = await evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['classifier'], classifier, cacheDir, count: 100 });
    expect(bags.count).toBe(100);
    expect(bags.cost).toBeUndefined();
    expect(bags.classifier!.targetShare).toBeLessThan(0.05);
    expect(bags.classifier!.frechet).toBeGreaterThan(100);
    const blank = await evaluateMap({ map: fixedMap(-1), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['cost'], count: 10, batchSize: 4 });
    expect(blank.cost).toBeGreaterThan(0.1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures LPIPS(x, T(x)): 0 for the identity, positive for a blank map', async () => {
    // Random weights of the right shapes (lin weights non-negative, as the real ones): enough to check the plumbing.
    const rng = new Rng(3);
    const weights = Object.fromEntries(
      lpipsWeightShapes('alex').map(([key, shape]) => [key, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (key.startsWith('lin') ? rng.uniform() : 0.1 * (rng.uniform() - 0.5))) }]),
    );
    const lpips = Lpips.fromWeights('alex', weights);
    try {
      const same = await evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['lpips'], lpips, count: 6, batchSize: 4 });
      expect(same.lpips).toBe(0);
      const blank = await evaluateMap({ map: fixedMap(-1), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['lpips'], lpips, count: 6, batchSize: 4 });
      expect(blank.lpips).toBeGreaterThan(0);
    } finally {
      lpips.dispose();
    }
  });

  it('says what a metric needs', async () => {
    await expect(evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['fid'] })).rejects.toThrow(/'fid' and 'kid' need FID's Inception weights/);
    await expect(evaluateMap({ map: fixedMap(), noiseStd: 0.1, source: data('bag'), target: data('shoes'), metrics: ['classifier'] })).rejects.toThrow(/needs the Fashion-MNIST classifier/);
  });
});
