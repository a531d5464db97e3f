import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { IMAGE_SPLITS, ImageDataset, type ImageSource, type ImageSplit, writeNpy } from '@not/datasets';
import { SOURCE_SPEC_FORMS, openImageSource } from '@not/datasets/node';
import { imageGrid } from '../render/image-grid';
import { integer, integerList } from '../parse';

const SPEC_HELP = `image source: ${SOURCE_SPEC_FORMS.join(' | ')}`;

export function registerData(program: Command): void {
  const data = program.command('data').description('look at image data sets as the model sees them');
  data
    .command('inspect')
    .description('print what a source holds: count, stored and seen shapes, split sizes, value range of a few images')
    .argument('<spec>', SPEC_HELP)
    .option('--size <S>', 'side of the images as the model sees them (default: the stored size)', integer('--size', 1))
    .option('--json', 'print one JSON line')
    .action(async (spec: string, opts) => {
      await withSource('data inspect', spec, (source) => {
        const dataset = new ImageDataset(source, { size: opts.size ?? storedSize('data inspect', source) });
        const k = Math.min(8, dataset.trainCount);
        const indices = Array.from({ length: k }, (_, j) => Math.floor((j * dataset.trainCount) / k));
        const values = dataset.images('train', indices);
        let min = Infinity;
        let max = -Infinity;
        let sum = 0;
        for (const v of values) {
          if (v < min) min = v;
          if (v > max) max = v;
          sum += v;
        }
        const line = {
          name: source.name,
          count: source.count,
          stored: { shape: [source.height, source.width, source.channels], dtype: 'uint8' },
          seen: { shape: [...dataset.shape], dtype: 'float32', range: [-1, 1] },
          size: dataset.size,
          resize: dataset.size === source.height && dataset.size === source.width ? 'none' : source.resize,
          split: { train: dataset.trainCount, validation: dataset.validationCount, test: dataset.testCount, validationRatio: dataset.validationRatio, testRatio: dataset.testRatio },
          samples: { split: 'train', indices, min, max, mean: sum / values.length },
        };
        if (opts.json) {
          process.stdout.write(JSON.stringify(line) + '\n');
          return;
        }
        const [h, w, c] = line.stored.shape;
        const s = line.size;
        process.stdout.write(
          [
            `${line.name}`,
            `  images    ${line.count}`,
            `  stored    ${h}×${w}×${c} uint8`,
            `  seen      ${s}×${s}×3 float32 in [-1, 1] (size ${s}, resize ${line.resize})`,
            `  split     train ${line.split.train}, validation ${line.split.validation} (the ⌊${line.count}·${line.split.validationRatio}⌋ before the test split), test ${line.split.test} (the last ⌊${line.count}·${line.split.testRatio}⌋ images)`,
            `  samples   train ${indices.join(', ')}: min ${fmt(min)}, max ${fmt(max)}, mean ${fmt(line.samples.mean)}`,
          ].join('\n') + '\n',
        );
      });
    });

  data
    .command('sample')
    .description('write chosen images, as the model sees them (float32 NHWC in [-1, 1]), to a .npy file')
    .argument('<spec>', SPEC_HELP)
    .requiredOption('--indices <list>', 'comma-separated image indices within the split, e.g. 0,5,17', integerList('--indices', 0))
    .addOption(new Option('--split <split>', 'which split the indices refer to').choices([...IMAGE_SPLITS]).default('train'))
    .option('--size <S>', 'side of the images as the model sees them (default: the stored size)', integer('--size', 1))
    .requiredOption('--out <file.npy>', 'where to write the images')
    .option('--png <file.png>', 'also draw them as a grid')
    .action(async (spec: string, opts) => {
      for (const [flag, file] of [['--out', opts.out], ['--png', opts.png]] as const) {
        if (file === undefined) continue;
        const dir = dirname(resolve(file));
        if (!existsSync(dir)) throw new Error(`data sample: ${flag} ${file}: directory ${dir} does not exist`);
      }
      await withSource('data sample', spec, (source) => {
        const dataset = new ImageDataset(source, { size: opts.size ?? storedSize('data sample', source) });
        const indices: number[] = opts.indices;
        const split = opts.split as ImageSplit;
        const images = dataset.images(split, indices);
        const shape = [indices.length, dataset.size, dataset.size, 3];
        writeFileSync(opts.out, writeNpy(images, shape));
        if (opts.png) {
          const scale = dataset.size >= 64 ? 1 : Math.min(4, Math.ceil(64 / dataset.size));
          writeFileSync(opts.png, imageGrid(images, indices.length, dataset.size, dataset.size, 3, { scale }));
        }
        process.stdout.write(
          `${source.name} ${split} [${indices.join(', ')}] → ${opts.out} [${shape.join(', ')}] float32` +
            `${opts.png ? `, ${opts.png}` : ''}\n`,
        );
      });
    });
}

async function withSource(command: string, spec: string, use: (source: ImageSource) => void): Promise<void> {
  let source: ImageSource;
  try {
    source = await openImageSource(spec);
  } catch (e) {
    throw new Error(`${command}: ${(e as Error).message}`);
  }
  try {
    use(source);
  } finally {
    source.close();
  }
}

/** The default --size: the stored side of square images; non-square ones (CelebA) need an explicit size. */
function storedSize(command: string, source: ImageSource): number {
  if (source.height !== source.width) {
    throw new Error(`${command}: --size is needed: ${source.name} stores ${source.height}×${source.width} images (not square)`);
  }
  return source.height;
}

function fmt(v: number): string {
  return v.toFixed(3);
}
