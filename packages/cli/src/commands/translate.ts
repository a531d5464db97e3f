import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { pushForward } from '@not/ot-core';
import { IMAGE_SPLITS, ImageDataset, type ImageSplit, writeNpy } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { writeFileAtomic } from '../files/atomic-write';
import { integer } from '../parse';
import { progress } from '../progress';
import { imageGrid } from '../render/image-grid';
import { RUN_FILES } from '../train/train-run';
import { loadTrainedMap } from '../train/trained-map';

const SPLITS = ['all', ...IMAGE_SPLITS] as const;

export function registerTranslate(program: Command): void {
  program
    .command('translate')
    .description('map images with a trained T: one PNG per image, a grid, optionally a .npy batch')
    .requiredOption('--checkpoint <path>', `a not train or not stack run directory, or a map file (${RUN_FILES.map}, stack.safetensors, ${RUN_FILES.checkpoint}, any of @not/stacking)`)
    .requiredOption('--input <spec>', 'images to map: a data spec (fashion-mnist:bag, igan:FILE, folder:DIR, …) or a folder')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(new Option('--split <split>', 'which images of the input: its train, validation or test split, or all').choices([...SPLITS]).default('all'))
    .option('--count <N>', 'map only the first N images of the split', integer('--count', 1))
    .option('--draws <K>', 'outputs per image for a stochastic (weak) map, each with its own noise', integer('--draws', 1), 1)
    .option('--seed <S>', 'seed of the noise of a stochastic map', integer('--seed', 0), 0)
    .option('--batch-size <B>', 'images per forward pass', integer('--batch-size', 1), 16)
    .option('--npy', 'also write translated.npy (float32 NHWC in [-1, 1], [N·draws, S, S, C])')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      await selectBackend(opts);
      const { size, channels, noise, map } = await loadTrainedMap(opts.checkpoint);
      if (opts.draws > 1 && map.noiseShape(1) === null) throw new Error(`translate: --draws ${opts.draws} needs a stochastic map, but ${opts.checkpoint} holds a deterministic one`);
      const spec = !opts.input.includes(':') && existsSync(opts.input) && statSync(opts.input).isDirectory() ? `folder:${opts.input}` : opts.input;
      const data = new ImageDataset(await openImageSource(spec), { size, channels });
      try {
        const items = selectImages(data, opts.split, opts.count);
        mkdirSync(opts.out, { recursive: true });
        const pixels = size * size * channels;
        const outputs = new Float32Array(items.length * opts.draws * pixels);
        const bar = progress(`translate ${data.source.name}`, items.length);
        for (let start = 0; start < items.length; start += opts.batchSize) {
          const chunk = items.slice(start, start + opts.batchSize);
          const x = data.batch(chunk[0].split, chunk.map((item) => item.index));
          for (let k = 0; k < opts.draws; k++) {
            const y = pushForward(map, x, { std: noise.std, seed: opts.seed + start * opts.draws + k });
            const values = await y.data();
            y.dispose();
            chunk.forEach((_item, i) => {
              const image = values.subarray(i * pixels, (i + 1) * pixels);
              outputs.set(image, ((start + i) * opts.draws + k) * pixels);
              const name = `${String(start + i).padStart(5, '0')}${opts.draws > 1 ? `-z${k}` : ''}.png`;
              writeFileAtomic(join(opts.out, name), imageGrid(image, 1, size, size, channels, { padding: 0 }));
            });
          }
          x.dispose();
          bar.update(start + chunk.length, {});
        }
        bar.stop();
        writeOverview(opts.out, data, items, outputs, opts.draws);
        if (opts.npy) writeFileAtomic(join(opts.out, 'translated.npy'), writeNpy(outputs, [items.length * opts.draws, size, size, channels]));
        process.stderr.write(`wrote ${items.length * opts.draws} images to ${opts.out} (grid.png: inputs above their translations)\n`);
      } finally {
        data.source.close();
        map.dispose();
      }
    });
}

interface Item {
  split: ImageSplit;
  index: number;
}

function selectImages(data: ImageDataset, split: (typeof SPLITS)[number], count?: number): Item[] {
  const of = (s: ImageSplit): Item[] => Array.from({ length: data.splitCount(s) }, (_, index) => ({ split: s, index }));
  const items = split === 'all' ? IMAGE_SPLITS.flatMap(of) : of(split);
  if (items.length === 0) throw new Error(`translate: the ${split} split of ${data.source.name} holds no images`);
  return count === undefined ? items : items.slice(0, count);
}

/** grid.png: the first (up to) 10 inputs in the top row, their translations below (one row per draw). */
function writeOverview(out: string, data: ImageDataset, items: Item[], outputs: Float32Array, draws: number): void {
  const shown = items.slice(0, 10);
  const [size, , channels] = data.shape;
  const pixels = size * size * channels;
  const inputs = shown.map((item) => data.images(item.split, [item.index]));
  const rows = [inputs];
  for (let k = 0; k < draws; k++) rows.push(shown.map((_, i) => outputs.subarray((i * draws + k) * pixels, (i * draws + k + 1) * pixels)));
  const values = new Float32Array(rows.length * shown.length * pixels);
  rows.flat().forEach((image, j) => values.set(image, j * pixels));
  writeFileAtomic(join(out, 'grid.png'), imageGrid(values, rows.length * shown.length, size, size, channels, { columns: shown.length, scale: size < 64 ? 2 : 1 }));
}
