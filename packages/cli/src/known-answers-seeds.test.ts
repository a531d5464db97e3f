// Problems with known answers, over seeds (issue 20): small Gaussian and 2-D toy runs must reach their targets in at
// least 9 of 10 seeds, and the identity map must miss every target (so the targets can fail). The full-size version
// with its per-seed table is `pnpm --filter @not/cli bench` (bench/known-answers.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@not/backends';
import { Rng, gaussianW2Squared, trace } from '@not/ot-core';
import { randomGaussianPair } from '@not/datasets';
import { runW2Benchmark } from './w2/w2-benchmark';
import { type ToyOptions, runToy } from './toy/run-toy';

beforeAll(async () => {
  await useBackend('wasm');
});

const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

interface Row {
  seed: number;
  value: number;
  identity: number;
}

/** At least 9 of the 10 seeds below `limit` (NaN fails), and the identity map above it in every seed. */
function expectNineOfTen(name: string, rows: Row[], limit: number): void {
  const fmt = (x: number) => x.toPrecision(3);
  console.info(`${name} (target < ${limit}): ${rows.map((r) => `${r.seed}: ${fmt(r.value)} (identity ${fmt(r.identity)})`).join(', ')}`);
  expect(rows.filter((r) => r.value < limit).length, `${name}: seeds under ${limit}`).toBeGreaterThanOrEqual(9);
  for (const r of rows) expect(r.identity, `${name}: the identity map's figure, seed ${r.seed}`).toBeGreaterThan(limit);
}

describe('known answers over 10 seeds (small sizes)', () => {
  it('Gaussians in 2-D: the learned map is within a few % L2-UVP of the closed-form OT map', async () => {
    // Measured 1.1–4.5% over these seeds at this size (the identity map: 50–300%); 8% leaves margin for float
    // roundings of other backends while a map whose RMS error is 30% of Q's spread still fails.
    const limit = 8;
    const rows: Row[] = [];
    for (const seed of SEEDS) {
      const pair = randomGaussianPair(2, new Rng(seed));
      const result = await runW2Benchmark({ dim: 2, pair, seed, steps: 30, tIters: 3, hidden: [32, 32], batchSize: 64, testSize: 1024, lr: 1e-2 });
      // The identity's transport cost is W2² (the OT map's own cost), so its L2-UVP is 100·W2²/Tr Σ_Q in closed form.
      const identity = (100 * gaussianW2Squared(pair.m1, pair.S1, pair.m2, pair.S2)) / trace(pair.S2);
      rows.push({ seed, value: result.l2uvp, identity });
    }
    expectNineOfTen('gaussian 2-D L2-UVP %', rows, limit);
  });

  // Tiny nets, 30 steps of K_T = 3: a second each. The figure is the energy distance of T♯P to Q (1024 points) over
  // that of the identity map (P itself to Q): 1 for no progress, and near the sampling floor (≈ 0.02 here) for a
  // perfect map. At this size the maps reached 0.21–0.55 over these seeds (one step of training: 6.5–9.8), so the
  // target 0.6 asks for most of the way while leaving room for float roundings of other backends.
  const tiny: Partial<ToyOptions> = { steps: 30, batchSize: 64, tIters: 3, hidden: [32, 32], lr: 1e-2, evalSize: 1024, lines: 4, panelSize: 120 };
  const toyCases: { name: string; options: ToyOptions; limit: number }[] = [
    { name: 'strong → 8 Gaussians', options: { ...tiny, target: '8gaussians' }, limit: 0.6 },
    { name: 'strong → moons', options: { ...tiny, target: 'moons' }, limit: 0.6 },
  ];
  for (const { name, options, limit } of toyCases) {
    it(`2-D toy ${name}: T♯P is much closer to Q than P is`, async () => {
      const rows: Row[] = [];
      for (const seed of SEEDS) {
        const { energy } = await runToy({ ...options, seed });
        rows.push({ seed, value: energy.mapped / energy.source, identity: 1 });
      }
      expectNineOfTen(`toy ${name} energy / identity's`, rows, limit);
    });
  }
});
