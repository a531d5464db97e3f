import * as tf from '@tensorflow/tfjs-core';
import { Rng, moments } from '@not/ot-core';
import type { Vgg16Features } from '@not/metrics';
import { resizeBilinear } from './bilinear';
import { coarseToFine } from './coarse-to-fine';
import { randomPositions, sampleHypercolumns, type Positions } from './hypercolumns';
import { foldPyramid, laplacian, laplacianPyramid } from './laplacian-pyramid';
import { RmsProp } from './rmsprop';
import { strotssLosses, type ImagePoints, type StrotssLosses, type StylePoints } from './strotss-loss';

/** Options of {@link styleTransfer}. */
export interface StyleTransferOptions {
  /** Content weight α > 0: larger keeps more of the content's layout. Default 1. */
  alpha?: number;
  /** Long side of the result in pixels. Default: the content image's long side. */
  size?: number;
  /** Coarse-to-fine scales, each twice the size of the one before (those under 32 pixels are skipped). Default 4. */
  scales?: number;
  /** Optimizer steps per scale. Default 200. */
  steps?: number;
  /** RMSprop learning rate on the pyramid of the image in [-1, 1]; halved at the last scale. Default 1e-3. */
  lr?: number;
  /** Pastiche (and content) positions compared per step. Default 1024. */
  samples?: number;
  /** Style positions drawn once per scale. Default 2048. */
  styleSamples?: number;
  /** Seeds the positions. Default 0. */
  seed?: number;
  /** Called after every step. */
  onProgress?: (progress: StyleProgress) => void;
  /** Stops early: the image as it is then is returned. */
  signal?: AbortSignal;
}

/** Where {@link styleTransfer} is, passed to `onProgress` after every step. */
export interface StyleProgress {
  /** 1-based scale and step. */
  scale: number;
  /** Scales in all (fewer than asked when small ones are skipped). */
  scales: number;
  /** 1-based step within the current scale. */
  step: number;
  /** Steps per scale. */
  steps: number;
  /** Height in pixels of the pastiche at this scale. */
  height: number;
  /** Width in pixels of the pastiche at this scale. */
  width: number;
  /** This step's loss terms and their weighted total (see {@link StrotssLosses}), as numbers. */
  losses: Record<keyof StrotssLosses, number>;
}

const FN = 'styleTransfer';

function checkImage(name: string, x: tf.Tensor, minSize: number): asserts x is tf.Tensor4D {
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[0] !== 1 || x.shape[3] !== 3) {
    throw new Error(`${FN}: ${name} must be one RGB image of shape [1, H, W, 3] in [-1, 1], got ${x instanceof tf.Tensor ? `[${x.shape}]` : String(x)}`);
  }
  const [, h, w] = x.shape;
  if (Math.min(h, w) < minSize) throw new Error(`${FN}: ${name} must be at least ${minSize}×${minSize}, got ${h}×${w}`);
}

function checkCount(name: string, value: number, least: number): number {
  if (!(Number.isInteger(value) && value >= least)) throw new Error(`${FN}: ${name} must be an integer >= ${least}, got ${value}`);
  return value;
}

/**
 * Style transfer by relaxed optimal transport and self-similarity (STROTSS, Kolkin et al. 2019): the pastiche image is
 * optimized directly, through its Laplacian pyramid, to minimize {@link strotssLosses} on the hypercolumns of `vgg`
 * (load it with `layers: STROTSS_LAYERS`) at random positions, coarse to fine. It starts from the content's detail
 * on the style's mean colour; each later scale starts from the previous result upsampled, plus the content's detail
 * at the new size. `content` and `style` are [1, H, W, 3] in [-1, 1]; returns [1, h, w, 3] in [-1, 1] with long side
 * `size`, which the caller owns.
 */
export async function styleTransfer(vgg: Vgg16Features, content: tf.Tensor4D, style: tf.Tensor4D, options: StyleTransferOptions = {}): Promise<tf.Tensor4D> {
  checkImage('content', content, vgg.minSize);
  checkImage('style', style, vgg.minSize);
  const { alpha = 1, lr = 1e-3, seed = 0, onProgress, signal } = options;
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new Error(`${FN}: alpha must be a finite number > 0, got ${alpha}`);
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`${FN}: lr must be a finite number > 0, got ${lr}`);
  const steps = checkCount('steps', options.steps ?? 200, 1);
  const samples = checkCount('samples', options.samples ?? 1024, 2);
  const styleSamples = checkCount('styleSamples', options.styleSamples ?? 2048, 2);
  const [, height, width] = content.shape;
  const sizes = coarseToFine(height, width, options.size ?? Math.max(height, width), options.scales ?? 4);
  const last = sizes[sizes.length - 1];
  if (Math.min(...last) < vgg.minSize) throw new Error(`${FN}: size gives a ${last[0]}×${last[1]} result; VGG16 needs at least ${vgg.minSize}×${vgg.minSize}`);
  const rng = new Rng(seed);

  let result: tf.Tensor4D | null = null;
  for (const [k, [h, w]] of sizes.entries()) {
    const previous: tf.Tensor4D | null = result;
    const contentScaled = resizeBilinear(content, h, w);
    const start = tf.tidy(() =>
      tf.add(laplacian(contentScaled), previous ? resizeBilinear(previous, h, w) : tf.mean(style, [1, 2], true)),
    ) as tf.Tensor4D;
    previous?.dispose();
    result = await optimizeScale(vgg, contentScaled, style, start, {
      alpha,
      steps,
      samples,
      styleSamples,
      rng,
      lr: k === sizes.length - 1 && sizes.length > 1 ? lr / 2 : lr,
      report: (step, losses) => onProgress?.({ scale: k + 1, scales: sizes.length, step, steps, height: h, width: w, losses }),
      signal,
    });
    contentScaled.dispose();
    start.dispose();
    if (signal?.aborted) break;
  }
  const out = tf.clipByValue(result!, -1, 1) as tf.Tensor4D;
  result!.dispose();
  return out;
}

interface ScaleSettings {
  alpha: number;
  steps: number;
  samples: number;
  styleSamples: number;
  lr: number;
  rng: Rng;
  report: (step: number, losses: Record<keyof StrotssLosses, number>) => void;
  signal?: AbortSignal;
}

/** Runs the optimizer at one scale from `start`; returns the pastiche (the caller owns it). */
async function optimizeScale(vgg: Vgg16Features, content: tf.Tensor4D, style: tf.Tensor4D, start: tf.Tensor4D, s: ScaleSettings): Promise<tf.Tensor4D> {
  const [, h, w] = content.shape;
  // The style at the pastiche's long side, as STROTSS compares them at the same scale.
  const ratio = Math.max(h, w) / Math.max(style.shape[1], style.shape[2]);
  const styleSize: [number, number] = [Math.max(vgg.minSize, Math.round(style.shape[1] * ratio)), Math.max(vgg.minSize, Math.round(style.shape[2] * ratio))];
  const stylePoints: Required<StylePoints> = tf.tidy(() => {
    const points = imagePoints(vgg, resizeBilinear(style, ...styleSize), randomPositions(s.rng, styleSize[0], styleSize[1], s.styleSamples));
    return { ...points, moments: moments(points.columns) };
  });
  const contentMaps = vgg.apply(content);
  const levels = Math.min(5, Math.floor(Math.log2(Math.min(h, w))));
  const bands = tf.tidy(() => laplacianPyramid(start, levels).map((band) => tf.variable(band)));
  const optimizer = new RmsProp(bands, s.lr);
  try {
    for (let step = 1; step <= s.steps && !s.signal?.aborted; step++) {
      const at = randomPositions(s.rng, h, w, s.samples);
      let names: (keyof StrotssLosses)[] = [];
      // The step's loss terms stay on the device until the one read below.
      const values = tf.tidy(() => {
        const contentColumns = sampleHypercolumns(contentMaps, at, [h, w]);
        let terms: tf.Tensor | undefined;
        const { grads } = tf.variableGrads(() => {
          const losses = strotssLosses(imagePoints(vgg, foldPyramid(bands), at), contentColumns, stylePoints, s.alpha);
          names = Object.keys(losses) as (keyof StrotssLosses)[];
          terms = tf.keep(tf.stack(names.map((name) => losses[name])));
          return losses.total;
        }, bands);
        optimizer.apply(grads);
        return terms!;
      });
      const read = await values.data();
      values.dispose();
      s.report(step, Object.fromEntries(names.map((name, i) => [name, read[i]])) as Record<keyof StrotssLosses, number>);
      await tf.nextFrame();
    }
    return foldPyramid(bands);
  } finally {
    optimizer.dispose();
    tf.dispose([bands, contentMaps, stylePoints]);
  }
}

/** An image's hypercolumns and colours at `at`. */
function imagePoints(vgg: Vgg16Features, image: tf.Tensor4D, at: Positions): ImagePoints {
  const size: [number, number] = [image.shape[1], image.shape[2]];
  return { columns: sampleHypercolumns(vgg.apply(image), at, size), pixels: sampleHypercolumns([image], at, size) };
}
