import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { Stack } from '@not/stacking';
import { PNG } from 'pngjs';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { runTraining } from '../train/train-run';
import { loadTrainedMap } from '../train/trained-map';
import { summaryTable } from '../commands/stack';
import { STACK_FILES, runStacking } from './stack-run';
import type { StackFlags } from './stack-config';

// wasm: the classifier's evaluations of every depth take minutes on the cpu backend.
beforeAll(async () => {
  await useBackend('wasm');
});

/** Two tiny stages at 32×32 (the classifier's size), the second one stochastic (weak cost), evaluated at every stage's end. */
const flags: StackFlags = { ...TINY_TRAIN_FLAGS, size: 32, steps: 3, evalEvery: 0, checkpointEvery: 1, stageCount: 2, margin: 0, finalCost: 'weak' };
const runDir = () => mkdtempSync(join(tmpdir(), 'not-stack-'));
const cacheDir = runDir();
const stackWeights = async (path: string) => {
  const { map } = await loadTrainedMap(path);
  const values = Object.values(map.stateDict()).map((t) => Array.from(t.dataSync()));
  map.dispose();
  return values;
};

describe('runStacking', () => {
  it('trains, evaluates every depth, writes each depth\'s stack, the selected one, pictures and a summary', async () => {
    const out = runDir();
    const before = tf.memory().numTensors;
    const { summary, interrupted } = await runStacking({ flags, preset: 'cpu', out, cacheDir });
    expect(tf.memory().numTensors).toBe(before);
    expect(interrupted).toBe(false);
    expect(summary.metric).toBe('classifier');
    expect(summary.stages.map((s) => [s.stage, s.steps, s.init, s.pushforward])).toEqual([
      [1, 3, 'fresh', 'none'],
      [2, 3, 'fresh', 'on-the-fly'], // 3 steps draw fewer images than the cache would push
    ]);
    expect(summary.source!.details).toMatchObject({ cost: 0 });
    const values = summary.stages.map((s) => s.value as number);
    expect(summary.depth).toBe(values[1] < values[0] ? 2 : 1);
    expect(JSON.parse(readFileSync(join(out, STACK_FILES.summary), 'utf8'))).toEqual(summary);
    // The depth is chosen on validation; the selected stack is then measured on the test split.
    expect(summary.test!.details).toMatchObject({ classifierFd: summary.test!.value });
    expect(summary.test!.value).not.toBe(summary.stages[summary.depth - 1].value);
    expect(readdirSync(join(out, STACK_FILES.stages)).sort()).toEqual(['stack-1.safetensors', 'stack-2.safetensors']);

    // The saved stacks load as one map, made of their stages in order.
    const full = await loadTrainedMap(join(out, STACK_FILES.stages, 'stack-2.safetensors'));
    const first = await loadTrainedMap(join(out, STACK_FILES.stages, 'stack-1.safetensors'));
    expect(full.map).toBeInstanceOf(Stack);
    expect(full.trainConfig?.cost).toBe('weak');
    expect(full).toMatchObject({ format: 'not-transport-map/2', layout: 'stack', noise: { std: 0.1 } });
    const stages = (full.map as unknown as Stack).stages;
    expect(stages.length).toBe(2);
    expect(full.map.noiseShape(2)).toEqual([2, 32 * 32]); // stage 2's one noise channel, flattened
    const x = tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 1);
    const z = tf.randomNormal([2, 32 * 32], 0, 0.1, 'float32', 2);
    const viaStages = stages[1].apply((first.map as unknown as Stack).stages[0].apply(x), tf.reshape(z, stages[1].noiseShape(2)!));
    expect(Array.from(full.map.apply(x, z).dataSync())).toEqual(Array.from(viaStages.dataSync()));
    tf.dispose([x, z, viaStages]);
    full.map.dispose();
    first.map.dispose();
    expect(await stackWeights(out)).toEqual(await stackWeights(join(out, STACK_FILES.stages, `stack-${summary.depth}.safetensors`)));

    // The eval log has depth 0 and each stage's end; the grid has rows x, T1(x), T2∘T1(x), y.
    const evals = readFileSync(join(out, STACK_FILES.eval), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(evals.map((e) => [e.stage, e.step, e.split])).toEqual([[0, 0, 'validation'], [1, 3, 'validation'], [2, 3, 'validation']]);
    const grid = PNG.sync.read(readFileSync(join(out, STACK_FILES.grid)));
    expect([grid.width, grid.height]).toEqual([2 + 10 * 66, 2 + 4 * 66]);
    expect(existsSync(join(out, STACK_FILES.plot))).toBe(true);
    const table = summaryTable(summary).split('\n');
    expect(table[0]).toMatch(/^stage\s+init\s+steps\s+classifier \(validation\)\s+target share\s+cost \(x→stack\)\s+selected$/);
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['0', '1', '2']);
    expect(table[1 + summary.depth]).toMatch(/✓$/);
  });

  it('resumes a killed run mid-stage to the same stacks as an uninterrupted run', async () => {
    const whole = runDir();
    const a = await runStacking({ flags, preset: 'cpu', out: whole, cacheDir });
    const out = runDir();
    let steps = 0;
    const stop = new AbortController();
    const onStep = () => {
      if (++steps === 5) stop.abort();
    };
    const stopped = await runStacking({ flags, preset: 'cpu', out, cacheDir, onStep, signal: stop.signal });
    expect(stopped.interrupted).toBe(true);
    await expect(runStacking({ flags, preset: 'cpu', out, cacheDir })).rejects.toThrow(/already holds a run .*--resume/);
    const b = await runStacking({ flags: {}, preset: 'cpu', out, cacheDir, resume: true });
    expect(b.summary.stages.map((s) => s.value)).toEqual(a.summary.stages.map((s) => s.value));
    for (const depth of [1, 2]) {
      const name = join(STACK_FILES.stages, `stack-${depth}.safetensors`);
      expect(await stackWeights(join(out, name))).toEqual(await stackWeights(join(whole, name)));
    }
  });

  it('starts from a `not train` run as stage 1 and warm-starts the next stage from it', async () => {
    const baseline = runDir();
    await runTraining({ flags: { ...TINY_TRAIN_FLAGS, size: 32, steps: 2, evalEvery: 0 }, preset: 'cpu', out: baseline, cacheDir });
    const out = runDir();
    const { summary, config } = await runStacking({ flags: { ...flags, source: undefined, target: undefined, size: undefined, first: baseline, init: 'previous', finalCost: undefined }, preset: 'cpu', out, cacheDir });
    expect(summary.stages.map((s) => s.init)).toEqual(['given', 'previous']);
    expect(config.stages.map((c) => c.cost)).toEqual(['strong', 'strong']);
    expect(await stackWeights(join(out, STACK_FILES.stages, 'stack-1.safetensors'))).toEqual(await stackWeights(baseline));
    await expect(runStacking({ flags: { ...flags, size: 16, first: baseline }, preset: 'cpu', out: runDir(), cacheDir })).rejects.toThrow(
      'stack: --size 16 differs from the first run\'s (32); leave it out to follow the first run',
    );
  });
});

