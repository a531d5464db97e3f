/**
 * Problems with known answers, over seeds (issue 20): the Gaussian and 2-D toy runs at their full default sizes, one
 * run per seed, each scored against a target that comes from a closed form or from sampling noise alone. Prints one
 * table per case (seed, the figure, the target, the identity map's figure, pass/fail) and the count passing, and exits
 * with status 1 when a case passes in fewer than 9 of 10 seeds (90%, rounded up, of --seeds).
 *
 * Run: pnpm --filter @not/cli bench [-- --seeds 10 --only gaussian-2d,toy-8gaussians --first-seed 0]
 * Runs one after another on one core (wasm); at the defaults each case takes about 10 × 1 minute on a quiet core.
 */
import { parseArgs } from 'node:util';
import { BACKEND_REQUESTS, type BackendRequest, describeBackend, useBackend } from '@not/backends';
import { Rng, gaussianW2Squared, trace } from '@not/ot-core';
import { randomGaussianPair } from '@not/datasets';
import type { ToySamplerName } from '@not/datasets';
import { runW2Benchmark } from '../src/w2/w2-benchmark';
import { type ToyCost, runToy } from '../src/toy/run-toy';
import { energyFloor } from '../src/toy/energy-distance';

/** One seed's outcome: the figure (lower is better), its target, and what the identity map x ↦ x scores. */
interface Outcome {
  value: number;
  limit: number;
  identity: number;
  seconds: number;
}

interface Case {
  name: string;
  /** What the figure is, for the table's header. */
  figure: string;
  run(seed: number): Promise<Outcome>;
}

/**
 * NOT between a random Gaussian pair (eigenvalues log-uniform in [0.25, 4], random rotations, N(0, I) means) at the
 * W2 benchmark's defaults (SiLU MLPs 3×256, K_T = 5, batch 256, 400 steps, Adam 1e-3 cosine). Figure: L2-UVP in % of
 * the learned map against the closed-form OT map, on 4096 fresh points. The identity map's L2-UVP is exactly
 * 100·W2²(P, Q)/Tr Σ_Q (its transport cost is W2² since the OT map's own cost is W2²).
 */
function gaussianCase(dim: number, limit: number): Case {
  return {
    name: `gaussian-${dim}d`,
    figure: 'L2-UVP %',
    async run(seed) {
      const pair = randomGaussianPair(dim, new Rng(seed));
      const result = await runW2Benchmark({ dim, pair, seed });
      const identity = (100 * gaussianW2Squared(pair.m1, pair.S1, pair.m2, pair.S2)) / trace(pair.S2);
      return { value: result.l2uvp, limit, identity, seconds: result.seconds };
    },
  };
}

/**
 * NOT from N(0, I₂) to a toy set at runToy's defaults (ReLU MLPs 3×128, K_T = 5, 800 steps, Adam 1e-3 cosine; strong:
 * batch 256; weak γ = 1: batch 64 × 4 noise draws). Figure: the energy distance between T♯P and Q on 4096 points each,
 * in units of the sampling floor 2·E|y − y′|/n (what a perfect map would score on average: 1).
 */
function toyCase(target: ToySamplerName, cost: ToyCost, limit: number): Case {
  const evalSize = 4096;
  return {
    name: `toy-${cost === 'weak' ? 'weak-' : ''}${target}`,
    figure: 'energy / floor',
    async run(seed) {
      const result = await runToy({ target, cost, seed, evalSize, panelSize: 120 });
      const floor = energyFloor(result.points.target, 2, evalSize);
      return { value: result.energy.mapped / floor, limit, identity: result.energy.source / floor, seconds: result.seconds };
    },
  };
}

// Targets, set from the measured figures with margin (the per-seed tables are in the branch's report). An untrained
// map (one step) scores 126–153% L2-UVP and 6–10× the identity's energy, so every target below can fail.
// - Gaussians: L2-UVP below 1% (D = 2; measured 0.04–0.20% over seeds 0–9) and 3% (D = 16; measured 0.43%, seed 0). The W2 benchmark's
//   ⌊MM:R⌉ solver (the same saddle problem) reports 0.1% and 1.9% on its harder mixture pairs; the identity map
//   scores 30–460% here. An L2-UVP of 1% is an RMS error of 10% of Q's spread.
// - Toys, on 4096 points: within 3× the sampling floor for the strong maps (8 Gaussians: 0.58–1.92 over seeds 0–9;
//   swiss roll: 1.11, seed 0) and 4× for the weak one (measured 1.08, seed 1: a stochastic map spreads a little wider). The energy statistic between two
//   independent samples fluctuates around the floor by about its own size, so 3× leaves room for that noise while a
//   map that only roughly moves P towards Q (the identity: 60–110×; 30 tiny steps: ≈ 20–100×) fails.
const CASES: Case[] = [
  gaussianCase(2, 1),
  gaussianCase(16, 3),
  toyCase('8gaussians', 'strong', 3),
  toyCase('swiss-roll', 'strong', 3),
  toyCase('moons', 'strong', 3),
  toyCase('swiss-roll', 'weak', 4),
];

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'), // pnpm passes its own '--' through
  options: {
    seeds: { type: 'string', default: '10' },
    'first-seed': { type: 'string', default: '0' },
    only: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const seeds = Number(values.seeds);
const firstSeed = Number(values['first-seed']);
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`known-answers: --seeds must be an integer >= 1, got "${values.seeds}"`);
if (!Number.isInteger(firstSeed)) throw new Error(`known-answers: --first-seed must be an integer, got "${values['first-seed']}"`);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !CASES.some((c) => c.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(`known-answers: --only takes names among ${CASES.map((c) => c.name).join(', ')}; got ${unknown.join(', ')}`);
}
const need = Math.ceil(0.9 * seeds);
const backendName = values.backend as BackendRequest;
if (!BACKEND_REQUESTS.includes(backendName)) {
  throw new Error(`known-answers: --backend must be one of ${BACKEND_REQUESTS.join(', ')}, got "${values.backend}"`);
}

console.error(describeBackend(await useBackend(backendName)));
const summary: string[] = [];
let failed = false;
for (const c of CASES.filter((c) => !only || only.includes(c.name))) {
  const lines = [`\n### ${c.name}\n`, `| seed | ${c.figure} | target | identity map | seconds | pass |`, '|---|---|---|---|---|---|'];
  let passing = 0;
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const o = await c.run(seed);
    const pass = o.value < o.limit; // NaN (a diverged run) fails
    if (pass) passing++;
    const row = `| ${seed} | ${fmt(o.value)} | < ${o.limit} | ${fmt(o.identity)} | ${o.seconds.toFixed(0)} | ${pass ? 'pass' : 'FAIL'} |`;
    lines.push(row);
    console.error(`${c.name} ${row}`);
  }
  const ok = passing >= need;
  if (!ok) failed = true;
  lines.push(`\n${c.name}: ${passing}/${seeds} seeds pass (need ${need}): ${ok ? 'ok' : 'FAILED'}`);
  console.log(lines.join('\n'));
  summary.push(`${c.name}: ${passing}/${seeds}${ok ? '' : ' (FAILED)'}`);
}
console.log(`\n${summary.join('\n')}`);
if (failed) process.exitCode = 1;

function fmt(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x);
}
