// Three toy runs of Neural Optimal Transport from N(0, I₂): strong maps to the swiss roll and to 8 Gaussians, and a
// weak (one-to-many) map to the swiss roll. Writes out/<name>.png and prints one JSON line of metrics per run.
//
// Usage: node run.mjs [--steps N] [--seed S] [--only name,name] [--panel-size PX] [--backend auto|wasm|cpu|…]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeBackend, useBackend } from '@not/backends';
import { runToy } from '@not/cli';

const RUNS = [
  { name: 'strong-swiss-roll', target: 'swiss-roll', cost: 'strong' },
  { name: 'strong-8gaussians', target: '8gaussians', cost: 'strong' },
  { name: 'weak-swiss-roll', target: 'swiss-roll', cost: 'weak' },
];

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'), // pnpm passes its own '--' through
  options: {
    steps: { type: 'string' },
    seed: { type: 'string', default: '0' },
    only: { type: 'string' },
    'panel-size': { type: 'string', default: '560' },
    backend: { type: 'string', default: 'auto' },
  },
});
const steps = values.steps === undefined ? undefined : Number(values.steps);
if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) {
  throw new Error(`toy-2d: --steps must be an integer >= 1, got "${values.steps}"`);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`toy-2d: --seed must be an integer, got "${values.seed}"`);

const panelSize = Number(values['panel-size']);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !RUNS.some((r) => r.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(`toy-2d: --only takes names among ${RUNS.map((r) => r.name).join(', ')}; got ${unknown.join(', ')}`);
}

const backend = await useBackend(values.backend);
console.error(describeBackend(backend));
const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');
mkdirSync(outDir, { recursive: true });

for (const { name, target, cost } of RUNS.filter((r) => !only || only.includes(r.name))) {
  const result = await runToy({
    target,
    cost,
    steps,
    seed,
    panelSize,
    // Progress goes to stderr, so stdout holds only the JSON lines.
    onStep: (r) => {
      if (r.step % 100 === 0) console.error(`${name} ${r.step}  T loss ${r.mapLoss.toFixed(3)}  f loss ${r.potentialLoss.toFixed(3)}`);
    },
  });
  const file = join(outDir, `${name}.png`);
  writeFileSync(file, result.png);
  const { energy } = result;
  console.log(
    JSON.stringify({
      name,
      source: result.source,
      target: result.target,
      cost: result.cost,
      gamma: result.gamma,
      steps: result.steps,
      seconds: Number(result.seconds.toFixed(1)),
      backend: backend.name,
      energy: energy.mapped,
      energySource: energy.source,
      energyFloor: energy.floor,
      png: relative(process.cwd(), file),
    }),
  );
}
