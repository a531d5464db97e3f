import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDataset } from '@not/datasets';
import type { UNetMap } from '@not/nets';
import { loadTransportMap, saveTransportMap } from '@not/stacking/node';
import { makeDir, writeFileAtomic } from '../files/atomic-write';
import { appendJsonLine } from '../files/json-lines';
import type { EvalResult } from '../eval/evaluate-map';
import { Validation } from '../eval/validation';
import type { TrainConfig } from './train-config';

/** One line of eval.jsonl: the step, what evaluateMap measured on the validation split, and the value the best map is chosen by. */
export interface EvalLine extends EvalResult {
  step: number;
  /** The split evaluated: always validation (choices are made there). */
  split: 'validation';
  metric: TrainConfig['evalMetric'];
  value: number;
  best: boolean;
}

/** best/best.json: the best map's step and validation value, and once the run has finished, its figures on the test split. */
export interface BestMapInfo {
  step: number;
  metric: TrainConfig['evalMetric'];
  /** The metric on the validation split, which chose the map. */
  value: number;
  test?: EvalResult & { value: number };
}

/** Where a run keeps its best map: best/T.safetensors and best/best.json (see {@link BestMapInfo}). */
export const BEST_DIR = 'best';

/**
 * Evaluates a run's map on the validation split every config.evalEvery steps and keeps the best one (lowest FID, or
 * lowest Fréchet distance in the Fashion-MNIST classifier's features); at the end, measures that one on the test split.
 * (The reference chose its best checkpoint by test FID, which flatters the figures it then reports.)
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
    this.best = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')) as BestMapInfo).value : Infinity;
  }

  /** Loads the metric's network (the shipped classifier, or FID's Inception from `cacheDir`, downloading it once). */
  static async open(config: TrainConfig, map: UNetMap, source: ImageDataset, target: ImageDataset, out: string, cacheDir: string): Promise<BestMapKeeper> {
    return new BestMapKeeper(config, map, source, target, out, await Validation.open(config.evalMetric, cacheDir));
  }

  /** Evaluates the map as it is at `step`, appends to eval.jsonl, and saves it to best/ if it is the best so far. */
  async evaluate(step: number): Promise<EvalLine> {
    const { config } = this;
    const { value, result } = await this.validation.evaluate(this.map, this.data());
    const best = value < this.best;
    if (best) {
      this.best = value;
      makeDir(join(this.out, BEST_DIR));
      await saveTransportMap(join(this.out, BEST_DIR, 'T.safetensors'), this.map, { noise: { std: config.noiseStd }, config });
      this.writeInfo({ step, metric: config.evalMetric, value });
    }
    const line: EvalLine = { step, split: 'validation', metric: config.evalMetric, value, best, ...result };
    appendJsonLine(join(this.out, 'eval.jsonl'), line);
    return line;
  }

  /** Measures the best map on the test split and records it in best.json; null when nothing was evaluated. */
  async testBest(): Promise<BestMapInfo | null> {
    const infoPath = join(this.out, BEST_DIR, 'best.json');
    if (!existsSync(infoPath)) return null;
    const info = JSON.parse(readFileSync(infoPath, 'utf8')) as BestMapInfo;
    const { map } = await loadTransportMap({ path: join(this.out, BEST_DIR, 'T.safetensors') });
    try {
      const { value, result } = await this.validation.evaluate(map, this.data(), 'test');
      const tested = { ...info, test: { value, ...result } };
      this.writeInfo(tested);
      return tested;
    } finally {
      map.dispose();
    }
  }

  private data() {
    return { source: this.source, target: this.target, noiseStd: this.config.noiseStd, seed: this.config.seed + 6 };
  }

  private writeInfo(info: BestMapInfo): void {
    writeFileAtomic(join(this.out, BEST_DIR, 'best.json'), `${JSON.stringify(info)}\n`);
  }

  dispose(): void {
    this.validation.dispose();
  }
}
