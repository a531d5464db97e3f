import { join } from 'node:path';
import type { TransportMap } from '@not/ot-core';
import type { ImageDataset, ImageSplit } from '@not/datasets';
import type { FashionClassifier, FidInceptionV3 } from '@not/metrics';
import { loadFashionClassifier, loadFidInceptionV3 } from '@not/metrics/node';
import type { EvalSelection } from '../train/train-config';
import { type EvalResult, evaluateMap } from './evaluate-map';

/**
 * The metric a run picks its best map by, with its network loaded once: FID (Inception), or the Fréchet distance in
 * the Fashion-MNIST classifier's features. Lower is better.
 */
export class Validation {
  private constructor(
    readonly metric: EvalSelection,
    private readonly cacheDir: string,
    private readonly extractor: { classifier?: FashionClassifier; inception?: FidInceptionV3 },
  ) {}

  /** Loads the metric's network: the shipped classifier, or FID's Inception from `cacheDir` (downloaded once). */
  static async open(metric: EvalSelection, cacheDir: string): Promise<Validation> {
    const extractor = metric === 'classifier' ? { classifier: await loadFashionClassifier() } : { inception: await loadFidInceptionV3({ cacheDir }) };
    return new Validation(metric, cacheDir, extractor);
  }

  /**
   * Pushes the source's `split` through `map` and compares it with the target's: the value and all it measured.
   * Choices (best map, step, depth) are made on the validation split (the default); the test split reports them.
   */
  async evaluate(
    map: TransportMap,
    data: { source: ImageDataset; target: ImageDataset; noiseStd: number; seed: number },
    split: ImageSplit = 'validation',
  ): Promise<{ value: number; result: EvalResult }> {
    const result = await evaluateMap({
      map,
      split,
      noiseStd: data.noiseStd,
      source: data.source,
      target: data.target,
      metrics: [this.metric, 'cost'],
      ...this.extractor,
      seed: data.seed,
      cacheDir: join(this.cacheDir, 'features'),
    });
    return { value: this.metric === 'classifier' ? result.classifier!.frechet : result.fid!, result };
  }

  dispose(): void {
    this.extractor.classifier?.dispose();
    this.extractor.inception?.dispose();
  }
}
