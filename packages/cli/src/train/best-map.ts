import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDataset } from '@not/datasets';
import type { UNetMap } from '@not/nets';
import { saveTransportMap } from '@not/stacking/node';
import { makeDir, writeFileAtomic } from '../files/atomic-write';
import { appendJsonLine } from '../files/json-lines';
import type { EvalResult } from '../eval/evaluate-map';
import { Validation } from '../eval/validation';
import type { TrainConfig } from './train-config';

/** One line of eval.jsonl: the step, what evaluateMap measured, and the value the best map is chosen by. */
export interface EvalLine extends EvalResult {
  step: number;
  metric: TrainConfig['evalMetric'];
  value: number;
  best: boolean;
}

/** Where a run keeps its best map: best/T.safetensors and best/best.json ({step, metric, value}). */
export const BEST_DIR = 'best';

/**
 * Evaluates a run's map on the test split every config.evalEvery steps and keeps the best one (lowest FID, or lowest
 * Fréchet distance in the Fashion-MNIST classifier's features), as the reference keeps its best checkpoint by test FID.
 */
export class BestMapKeeper {
  private best: number;

  private constructor(
    private readonly config: TrainConfig,
    private readonly map: UNetMap,
    private readonly source: ImageDataset,
    private readonly target: ImageDataset,
    private readonly out: string,
    private readonly validation: Validation,
  ) {
    const info = join(out, BEST_DIR, 'best.json');
    this.best = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')) as { value: number }).value : Infinity;
  }

  /** Loads the metric's network (the shipped classifier, or FID's Inception from `cacheDir`, downloading it once). */
  static async open(config: TrainConfig, map: UNetMap, source: ImageDataset, target: ImageDataset, out: string, cacheDir: string): Promise<BestMapKeeper> {
    return new BestMapKeeper(config, map, source, target, out, await Validation.open(config.evalMetric, cacheDir));
  }

  /** Evaluates the map as it is at `step`, appends to eval.jsonl, and saves it to best/ if it is the best so far. */
  async evaluate(step: number): Promise<EvalLine> {
    const { config } = this;
    const { value, result } = await this.validation.evaluate(this.map, { source: this.source, target: this.target, noiseStd: config.noiseStd, seed: config.seed + 6 });
    const best = value < this.best;
    if (best) {
      this.best = value;
      makeDir(join(this.out, BEST_DIR));
      await saveTransportMap(join(this.out, BEST_DIR, 'T.safetensors'), this.map, { noise: { std: config.noiseStd }, config });
      writeFileAtomic(join(this.out, BEST_DIR, 'best.json'), `${JSON.stringify({ step, metric: config.evalMetric, value })}\n`);
    }
    const line: EvalLine = { step, metric: config.evalMetric, value, best, ...result };
    appendJsonLine(join(this.out, 'eval.jsonl'), line);
    return line;
  }

  dispose(): void {
    this.validation.dispose();
  }
}
