import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImageFile } from '@not/datasets/node';
import { VGG16_WEIGHTS, type Vgg16Features } from '@not/metrics';
import { loadVgg16Features } from '@not/metrics/node';
import { STROTSS_LAYERS, styleTransfer } from '@not/style';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { writeFileAtomic } from '../files/atomic-write';
import { integer, integerList, number, numberList } from '../parse';
import { progress } from '../progress';
import { imageGrid } from '../render/image-grid';
import { stopOnInterrupt } from '../stop-on-interrupt';

/** How to get the weights on a machine without internet, appended to the loader's error. */
const WEIGHTS_HELP =
  `VGG16 weights: on a machine with internet, download ${VGG16_WEIGHTS.url} (528 MB), copy it here and pass ` +
  `--weights ${VGG16_WEIGHTS.file} (or put it in the cache folder named above). No conversion is needed: PyTorch's .pth ` +
  `is read as it is; a .safetensors holding its features.* tensors works too (README of @not/cli).`;

/** An image file as [1, H, W, 3] in [-1, 1]. */
function readImage(path: string): tf.Tensor4D {
  const { width, height, rgb } = decodeImageFile(path, 'not style');
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(rgb, [1, height, width, 3], 'float32'), 127.5), 1) as tf.Tensor4D);
}

export function registerStyle(program: Command): void {
  program
    .command('style')
    .description('style transfer by relaxed optimal transport and self-similarity (STROTSS): optimize a pastiche on VGG16 features')
    .requiredOption('--content <image>', 'the content image (PNG or JPEG)')
    .requiredOption('--style <image>', 'the style image (PNG or JPEG)')
    .requiredOption('--out <png>', 'the pastiche (PNG; its losses go to the same name with .jsonl); with several --alpha, the sweep grid, each pastiche beside it as NAME-alpha<α>.png')
    .addOption(
      new Option('--alpha <list>', 'content weight α > 0 (larger keeps more of the content, smaller takes more of the style), or a comma-separated sweep')
        .argParser(numberList('--alpha'))
        .default([1], '1'),
    )
    .option('--size <S>', 'long side of the result in pixels', integer('--size', 16), 256)
    .option('--scales <N>', 'coarse-to-fine scales, each doubling the size, ending at --size', integer('--scales', 1), 4)
    .option('--steps <N>', 'optimizer steps per scale', integer('--steps', 1), 200)
    .option('--lr <x>', 'RMSprop learning rate (halved at the last scale)', number('--lr'), 1e-3)
    .option('--samples <N>', 'pastiche positions compared per step', integer('--samples', 2), 1024)
    .option('--style-samples <N>', 'style positions drawn per scale', integer('--style-samples', 2), 2048)
    .option('--seed <S>', 'seed of the sampled positions', integer('--seed', 0), 0)
    .option('--weights <file>', `VGG16 weights (torchvision's ${VGG16_WEIGHTS.file}, or a .safetensors with its features.* keys); default: the cache folders, else a download`)
    .option('--no-download', 'never download the weights')
    .addOption(backendOption())
    .addOption(threadsOption())
    // Channels per VGG16 block, for tests with a narrow random network.
    .addOption(new Option('--vgg-widths <list>').argParser(integerList('--vgg-widths')).hideHelp())
    .action(async (opts) => {
      await selectBackend(opts);
      const content = readImage(opts.content);
      const style = readImage(opts.style);
      const vgg = await loadVgg16Features({ path: opts.weights, download: opts.download, layers: STROTSS_LAYERS, widths: opts.vggWidths }).catch((error: Error) => {
        tf.dispose([content, style]);
        throw new Error(`not style: ${error.message}\n${WEIGHTS_HELP}`);
      });
      const alphas: number[] = opts.alpha;
      const stem = opts.out.replace(/\.png$/i, '');
      mkdirSync(dirname(opts.out), { recursive: true });
      const interrupt = stopOnInterrupt((line) => process.stderr.write(`${line}\n`), 'the pastiche so far');
      const pastiches: tf.Tensor4D[] = [];
      try {
        for (const alpha of alphas) {
          if (interrupt.signal.aborted) break;
          const path = alphas.length === 1 ? opts.out : `${stem}-alpha${alpha}.png`;
          const pastiche = await paint(vgg, content, style, alpha, path, opts, interrupt.signal);
          pastiches.push(pastiche);
          writeFileAtomic(path, imageGrid(await pastiche.data(), 1, pastiche.shape[1], pastiche.shape[2], 3, { padding: 0 }));
          process.stderr.write(`wrote ${path} (${pastiche.shape[2]}×${pastiche.shape[1]})\n`);
        }
        if (alphas.length > 1 && pastiches.length > 0) {
          writeFileAtomic(opts.out, await sweepGrid(content, style, pastiches, alphas));
          process.stderr.write(`wrote ${opts.out}: content, style, then the pastiche for each α\n`);
        }
      } finally {
        interrupt.release();
        vgg.dispose();
        tf.dispose([content, style, ...pastiches]);
      }
    });
}

/** One pastiche at content weight `alpha`, its losses written to PATH.jsonl as it goes. */
async function paint(
  vgg: Vgg16Features,
  content: tf.Tensor4D,
  style: tf.Tensor4D,
  alpha: number,
  path: string,
  opts: { scales: number; steps: number; size: number; lr: number; samples: number; styleSamples: number; seed: number },
  signal: AbortSignal,
): Promise<tf.Tensor4D> {
  const log = path.replace(/\.png$/i, '') + '.jsonl';
  writeFileSync(log, '');
  const bar = progress(`style α=${alpha}`, opts.scales * opts.steps);
  const pastiche = await styleTransfer(vgg, content, style, {
    alpha,
    size: opts.size,
    scales: opts.scales,
    steps: opts.steps,
    lr: opts.lr,
    samples: opts.samples,
    styleSamples: opts.styleSamples,
    seed: opts.seed,
    signal,
    onProgress: (p) => {
      appendFileSync(log, `${JSON.stringify({ scale: p.scale, step: p.step, height: p.height, width: p.width, ...p.losses })}\n`);
      // Scales skipped for being too small still count in the bar's total, so the bar ends where the work does.
      bar.update((opts.scales - p.scales + p.scale - 1) * opts.steps + p.step, { scale: `${p.scale}/${p.scales} ${p.height}×${p.width}`, loss: p.losses.total });
    },
  });
  bar.stop();
  return pastiche;
}

/** Content, style (cropped to the pastiches' aspect) and each pastiche in one row, captioned. */
async function sweepGrid(content: tf.Tensor4D, style: tf.Tensor4D, pastiches: tf.Tensor4D[], alphas: number[]): Promise<Buffer> {
  const [, h, w] = pastiches[0].shape;
  const row = tf.tidy(() => tf.concat([fitTo(content, h, w), fitTo(style, h, w), ...pastiches], 0));
  const values = await row.data();
  row.dispose();
  const captions = ['content', 'style', ...pastiches.map((_, i) => `α = ${alphas[i]}`)];
  return imageGrid(values, captions.length, h, w, 3, { columns: captions.length, padding: 4, captions });
}

/** `image` scaled to cover h×w and cropped at the centre. */
function fitTo(image: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, ih, iw] = image.shape;
    const scale = Math.max(h / ih, w / iw);
    const [sh, sw] = [Math.max(h, Math.round(ih * scale)), Math.max(w, Math.round(iw * scale))];
    const resized = tf.image.resizeBilinear(image, [sh, sw], false, true);
    return tf.slice(resized, [0, Math.floor((sh - h) / 2), Math.floor((sw - w) / 2), 0], [1, h, w, 3]);
  });
}
