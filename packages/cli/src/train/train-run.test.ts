import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { type Divergence, DivergenceGuard, type StepReport } from '@not/ot-core';
import { PNG } from 'pngjs';
import { decodeSafetensors } from '@not/nets';
import { loadTransportMap } from '@not/stacking/node';
import { readCheckpoint } from './checkpoint';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { RUN_FILES, type TrainMetrics, runTraining } from './train-run';

beforeAll(async () => {
  await useBackend('cpu');
});

const tiny = TINY_TRAIN_FLAGS;

const runDir = () => mkdtempSync(join(tmpdir(), 'not-train-'));
const metrics = (dir: string): TrainMetrics[] =>
  readFileSync(join(dir, RUN_FILES.metrics), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const losses = (lines: TrainMetrics[]) => lines.map((m) => [m.step, m.mapLoss, m.cost, m.potentialLoss]);

describe('runTraining', () => {
  it('writes metrics, sample grids, a checkpoint and the map, and leaks no tensors', async () => {
    const out = runDir();
    const before = tf.memory().numTensors;
    const result = await runTraining({ flags: tiny, preset: 'cpu', out });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ step: 4, interrupted: false });
    const lines = metrics(out);
    expect(lines.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    for (const m of lines) expect([m.mapLoss, m.cost, m.potentialLoss].every(Number.isFinite)).toBe(true);
    expect(readdirSync(join(out, RUN_FILES.samples)).sort()).toEqual(['latest.png', 'step-000000.png', 'step-000002.png', 'step-000004.png']);
    // Grid: 10 columns of 16×16 images upscaled ×2, rows x, T(x), y, 2-pixel padding.
    const png = PNG.sync.read(readFileSync(join(out, RUN_FILES.samples, 'latest.png')));
    expect([png.width, png.height]).toEqual([2 + 10 * 34, 2 + 3 * 34]);
    const saved = readCheckpoint(join(out, RUN_FILES.checkpoint));
    expect(saved.progress.step).toBe(4);
    // Both sets are grayscale, so the networks see one channel.
    expect(saved.config).toMatchObject({ ...tiny, channels: 1, cost: 'strong', preset: 'cpu', lr: 1e-3 });
    expect(saved.tensors['map.inc.double_conv.0.weight'].shape).toEqual([4, 1, 3, 3]);
    expect(Object.keys(saved.tensors)).toContain('potentialOptimizer.m.0');
    // T.safetensors: @not/stacking's map file, under the reference's names, with the run's configuration.
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(join(out, RUN_FILES.map))));
    expect(metadata.format).toBe('not-transport-map/2');
    expect(Object.keys(tensors)).toContain('outc.conv.weight');
    expect(Object.keys(tensors)).toContain('inc.double_conv.1.running_mean');
    const loaded = await loadTransportMap({ path: join(out, RUN_FILES.map) });
    expect(loaded.config).toEqual(saved.config);
    expect(loaded.stages[0].network).toEqual({ arch: 'unet', size: 16, channels: 1, noiseChannels: 0, base: saved.config.base });
    // The map file holds T's moving average (the cpu preset keeps one), not T's last weights.
    expect(saved.config.emaDecay).toBe(0.99);
    expect(saved.progress.mapAverageSteps).toBe(4);
    const averaged = (name: string) => saved.tensors[`mapAverage.${name}`] ?? saved.tensors[`map.${name}`]; // integer buffers are not averaged
    for (const [name, t] of Object.entries(loaded.map.stateDict())) expect(Array.from(t.dataSync()), name).toEqual(Array.from(averaged(name).dataSync()));
    const head = 'outc.conv.weight';
    expect(Array.from(saved.tensors[`mapAverage.${head}`].dataSync())).not.toEqual(Array.from(saved.tensors[`map.${head}`].dataSync()));
    loaded.map.dispose();
    tf.dispose(Object.values(saved.tensors));
  });

  it('resumes after an interruption with the same numbers as an uninterrupted run', async () => {
    const straight = runDir();
    await runTraining({ flags: tiny, preset: 'cpu', out: straight });
    const out = runDir();
    const stop = new AbortController();
    const first = await runTraining({ flags: { ...tiny, checkpointEvery: 100 }, preset: 'cpu', out, onStep: () => stop.abort(), signal: stop.signal });
    expect(first).toMatchObject({ step: 1, interrupted: true });
    const second = await runTraining({ flags: {}, preset: 'cpu', out, resume: true });
    expect(second).toMatchObject({ step: 4, interrupted: false });
    expect(losses(metrics(out))).toEqual(losses(metrics(straight)));
    // The moving average resumed too: the exported maps are the same.
    const weights = (dir: string) => Object.entries(decodeSafetensors(new Uint8Array(readFileSync(join(dir, RUN_FILES.map)))).tensors).map(([name, t]) => [name, Array.from(t.data)]);
    expect(weights(out)).toEqual(weights(straight));
  });

  it('undoes a diverged step: back to the last checkpoint, learning rates halved, recorded in events.jsonl', async () => {
    /** A guard that judges step `at` diverged, once. */
    class DivergesAt extends DivergenceGuard {
      private fired = false;
      constructor(private readonly at: number) {
        super();
      }
      override inspect(report: StepReport): Divergence | null {
        if (report.step !== this.at || this.fired) return super.inspect(report);
        this.fired = true;
        return { step: report.step, loss: 'potentialLoss', value: 1e9, reason: 'injected' };
      }
    }
    const straight = runDir();
    await runTraining({ flags: tiny, preset: 'cpu', out: straight });
    for (const [at, restoredStep] of [[3, 2], [1, 0]]) {
      const out = runDir();
      const logged: string[] = [];
      const before = tf.memory().numTensors;
      const result = await runTraining({ flags: tiny, preset: 'cpu', out, guard: new DivergesAt(at), log: (line) => logged.push(line) });
      expect(tf.memory().numTensors).toBe(before);
      expect(result).toMatchObject({ step: 4, interrupted: false });
      const lines = metrics(out);
      expect(lines.map((m) => [m.step, m.learningRateScale])).toEqual([1, 2, 3, 4].map((step) => [step, step <= restoredStep ? 1 : 0.5]));
      // Steps before the restore point are the straight run's; those after it ran at half the rate.
      expect(losses(lines).slice(0, restoredStep)).toEqual(losses(metrics(straight)).slice(0, restoredStep));
      expect(lines[3].mapLoss).not.toBe(metrics(straight)[3].mapLoss);
      const events = readFileSync(join(out, RUN_FILES.events), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(events).toEqual([{ kind: 'divergence', step: at, loss: 'potentialLoss', value: 1e9, reason: 'injected', restoredStep, learningRateScale: 0.5 }]);
      expect(logged).toContain(`step ${at}: injected; went back to the checkpoint of step ${restoredStep}, learning rates now × 0.5`);
      const saved = readCheckpoint(join(out, RUN_FILES.checkpoint));
      expect(saved.progress.learningRateScale).toBe(0.5);
      tf.dispose(Object.values(saved.tensors));
    }
  });

  it('refuses to overwrite a run, and to change its settings on resume', async () => {
    const out = runDir();
    await runTraining({ flags: { ...tiny, steps: 1 }, preset: 'cpu', out });
    await expect(runTraining({ flags: tiny, preset: 'cpu', out })).rejects.toThrow(/already holds a run.*--resume/);
    await expect(runTraining({ flags: { lr: 0.1 }, preset: 'cpu', out, resume: true })).rejects.toThrow(/holds another run than the one asked for \(stored → asked\):\n  --lr: 0.001 → 0.1\n/);
    const extended = await runTraining({ flags: { steps: 2 }, preset: 'cpu', out, resume: true });
    expect(extended.step).toBe(2);
  });

  it('trains a stochastic map with the weak cost and draws several T(x, z) rows', async () => {
    const out = runDir();
    const result = await runTraining({ flags: { ...tiny, channels: 3, cost: 'weak', noiseSamples: 2, steps: 2, gammaSteps: 2 }, preset: 'cpu', out });
    expect(result.last?.gamma).toBeCloseTo(0.33, 10);
    expect(result.config.channels).toBe(3); // asked for, although both sets are grayscale
    const png = PNG.sync.read(readFileSync(join(out, RUN_FILES.samples, 'latest.png')));
    expect(png.height).toBe(2 + 6 * 34); // x, four draws of T(x, z), y
    expect(existsSync(join(out, RUN_FILES.map))).toBe(true);
  });

  it('explains bad settings before training', async () => {
    await expect(runTraining({ flags: { ...tiny, size: 24 }, preset: 'cpu', out: runDir() })).rejects.toThrow(/--size must be a power of two >= 16, got 24/);
    await expect(runTraining({ flags: { ...tiny, noiseSamples: 1, cost: 'weak' }, preset: 'cpu', out: runDir() })).rejects.toThrow(/noise-samples must be an integer >= 2/);
    await expect(runTraining({ flags: { ...tiny, source: 'nope:x' }, preset: 'cpu', out: runDir() })).rejects.toThrow(/nope/);
  });
});
