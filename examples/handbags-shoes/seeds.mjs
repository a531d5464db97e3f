// The seeds benchmark of the flagship: runs run.mjs (what `pnpm start` runs: not train, translate, eval, stack) once
// per seed, reads each seed's test figures with `not eval --json`, and prints a table with the median and the worst.
// A benchmark, not a test: a missed goal is reported, never an exit status. `node seeds.mjs --help` says more.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(dirname(fileURLToPath(import.meta.resolve('@not/cli'))), 'bin.js');
// `not train`'s default --seed (resolveTrainConfig): the seed of `pnpm start`, always the first one benchmarked.
const DEFAULT_SEED = 0;
// The goal of issue 20 (run.mjs stacks with `not stack --stages 2 --stage-steps 100` by default).
const GOAL = { stacked: 0.9, oneMap: 0.85, median: 0.95, minutes: 15 };

const HELP = `Usage: pnpm --filter handbags-shoes seeds -- [options] [-- run.mjs flags]

Runs the flagship (run.mjs: not train + translate + eval + stack) once per seed, each in its own folder
(out/seed-N/, or DIR/seed-N/ with --out DIR), and prints per seed the test split's shoe share (the Fashion-MNIST
classifier's target-class share) and classifier Fréchet distance after one map and after stacking, the cost
‖x − T(x)‖²/D, and the wall minutes of the seed's whole run; then the median and the worst of each column, and the
goal check of issue 20. Figures come from \`not eval --json\` on the test split (run/best or run/, and stack/).
Folders that hold a finished run are resumed, so the figures are read again without training (the minutes then
count only what ran now).

Options:
  --seeds N        how many seeds: ${DEFAULT_SEED} (pnpm start's own seed), then 1, 2, … (default 5)
  --parallel P     runs side by side (default 1); with P > 1 each run gets --threads 1 unless given
  --out DIR        where the seed folders go (default: run.mjs's naming under out/)
  --results DIR    where results.json, results.md and seed-N.png go (default: seeds/ beside this script)
  --same-steps     also train one map for the same total steps as the stack (run steps + the stages' steps, in
                   <seed folder>-steps-T/ with --no-stack: the seed's run continued where the learning rate is
                   constant, else a fresh run) and compare it with the stack per seed
  -h, --help       this text

Everything after a second -- goes to run.mjs, e.g. \`-- --steps 400\` or \`-- --stage-steps 50\`.
Example: pnpm --filter handbags-shoes seeds -- --seeds 5 --parallel 2`;

const split = process.argv.slice(2).filter((a, i) => !(a === '--' && i === 0)); // pnpm passes its own '--' through
const cut = split.indexOf('--');
const own = cut < 0 ? split : split.slice(0, cut);
const passed = cut < 0 ? [] : split.slice(cut + 1);
const { values: opts } = parseArgs({
  args: own,
  options: {
    seeds: { type: 'string', default: '5' },
    parallel: { type: 'string', default: '1' },
    out: { type: 'string' },
    results: { type: 'string', default: join(here, 'seeds') },
    'same-steps': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const count = positive('--seeds', opts.seeds);
const parallel = positive('--parallel', opts.parallel);
if (passed.some((a) => a === '--seed' || a.startsWith('--seed=') || a === '--out' || a.startsWith('--out='))) {
  fail('the run.mjs flags must not hold --seed or --out (give --seeds and --out before the second --)');
}
const seeds = [DEFAULT_SEED, ...Array.from({ length: count - 1 }, (_, i) => i + 1)];
const runFlags = parallel > 1 && !passed.some((a) => a === '--threads' || a.startsWith('--threads=')) ? [...passed, '--threads', '1'] : passed;
const results = resolve(opts.results);
mkdirSync(results, { recursive: true });
// `not eval --split test` where eval has that option; else eval reports the test split (it names it in its output).
const evalSplit = (await capture(process.execPath, [cli, 'eval', '--help'])).includes('--split') ? ['--split', 'test'] : [];

console.log(`seeds benchmark: seeds ${seeds.join(', ')} (${parallel} at a time)${runFlags.length ? `, run.mjs ${runFlags.join(' ')}` : ''}`);
const rows = await pool(seeds, parallel, benchmarkSeed);
const summary = summarize(rows);
const table = markdown(summary);
console.log(`\n${table}`);
writeFileSync(join(results, 'results.json'), `${JSON.stringify({ seeds, flags: runFlags, goal: GOAL, ...summary }, null, 2)}\n`);
writeFileSync(join(results, 'results.md'), `${table}\n`);
console.log(`written: ${join(results, 'results.json')}, results.md and seed-N.png`);

/** One seed: the flagship run, its test figures, its pictures; with --same-steps, the longer single map too. */
async function benchmarkSeed(seed) {
  const outFlags = opts.out ? ['--out', join(resolve(opts.out), `seed-${seed}`)] : [];
  const run = await runFlagship(seed, [...runFlags, '--seed', String(seed), ...outFlags]);
  const folder = run.folder;
  const best = join(folder, 'run', 'best');
  const oneMap = await evaluate(existsSync(join(best, 'T.safetensors')) ? best : join(folder, 'run'));
  const stackSummary = join(folder, 'stack', 'summary.json');
  const stack = existsSync(stackSummary) ? JSON.parse(readFileSync(stackSummary, 'utf8')) : null;
  const stacked = stack ? await evaluate(join(folder, 'stack')) : null;
  copyFileSync(join(folder, 'translated', 'grid.png'), join(results, `seed-${seed}.png`));
  if (stack) copyFileSync(join(folder, 'stack', 'stages.png'), join(results, `seed-${seed}-stack.png`));
  const row = { seed, folder, minutes: run.minutes, oneMap, stacked, depth: stack?.depth ?? null };
  if (opts['same-steps'] && stack) {
    const config = JSON.parse(readFileSync(join(folder, 'run', 'config.json'), 'utf8'));
    const steps = config.steps + stack.stages.reduce((sum, s) => sum + s.steps, 0);
    const longFolder = `${folder}-steps-${steps}`;
    // With a constant learning rate nothing in a run depends on its length, and a resumed run is the uninterrupted
    // one: the longer map continues the seed's own run (a copy) instead of repeating its first steps. A decaying rate
    // spans --steps, so there it trains afresh.
    if (config.lrDecay === 'none' && !existsSync(join(longFolder, 'run'))) cpSync(join(folder, 'run'), join(longFolder, 'run'), { recursive: true });
    const long = await runFlagship(seed, [...runFlags, '--seed', String(seed), '--steps', String(steps), '--no-stack', '--out', longFolder]);
    const longBest = join(long.folder, 'run', 'best');
    row.sameSteps = { steps, minutes: long.minutes, ...(await evaluate(existsSync(join(longBest, 'T.safetensors')) ? longBest : join(long.folder, 'run'))) };
  }
  console.log(`seed ${seed}: ${describeRow(row)}`);
  return row;
}

/** Runs run.mjs; its output goes to run.log in the seed's folder (the folder is the one run.mjs says it writes to). */
async function runFlagship(seed, args) {
  const started = performance.now();
  console.log(`seed ${seed}: run.mjs ${args.join(' ')}`);
  const output = await capture(process.execPath, [join(here, 'run.mjs'), ...args], true);
  const folder = /handbags-shoes: writing to (.+)/.exec(output)?.[1];
  if (!folder) fail(`seed ${seed}: run.mjs did not say where it writes:\n${output.slice(-2000)}`);
  writeFileSync(join(folder, 'run.log'), output);
  return { folder, minutes: (performance.now() - started) / 60_000 };
}

/** The test figures of a map or stack directory, from `not eval --json`. */
async function evaluate(checkpoint) {
  const out = await capture(process.execPath, [cli, 'eval', '--checkpoint', checkpoint, '--metrics', 'classifier,cost', '--json', ...evalSplit, ...threadsFlag()]);
  const line = JSON.parse(out.trim().split('\n').at(-1));
  return { split: line.split, share: line.classifier.targetShare, frechet: line.classifier.frechet, cost: line.cost };
}

function threadsFlag() {
  const i = runFlags.findLastIndex((a) => a === '--threads' || a.startsWith('--threads='));
  return i < 0 ? [] : runFlags[i] === '--threads' ? ['--threads', runFlags[i + 1]] : [runFlags[i]];
}

/** Rows, the median and the worst of each column (worst: lowest share, highest FD, cost and minutes), the goal check. */
function summarize(rows) {
  const columns = {
    oneMapShare: [(r) => r.oneMap.share, 'low'],
    oneMapFrechet: [(r) => r.oneMap.frechet, 'high'],
    stackedShare: [(r) => r.stacked?.share, 'low'],
    stackedFrechet: [(r) => r.stacked?.frechet, 'high'],
    oneMapCost: [(r) => r.oneMap.cost, 'high'],
    stackedCost: [(r) => r.stacked?.cost, 'high'],
    minutes: [(r) => r.minutes, 'high'],
    sameStepsShare: [(r) => r.sameSteps?.share, 'low'],
    sameStepsFrechet: [(r) => r.sameSteps?.frechet, 'high'],
  };
  const median = {};
  const worst = {};
  for (const [key, [get, bad]] of Object.entries(columns)) {
    const values = rows.map(get).filter((v) => typeof v === 'number').sort((a, b) => a - b);
    if (values.length === 0) continue;
    const mid = values.length >> 1;
    median[key] = values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    worst[key] = bad === 'low' ? values[0] : values.at(-1);
  }
  const final = (r) => r.stacked?.share ?? r.oneMap.share;
  const finals = rows.map(final).sort((a, b) => a - b);
  const mid = finals.length >> 1;
  const medianFinal = finals.length % 2 ? finals[mid] : (finals[mid - 1] + finals[mid]) / 2;
  const goal = {
    everyStacked: rows.every((r) => final(r) >= GOAL.stacked),
    everyOneMap: rows.every((r) => r.oneMap.share >= GOAL.oneMap),
    median: medianFinal >= GOAL.median,
    everyMinutes: rows.every((r) => r.minutes <= GOAL.minutes),
  };
  goal.met = Object.values(goal).every(Boolean);
  return { rows, median, worst, goal };
}

function markdown({ rows, median, worst, goal }) {
  const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : '–');
  const num = (digits) => (v) => (typeof v === 'number' ? v.toFixed(digits) : '–');
  const same = rows.some((r) => r.sameSteps);
  const head = ['seed', 'shoes, one map', 'FD, one map', 'shoes, stacked', 'FD, stacked', 'depth', 'cost, one map', 'cost, stacked', 'minutes'];
  if (same) head.push('shoes, one map same steps', 'FD, one map same steps', 'stack beats it (FD)');
  const line = (label, v) => {
    const cells = [label, pct(v.oneMapShare), num(1)(v.oneMapFrechet), pct(v.stackedShare), num(1)(v.stackedFrechet), v.depth ?? '', num(4)(v.oneMapCost), num(4)(v.stackedCost), num(1)(v.minutes)];
    if (same) cells.push(pct(v.sameStepsShare), num(1)(v.sameStepsFrechet), v.beats ?? '');
    return `| ${cells.join(' | ')} |`;
  };
  const flat = (r) => ({
    oneMapShare: r.oneMap.share, oneMapFrechet: r.oneMap.frechet, stackedShare: r.stacked?.share, stackedFrechet: r.stacked?.frechet,
    depth: r.depth, oneMapCost: r.oneMap.cost, stackedCost: r.stacked?.cost, minutes: r.minutes,
    sameStepsShare: r.sameSteps?.share, sameStepsFrechet: r.sameSteps?.frechet,
    beats: r.sameSteps && r.stacked ? (r.stacked.frechet < r.sameSteps.frechet ? 'yes' : 'no') : undefined,
  });
  const split = rows[0]?.oneMap.split ?? 'test';
  const mark = (ok) => (ok ? '✓' : '✗');
  return [
    `Split: ${split}. Shoes: the Fashion-MNIST classifier's target-class share; FD: its Fréchet distance; cost: ‖x − T(x)‖²/D; minutes: the seed's whole run.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => line(String(r.seed), flat(r))),
    line('median', median),
    line('worst', worst),
    '',
    `Goal: ${mark(goal.everyStacked)} every seed ≥ ${pct(GOAL.stacked)} stacked · ${mark(goal.everyOneMap)} every seed ≥ ${pct(GOAL.oneMap)} one map · ` +
      `${mark(goal.median)} median ≥ ${pct(GOAL.median)} · ${mark(goal.everyMinutes)} every run ≤ ${GOAL.minutes} min → ${goal.met ? 'met' : 'not met'}`,
  ].join('\n');
}

function describeRow(r) {
  const pct = (v) => `${(100 * v).toFixed(1)}%`;
  const parts = [`one map ${pct(r.oneMap.share)} shoes (FD ${r.oneMap.frechet.toFixed(1)})`];
  if (r.stacked) parts.push(`stacked ${pct(r.stacked.share)} (FD ${r.stacked.frechet.toFixed(1)}, depth ${r.depth})`);
  if (r.sameSteps) parts.push(`one map ${r.sameSteps.steps} steps ${pct(r.sameSteps.share)} (FD ${r.sameSteps.frechet.toFixed(1)})`);
  parts.push(`${r.minutes.toFixed(1)} min`);
  return parts.join(', ');
}

/** Runs `items` through `work`, at most `width` at a time, keeping the order of `items`. */
async function pool(items, width, work) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** A child's stdout (with `both`, stdout and stderr together); a failed child ends the benchmark with its output. */
function capture(command, args, both = false) {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (both ? (out += d) : (err += d)));
    child.on('close', (code) => {
      if (code !== 0) fail(`${args.slice(0, 3).join(' ')} … exited with ${code}:\n${(out + err).slice(-3000)}`);
      done(out);
    });
  });
}

function positive(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be an integer >= 1, got "${text}"`);
  return n;
}

function fail(message) {
  console.error(`seeds: ${message}`);
  process.exit(1);
}
