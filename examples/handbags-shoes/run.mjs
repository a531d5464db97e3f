// The flagship run: learn a map from bags to shoes with Neural Optimal Transport, then translate held-out bags, then
// stack two more maps on top of it (each trained from the stack's output to the shoes) and keep the best depth.
// By default it uses the Fashion-MNIST bags and shoes embedded in @not/datasets and networks sized for a CPU (about
// 16 minutes on 2 cores: about 9 for the run, 7 for the stacking). Every flag of `not train` may be added, e.g. the
// reference configuration on a GPU:
//
//   node run.mjs --source igan:handbag_64.hdf5 --target igan:shoes_64.hdf5 --size 64 --preset reference
//
// Writes out/run (metrics.jsonl, eval.jsonl, samples/, checkpoint.safetensors, T.safetensors, best/), out/translated
// (test bags mapped to shoes: one PNG each and grid.png) and out/stack (stages.png, metric-by-depth.png, summary.json,
// stack.safetensors). Run it again to continue an unfinished run (--resume). --no-stack skips the stacking.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@not/cli';

const given = process.argv.slice(2).filter((a) => a !== '--'); // pnpm passes its own '--' through
const stacking = !given.includes('--no-stack');
const args = given.filter((a) => a !== '--no-stack');
const flag = (name, fallback) => {
  const i = args.lastIndexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const here = dirname(fileURLToPath(import.meta.url));
const source = flag('--source', 'fashion-mnist:bag');
const out = flag('--out', join(here, 'out', 'run'));
const backend = flag('--backend', 'auto');

// commander keeps the last value of a repeated option, so the user's flags override these defaults.
await main(['node', 'not', 'train', '--source', source, '--target', 'fashion-mnist:shoes', '--out', out, '--resume', ...args]);
// The run keeps the map that scored best on the test split in best/ (when it evaluates); translate with that one.
const best = join(out, 'best');
const checkpoint = existsSync(join(best, 'T.safetensors')) ? best : out;
await main([
  'node', 'not', 'translate',
  '--checkpoint', checkpoint,
  '--input', source,
  '--split', 'test',
  '--count', '40',
  '--out', join(here, 'out', 'translated'),
  '--backend', backend,
]);
// The numbers behind the pictures (the metric the run evaluated with, on every test image).
if (checkpoint === best) await main(['node', 'not', 'eval', '--checkpoint', best, '--backend', backend]);

// Stacking: the run's best map is stage 1; two more stages start from the last stage's map and potential, and are kept
// only while they improve the classifier's Fréchet distance on the test bags.
if (stacking) {
  await main([
    'node', 'not', 'stack',
    '--first', out,
    '--stages', '3',
    '--stage-steps', '100',
    '--init', 'previous',
    '--out', join(dirname(out), 'stack'),
    '--resume',
    '--backend', backend,
  ]);
}
