import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines } from '../files/json-lines';
import { STACK_FILES, type StackSummary } from '../stack/stack-run';
import type { BestMapInfo, EvalLine } from '../train/best-map';
import { RUN_FILES } from '../train/train-run';
import type { SweepCommand } from './command-flags';
import type { RunMetrics } from './sweep-record';

/**
 * What a finished run measured, from its folder: a train run's best map (best/best.json: the validation value that
 * chose it and its test figures), a stack run's selected depth (summary.json: likewise). Null when the run evaluated
 * nothing (--eval-every 0); `test` is null for runs made before the validation split (their value was on test).
 */
export function readRunMetrics(command: SweepCommand, dir: string): RunMetrics {
  if (command === 'train') {
    const bestPath = join(dir, RUN_FILES.best, 'best.json');
    if (!existsSync(bestPath)) return { metric: null, validation: null, test: null, details: {} };
    const best = readJson<BestMapInfo>(bestPath);
    const details: Record<string, number> = { step: best.step };
    const share = best.test?.classifier?.targetShare ?? readJsonLines<EvalLine>(join(dir, RUN_FILES.eval), 'readRunMetrics').find((e) => e.step === best.step)?.classifier?.targetShare;
    if (share !== undefined) details.targetShare = share;
    return { metric: best.metric, validation: best.value, test: best.test?.value ?? null, details };
  }
  const summaryPath = join(dir, STACK_FILES.summary);
  if (!existsSync(summaryPath)) return { metric: null, validation: null, test: null, details: {} };
  const summary = readJson<StackSummary>(summaryPath);
  const selected = summary.stages.find((s) => s.selected) ?? summary.stages[summary.depth - 1];
  const details: Record<string, number> = { depth: summary.depth };
  const share = summary.test?.details?.targetShare ?? selected?.details?.targetShare;
  if (share !== undefined) details.targetShare = share;
  return { metric: summary.metric, validation: selected?.value ?? null, test: summary.test?.value ?? null, details };
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`readRunMetrics: ${path} is not readable JSON (${(error as Error).message})`);
  }
}
