import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@not/backends';
import type { EvalLine } from './best-map';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { RUN_FILES, runTraining } from './train-run';

// wasm: the classifier's 300-image evaluations take minutes on the cpu backend.
beforeAll(async () => {
  await useBackend('wasm');
});

const tiny = TINY_TRAIN_FLAGS;

const runDir = () => mkdtempSync(join(tmpdir(), 'not-best-'));

describe('BestMapKeeper in a training run', () => {
  it('evaluates on the validation split, keeps the best map (classifier FD at 32×32 grayscale), and measures it on the test split', async () => {
    const out = runDir();
    const cacheDir = runDir();
    const evals: EvalLine[] = [];
    const result = await runTraining({ flags: { ...tiny, size: 32, steps: 4, evalEvery: 2 }, preset: 'cpu', out, cacheDir, onEval: (e) => evals.push(e) });
    expect(result.config).toMatchObject({ evalEvery: 2, evalMetric: 'classifier', channels: 1 });
    const lines = readFileSync(join(out, RUN_FILES.eval), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvalLine);
    expect(lines).toEqual(evals);
    expect(lines.map((e) => e.step)).toEqual([2, 4]);
    for (const e of lines) expect(e).toMatchObject({ split: 'validation', metric: 'classifier', count: 300, value: e.classifier!.frechet });
    const bestStep = lines[1].value < lines[0].value ? 4 : 2;
    expect(lines.map((e) => e.best)).toEqual([true, bestStep === 4]);
    // The test figures are the best map's on other images: the same map scores differently there.
    const info = JSON.parse(readFileSync(join(out, RUN_FILES.best, 'best.json'), 'utf8'));
    expect(info).toMatchObject({ step: bestStep, metric: 'classifier', value: Math.min(lines[0].value, lines[1].value), test: { count: 300 } });
    expect(info.test.value).toBe(info.test.classifier.frechet);
    expect(info.test.value).not.toBe(info.value);
    expect(result.best).toEqual(info);
    expect(existsSync(join(out, RUN_FILES.best, RUN_FILES.map))).toBe(true);
    // The target's features, once per split.
    expect(readdirSync(join(cacheDir, 'features')).map((f) => f.replace(/^.*-(\w+)-fashion-classifier/, '$1')).sort()).toEqual(['test.npy', 'test.stats.json', 'validation.npy', 'validation.stats.json']);
    await expect(runTraining({ flags: { ...tiny, evalEvery: 2, evalMetric: 'classifier' }, preset: 'cpu', out: runDir() })).rejects.toThrow(/--eval-metric classifier needs --size 32/);
  });

});
