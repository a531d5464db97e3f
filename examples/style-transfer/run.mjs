// Style transfer by relaxed optimal transport and self-similarity (STROTSS): the content weight α swept over 0.25, 1
// and 4 on one content photo and one painting, written as one grid (content, style, one pastiche per α) to
// out/sweep.png, each pastiche beside it (out/sweep-alpha<α>.png, its losses per step in .jsonl). The defaults are
// sized for a CPU (128 pixels, 2 scales of 60 steps, 512 positions per step; about 20 minutes on 2 cores with wasm);
// on a GPU try --size 512 --scales 4 --steps 200 --samples 1024 --style-samples 4096.
//
// It needs torchvision's VGG16 weights (vgg16-397923af.pth, 528 MB): found in ~/.cache/not or PyTorch hub's cache, or
// downloaded once. Offline, copy the file here from a machine with internet and pass it:
//
//   node run.mjs --weights vgg16-397923af.pth
//
// Every flag of `not style` may be added and overrides these defaults, e.g. --size 256 --steps 200, or your own
// --content and --style images.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@not/cli';

const here = dirname(fileURLToPath(import.meta.url));
const given = process.argv.slice(2).filter((a) => a !== '--'); // pnpm passes its own '--' through

// commander keeps the last value of a repeated option, so the user's flags override these defaults.
await main([
  'node', 'not', 'style',
  '--content', join(here, 'images', 'chelsea.jpg'),
  '--style', join(here, 'images', 'starry-night.jpg'),
  '--alpha', '0.25,1,4',
  '--size', '128',
  '--scales', '2',
  '--steps', '60',
  '--samples', '512',
  '--style-samples', '1024',
  '--out', join(here, 'out', 'sweep.png'),
  ...given,
]);
