import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@not/ot-core';
import { writeNpy } from '@not/datasets';
import { kernelInceptionDistance } from '@not/metrics';
import { registerMetrics } from './metrics';
import { programWith, runCli } from '../testing/run-cli';

const run = (args: string[]) => runCli(programWith(registerMetrics), args);
const dir = mkdtempSync(join(tmpdir(), 'not-metrics-'));

/** n correlated feature vectors of length d, plus `shift` on every coordinate j scaled by (j + 1). */
function features(n: number, d: number, seed: number, shift = 0): Float64Array {
  const z = new Rng(seed).normals(n * d, 'float64') as Float64Array;
  for (let i = 0; i < n; i++) for (let j = 1; j < d; j++) z[i * d + j] += 0.5 * z[i * d + j - 1];
  for (let i = 0; i < n * d; i++) z[i] += shift * ((i % d) + 1);
  return z;
}

describe('not metrics', () => {
  it('frechet: a shifted copy of a set is ‖shift‖² away (same covariance), from .npy or saved statistics', async () => {
    const n = 300;
    const d = 6;
    const a = features(n, d, 1);
    const b = a.map((v, i) => v + 0.1 * ((i % d) + 1));
    writeFileSync(join(dir, 'a.npy'), writeNpy(a, [n, d]));
    writeFileSync(join(dir, 'b.npy'), writeNpy(b, [n, d]));
    const shift2 = Array.from({ length: d }, (_, j) => (0.1 * (j + 1)) ** 2).reduce((s, v) => s + v, 0);
    const line = JSON.parse((await run(['metrics', 'frechet', '--a', join(dir, 'a.npy'), '--b', join(dir, 'b.npy'), '--json'])).stdout);
    expect(line).toMatchObject({ dim: d, a: { count: n }, b: { count: n } });
    expect(line.frechet).toBeCloseTo(shift2, 9);
    // The reference's stats format: {mu, sigma}.
    const mu = Array.from({ length: d }, (_, j) => a.filter((_, i) => i % d === j).reduce((s, v) => s + v, 0) / n);
    const sigma = Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => Array.from({ length: n }, (_, r) => (a[r * d + i] - mu[i]) * (a[r * d + j] - mu[j])).reduce((s, v) => s + v, 0) / (n - 1)),
    );
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ mu, sigma }));
    const fromJson = JSON.parse((await run(['metrics', 'frechet', '--a', join(dir, 'a.json'), '--b', join(dir, 'b.npy'), '--json'])).stdout);
    expect(fromJson.frechet).toBeCloseTo(shift2, 9);
    expect((await run(['metrics', 'frechet', '--a', join(dir, 'a.npy'), '--b', join(dir, 'b.npy')])).stdout).toMatch(/^Fréchet distance 0\.9\d+ \(d = 6; 300 and 300 vectors\)/);
  });

  it('kid: prints what the library computes', async () => {
    writeFileSync(join(dir, 'x.npy'), writeNpy(features(200, 4, 2), [200, 4]));
    writeFileSync(join(dir, 'y.npy'), writeNpy(features(150, 4, 3, 0.2), [150, 4]));
    const line = JSON.parse((await run(['metrics', 'kid', '--a', join(dir, 'x.npy'), '--b', join(dir, 'y.npy'), '--subsets', '5', '--subset-size', '100', '--backend', 'cpu', '--json'])).stdout);
    const want = await kernelInceptionDistance({ data: features(200, 4, 2), rows: 200, dim: 4 }, { data: features(150, 4, 3, 0.2), rows: 150, dim: 4 }, { subsets: 5, subsetSize: 100 });
    expect(line).toEqual(want);
    expect(line.kid).toBeGreaterThan(0);
  });

  it('names the file and what it expected', async () => {
    writeFileSync(join(dir, 'bad.npy'), writeNpy(new Float32Array(8), [2, 2, 2]));
    await expect(run(['metrics', 'frechet', '--a', join(dir, 'bad.npy'), '--b', join(dir, 'a.npy')])).rejects.toThrow(/bad\.npy must hold a float32 or float64 array of shape \[N, d\], got float32 \[2, 2, 2\]/);
    writeFileSync(join(dir, 'bad.json'), '{"mu": [1]');
    await expect(run(['metrics', 'frechet', '--a', join(dir, 'bad.json'), '--b', join(dir, 'a.npy')])).rejects.toThrow(/bad\.json is not readable JSON/);
  });
});
