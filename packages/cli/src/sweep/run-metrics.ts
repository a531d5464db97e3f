import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines } from '../files/json-lines';
import { STACK_FILES, type StackSummary } from '../stack/stack-run';
import type { EvalLine } from '../train/best-map';
import { RUN_FILES } from '../train/train-run';
import type { SweepCommand } from './command-flags';
import type { RunMetrics } from './sweep-record';

/**
 * What a finished run measured, from its folder: a train run's best map (best/best.json, and its eval.jsonl line for
 * the target-class share), a stack run's selected depth (summary.json). Runs evaluate on the test split only, so
 * `validation` is null; `test` is null when the run evaluated nothing (--eval-every 0).
 */
export function readRunMetrics(command: SweepCommand, dir: string): RunMetrics {
  if (command === 'train') {
    const bestPath = join(dir, RUN_FILES.best, 'best.json');
    if (!existsSync(bestPath)) return { metric: null, validation: null, test: null, details: {} };
    const best = readJson<{ step: number; metric: string; value: number }>(bestPath);
    const line = readJsonLines<EvalLine>(join(dir, RUN_FILES.eval), 'readRunMetrics').find((e) => e.step === best.step);
    const details: Record<string, number> = { step: best.step };
    if (line?.classifier) details.targetShare = line.classifier.targetShare;
    return { metric: best.metric, validation: null, test: best.value, details };
  }
  const summaryPath = join(dir, STACK_FILES.summary);
  if (!existsSync(summaryPath)) return { metric: null, validation: null, test: null, details: {} };
  const summary = readJson<StackSummary>(summaryPath);
  const selected = summary.stages.find((s) => s.selected) ?? summary.stages[summary.depth - 1];
  const details: Record<string, number> = { depth: summary.depth };
  if (selected?.details?.targetShare !== undefined) details.targetShare = selected.details.targetShare;
  return { metric: summary.metric, validation: null, test: selected?.value ?? null, details };
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`readRunMetrics: ${path} is not readable JSON (${(error as Error).message})`);
  }
}
