import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pushForward, type TransportMap } from '@not/ot-core';
import { type ImageDataset, type ImageSplit, readNpy, writeNpy } from '@not/datasets';
import { type FashionClassifier, type FeatureExtractor, FeatureStatistics, type KidOptions, type KidResult, type Lpips, kernelInceptionDistance } from '@not/metrics';
import { writeFileAtomic } from '../files/atomic-write';

/** What `not eval` and training runs can measure. */
export const EVAL_METRICS = ['classifier', 'fid', 'kid', 'lpips', 'cost'] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];

export interface EvaluateOptions {
  /** The map, used in inference mode; a stochastic map gets one noise draw per image (as the reference's FID). */
  map: TransportMap;
  noiseStd: number;
  source: ImageDataset;
  target: ImageDataset;
  metrics: readonly EvalMetric[];
  /** Needed for 'classifier'. */
  classifier?: FashionClassifier;
  /** Needed for 'fid' and 'kid' (FID's Inception). */
  inception?: FeatureExtractor;
  /** Needed for 'lpips'. */
  lpips?: Lpips;
  /** Both sets' split, the source's pushed and the target's as reference (default 'test', as the reference). */
  split?: ImageSplit;
  /** Use only the first `count` source images of the split. */
  count?: number;
  /** Images per forward pass (default 32). */
  batchSize?: number;
  seed?: number;
  /** Where the target's features are kept between runs (they depend only on the data and the extractor). */
  cacheDir?: string;
  kid?: KidOptions;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalResult {
  count: number;
  /** Mean over images of ‖x − T(x)‖² / pixels: the strong cost of the pushed test images. */
  cost?: number;
  /** Mean LPIPS between x and T(x): how much of the input's look the map keeps (lower keeps more). */
  lpips?: number;
  classifier?: {
    /** Share of T(x) whose predicted class is one the target is made of. */
    targetShare: number;
    /** Classes predicted for at least 5% of the target images. */
    targetClasses: number[];
    /** Fréchet distance between T(x) and the target in the classifier's 128-d feature space. */
    frechet: number;
  };
  fid?: number;
  kid?: KidResult;
}

/**
 * Pushes a split of the source through the map, batch by batch, and compares the result with the same split of the
 * target: the classifier's target-class share and feature Fréchet distance, FID and KID on Inception features, and
 * the transport cost. Feature statistics stream; only KID keeps feature rows.
 */
export async function evaluateMap(options: EvaluateOptions): Promise<EvalResult> {
  const { map, source, target, metrics, classifier, inception, lpips, split = 'test', batchSize = 32, seed = 0 } = options;
  const wants = (m: EvalMetric) => metrics.includes(m);
  if (wants('classifier') && !classifier) throw new Error("evaluateMap: the 'classifier' metric needs the Fashion-MNIST classifier");
  if ((wants('fid') || wants('kid')) && !inception) throw new Error("evaluateMap: 'fid' and 'kid' need FID's Inception weights");
  if (wants('lpips') && !lpips) throw new Error("evaluateMap: 'lpips' needs the LPIPS weights");
  const count = Math.min(options.count ?? Infinity, source.splitCount(split));
  if (count < 2) throw new Error(`evaluateMap: the ${split} split of ${source.source.name} needs at least 2 images, got ${count}`);

  const extractors = [...(wants('classifier') ? [classifier!] : []), ...(wants('fid') || wants('kid') ? [inception!] : [])];
  const pushed = extractors.map((e) => ({ extractor: e, stats: new FeatureStatistics(e.dim, e.name), rows: [] as Float32Array[] }));
  let costSum = 0;
  let lpipsSum = 0;
  let predictions: number[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const n = indices.length;
    // Everything a batch contributes, measured on the device and read back in one go.
    const x = source.batch(split, indices);
    const y = pushForward(map, x, { std: options.noiseStd, seed: seed + start }) as tf.Tensor4D;
    const distances = wants('lpips') ? await lpips!.distance(x, y) : null;
    const measured = tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      if (wants('cost')) parts.push(tf.sum(tf.mean(tf.square(tf.sub(x, y)), [1, 2, 3])));
      if (distances) parts.push(distances);
      if (wants('classifier')) parts.push(tf.argMax(classifier!.logits(y), 1));
      for (const p of pushed) parts.push(p.extractor.features(y));
      return tf.concat(parts.map((t) => tf.reshape(tf.cast(t, 'float32'), [-1])));
    });
    tf.dispose([x, y, ...(distances ? [distances] : [])]);
    const values = (await measured.data()) as Float32Array;
    measured.dispose();
    let offset = 0;
    const take = (length: number) => values.subarray(offset, (offset += length));
    if (wants('cost')) costSum += take(1)[0];
    if (wants('lpips')) lpipsSum += take(n).reduce((sum: number, v: number) => sum + v, 0);
    if (wants('classifier')) predictions = predictions.concat(Array.from(take(n)));
    for (const p of pushed) {
      const features = take(n * p.extractor.dim).slice();
      p.stats.add(features);
      if (wants('kid') && p.extractor === inception) p.rows.push(features);
    }
    options.onProgress?.(start + n, count);
  }

  const result: EvalResult = { count };
  if (wants('cost')) result.cost = costSum / count;
  if (wants('lpips')) result.lpips = lpipsSum / count;
  for (const p of pushed) {
    const reference = await targetFeatures(target, split, p.extractor, batchSize, options.cacheDir);
    const frechet = p.stats.frechetDistance(reference.statistics());
    if (p.extractor === classifier) {
      const targetClasses = await commonClasses(target, split, classifier, batchSize);
      result.classifier = { targetShare: predictions.filter((c) => targetClasses.includes(c)).length / count, targetClasses, frechet };
    }
    if (p.extractor === inception) {
      if (wants('fid')) result.fid = frechet;
      if (wants('kid')) result.kid = await kernelInceptionDistance({ data: concat(p.rows), rows: count, dim: p.extractor.dim }, { data: reference.data, rows: reference.rows, dim: p.extractor.dim }, options.kid);
    }
  }
  return result;
}

interface TargetFeatures {
  data: Float32Array;
  rows: number;
  /** Their mean and covariance, kept beside them as the reference's {mu, sigma} JSON once computed. */
  statistics(): FeatureStatistics;
}

/** The target split's features (N × dim), from the cache when it holds them. */
async function targetFeatures(target: ImageDataset, split: ImageSplit, extractor: FeatureExtractor, batch: number, cacheDir?: string): Promise<TargetFeatures> {
  const n = target.splitCount(split);
  const key = `${target.source.name}-${target.size}px-${target.channels}ch-${split}-${extractor.name}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  const path = cacheDir === undefined ? undefined : join(cacheDir, `${key}.npy`);
  const statsPath = cacheDir === undefined ? undefined : join(cacheDir, `${key}.stats.json`);
  const withStatistics = (data: Float32Array): TargetFeatures => ({
    data,
    rows: n,
    statistics: () => {
      if (statsPath && existsSync(statsPath)) return FeatureStatistics.fromJSON(JSON.parse(readFileSync(statsPath, 'utf8')), statsPath);
      const stats = new FeatureStatistics(extractor.dim, extractor.name);
      stats.add(data);
      if (statsPath) writeFileAtomic(statsPath, JSON.stringify(stats.toJSON()));
      return stats;
    },
  });
  if (path && existsSync(path)) {
    const cached = readNpy(new Uint8Array(readFileSync(path)));
    if (cached.shape[0] === n && cached.shape[1] === extractor.dim && cached.data instanceof Float32Array) return withStatistics(cached.data);
  }
  const rows: Float32Array[] = [];
  for (let start = 0; start < n; start += batch) {
    const x = target.batch(split, Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i));
    const features = extractor.features(x);
    x.dispose();
    rows.push((await features.data()) as Float32Array);
    features.dispose();
  }
  const data = concat(rows);
  if (path) {
    mkdirSync(cacheDir!, { recursive: true });
    writeFileAtomic(path, writeNpy(data, [n, extractor.dim]));
    if (statsPath && existsSync(statsPath)) rmSync(statsPath); // statistics of features that were just replaced
  }
  return withStatistics(data);
}

/** Classes the classifier assigns to at least 5% of the target split: what "looks like the target" means. */
async function commonClasses(target: ImageDataset, split: ImageSplit, classifier: FashionClassifier, batch: number): Promise<number[]> {
  const n = target.splitCount(split);
  const counts = new Map<number, number>();
  for (let start = 0; start < n; start += batch) {
    const x = target.batch(split, Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i));
    const classes = tf.tidy(() => tf.argMax(classifier.logits(x), 1));
    x.dispose();
    for (const c of await classes.data()) counts.set(c, (counts.get(c) ?? 0) + 1);
    classes.dispose();
  }
  return [...counts].filter(([, k]) => k >= 0.05 * n).map(([c]) => c).sort((a, b) => a - b);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
