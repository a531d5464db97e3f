// Trains NOT between seeded random Gaussian pairs in several dimensions and compares the L2-UVP with the
// Wasserstein-2 benchmark's reversed-maximin solver (⌊MM:R⌉, the same saddle problem as NOT) on its harder pairs.
// Usage: node run.mjs [--dims 2,4,8,16,64] [--steps N] [--seed S]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeBackend, useBackend } from '@not/backends';
import { runW2Benchmark } from '@not/cli';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'), // pnpm passes its own '--' through
  options: { dims: { type: 'string', default: '2,4,8,16,64' }, steps: { type: 'string' }, seed: { type: 'string', default: '0' } },
});
const dims = values.dims.split(',').map(Number);
const publishedMmR = { 2: 0.1, 4: 0.3, 8: 0.7, 16: 1.9, 32: 2.8, 64: 4.5 };

console.error(describeBackend(await useBackend('auto')));
const rows = [];
for (const dim of dims) {
  const result = await runW2Benchmark({ dim, seed: Number(values.seed), ...(values.steps ? { steps: Number(values.steps) } : {}) });
  rows.push({ dim, steps: result.steps, l2uvp: result.l2uvp, bw2uvp: result.bw2uvp, seconds: result.seconds });
  console.error(`D=${dim}: L2-UVP ${result.l2uvp.toFixed(2)}%  (${result.seconds.toFixed(0)} s)`);
}

console.log('\n| D | steps | L2-UVP % | BW2-UVP % | seconds | W2 benchmark ⌊MM:R⌉ L2-UVP % |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.dim} | ${r.steps} | ${r.l2uvp.toFixed(2)} | ${r.bw2uvp.toFixed(3)} | ${r.seconds.toFixed(0)} | ${publishedMmR[r.dim] ?? '–'} |`);
}
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/results.json', import.meta.url), JSON.stringify(rows, null, 2) + '\n');
console.log('\nwrote examples/gaussians/out/results.json');
