// The flagship run: learn a map from bags to shoes with Neural Optimal Transport, then translate held-out bags, then
// stack one more map on top of it (trained from the stack's output to the shoes) and keep the better depth. Choices
// (the run's best step, the depth) are made on the validation bags; the figures reported are on the test bags.
// By default it uses the Fashion-MNIST bags and shoes embedded in @not/datasets and networks sized for a CPU (about
// 7 minutes on 2 cores with oneDNN's kernels from @not/onednn, 13 with tfjs' own; 2/3 of it the run, 1/3 the
// stacking). Every flag of `not train` may be added, e.g. the reference configuration on a GPU:
//
//   node run.mjs --source igan:handbag_64.hdf5 --target igan:shoes_64.hdf5 --size 64 --preset reference
//
// Each set of settings has its own folder, named after the flags that define the run: out/default/ without flags,
// out/seed-1907/ for --seed 1907, out/cost-weak_seed-3/ for --cost weak --seed 3 (flags sorted; --steps, the intervals,
// --backend and --threads leave the name alone, so running again with more --steps extends the same run). --out DIR
// puts the folders in DIR instead. In that folder it writes run/ (metrics.jsonl, eval.jsonl, samples/,
// checkpoint.safetensors, T.safetensors, best/), translated/ (test bags mapped to shoes: one PNG each and grid.png) and
// stack/ (stages.png, metric-by-depth.png, summary.json, stack.safetensors). Run it again with the same flags to
// continue an unfinished run (--resume: `not train` and `not stack` refuse a folder that holds another run); when the
// run has trained on since the stacking began, the stacking starts afresh on it. --restart starts both afresh.
// --no-stack skips the stacking.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@not/cli';

/** Runs one `not` command; its error (say, a folder holding another run) ends the example with the message alone. */
const not = (args) =>
  main(['node', 'not', ...args]).catch((error) => {
    console.error(`not: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });

const given = process.argv.slice(2).filter((a) => a !== '--'); // pnpm passes its own '--' through
const ours = ['--no-stack', '--restart'];
const stacking = !given.includes('--no-stack');
const restart = given.includes('--restart');
// The stacking's own flags (the seeds benchmark's test makes it small): `--stages N` and `--stage-steps N` go to
// `not stack` only; --threads goes to every command.
const stackValues = { '--stages': '2', '--stage-steps': '100' };
const flags = [];
for (let i = 0; i < given.length; i++) {
  if (given[i] in stackValues) stackValues[given[i]] = given[++i];
  else if (!ours.includes(given[i])) flags.push(given[i]);
}
const flag = (name, fallback) => {
  const i = flags.findLastIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return fallback;
  return flags[i] === name ? (flags[i + 1] ?? fallback) : flags[i].slice(name.length + 1);
};
const here = dirname(fileURLToPath(import.meta.url));
const source = flag('--source', 'fashion-mnist:bag');
const backend = flag('--backend', 'auto');
const threads = flag('--threads') ? ['--threads', flag('--threads')] : [];
const folder = flag('--out', join(here, 'out', settingsName(flags)));
const args = withoutOption(flags, '--out');
const out = join(folder, 'run');
const stackOut = join(folder, 'stack');
const again = restart ? '--restart' : '--resume';
console.error(`handbags-shoes: writing to ${folder}`);

// The files `not stack --first` reads of the run: when training changes them, a stacking begun on them is stale.
const firstRunDigest = () => {
  const hash = createHash('sha256');
  for (const name of [join('best', 'T.safetensors'), 'T.safetensors', 'checkpoint.safetensors']) {
    const path = join(out, name);
    hash.update(`${name}:${existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : '-'};`);
  }
  return hash.digest('hex');
};
const before = firstRunDigest();

// commander keeps the last value of a repeated option, so the user's flags override these defaults.
await not(['train', '--source', source, '--target', 'fashion-mnist:shoes', '--out', out, again, ...args]);
// The run keeps the map that scored best on the validation split in best/ (when it evaluates); translate with that one.
const best = join(out, 'best');
const checkpoint = existsSync(join(best, 'T.safetensors')) ? best : out;
await not([
  'translate',
  '--checkpoint', checkpoint,
  '--input', source,
  '--split', 'test',
  '--count', '40',
  '--out', join(folder, 'translated'),
  '--backend', backend, ...threads,
]);
// The numbers behind the pictures (the metric the run evaluated with, on every test image).
if (checkpoint === best) await not(['eval', '--checkpoint', best, '--backend', backend, ...threads]);

// Stacking: the run's best map is stage 1; the next stage starts from its map and potential, and is kept only if it
// improves the classifier's Fréchet distance on the validation bags.
if (stacking) {
  await not([
    'stack',
    '--first', out,
    '--stages', stackValues['--stages'],
    '--stage-steps', stackValues['--stage-steps'],
    '--init', 'previous',
    '--out', stackOut,
    restart || (firstRunDigest() !== before && existsSync(join(stackOut, 'checkpoint.safetensors'))) ? '--restart' : '--resume',
    '--backend', backend, ...threads,
  ]);
}

/**
 * A folder name for the flags that define the run: "default" for none; else flag-value pairs, sorted, without the
 * flags that a resume may change (a longer run, other intervals, another backend continue the same run).
 */
function settingsName(list) {
  const adjustable = new Set(['--steps', '--sample-every', '--checkpoint-every', '--eval-every', '--backend', '--threads', '--recompute-activations', '--micro-batch', '--out', '--json']);
  const pairs = new Map();
  for (let i = 0; i < list.length; i++) {
    if (!list[i].startsWith('--')) continue;
    const [name, inline] = list[i].split('=', 2);
    const value = inline ?? (i + 1 < list.length && !list[i + 1].startsWith('--') ? list[++i] : '');
    if (!adjustable.has(name)) pairs.set(name.slice(2), value);
  }
  if (pairs.size === 0) return 'default';
  const name = [...pairs.keys()].sort().map((key) => `${key}${pairs.get(key) ? `-${pairs.get(key)}` : ''}`).join('_').replace(/[^A-Za-z0-9.=+-]+/g, '_');
  // Long data paths: keep the name readable and unique.
  return name.length <= 80 ? name : `${name.slice(0, 60)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** `list` without `option` and its value (`--out DIR` or `--out=DIR`). */
function withoutOption(list, option) {
  const kept = [];
  for (let i = 0; i < list.length; i++) {
    if (list[i] === option) i++;
    else if (!list[i].startsWith(`${option}=`)) kept.push(list[i]);
  }
  return kept;
}
