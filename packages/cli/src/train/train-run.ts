import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointStore, DivergenceGuard, type GuardEvent, NeuralOT, type SolverProgress, type StepReport, train } from '@not/ot-core';
import { ImageDataset, ImageSampler } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import type { ResNetPotential, UNetMap } from '@not/nets';
import { type MicroBatchChoice, type RecomputeChoice, type StepMemoryPlan, planStepMemory } from './step-memory';
import { makeDir, removeStaleTemporaries, writeFileAtomic } from '../files/atomic-write';
import { appendJsonLine, keepJsonLines, startJsonLines } from '../files/json-lines';
import { saveTransportMap } from '@not/stacking/node';
import { TRAIN_CHECKPOINT_FORMAT, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { RunEnvironment } from '../files/run-identity';
import { removeRunFiles } from '../files/restart-run';
import { checkTrainResume, trainRecord } from './train-identity';
import { defaultCacheDir } from '../files/cache-dir';
import { BEST_DIR, type BestMapInfo, BestMapKeeper, type EvalLine } from './best-map';
import { sampleGrid } from './sample-grid';
import { type TrainConfig, type TrainFlags, type TrainPreset, resolveTrainConfig } from './train-config';
import { createCost, createMap, createPotential, gridBatch, mapAverageSettings, optimizerSettings } from './train-setup';

// Callers (stack runs, translate) take these from here too.
export { createCost, createMap, createPotential, gridBatch, mapAverageSettings, optimizerSettings };

/** Files of a run directory. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoint: 'checkpoint.safetensors',
  map: 'T.safetensors',
  samples: 'samples',
  eval: 'eval.jsonl',
  events: 'events.jsonl',
  best: BEST_DIR,
} as const;

/** One line of metrics.jsonl. */
export interface TrainMetrics extends StepReport {
  gamma: number;
  /** The factor the learning rates run at: 1 unless divergences lowered it. */
  learningRateScale: number;
}

export interface TrainRunOptions {
  /** Settings given by the user; the rest comes from `preset` (or, on resume, from the checkpoint). */
  flags: TrainFlags;
  preset: TrainPreset;
  /** Run directory. */
  out: string;
  /**
   * Continue from `out`'s checkpoint: flags left out keep their stored values; flags given must ask for the same run
   * (only the steps and the intervals may change, as the backend and threads), else it stops before touching `out`.
   */
  resume?: boolean;
  /** Start afresh: removes the run's own files from `out` first (when it holds a `not train` run). */
  restart?: boolean;
  /** The backend and threads, recorded with the run (a resume on others says so). */
  environment?: RunEnvironment;
  /** Messages for the user (what was loaded, where files go). */
  log?: (line: string) => void;
  /** Called once the configuration is known, with the step training starts from. */
  onStart?: (config: TrainConfig, step: number) => void;
  onStep?: (metrics: TrainMetrics) => void;
  /** Called after each evaluation on the validation split (every config.evalEvery steps). */
  onEval?: (line: EvalLine) => void;
  /** Called when a divergence is undone or a mode collapse is seen (also logged, and written to events.jsonl). */
  onEvent?: (event: GuardEvent) => void;
  /** Judges each step for divergence and mode collapse (default: a DivergenceGuard with its default settings; false: none). */
  guard?: DivergenceGuard | false;
  /** Where FID weights and the target's features are kept (default: $NOT_CACHE_DIR or ~/.cache/not). */
  cacheDir?: string;
  /** Stops the run after the step in progress, with a checkpoint (e.g. on Ctrl-C). */
  signal?: AbortSignal;
  /** Recompute activations in the backward pass (same results, less memory): 'auto' (default) when wasm's heap needs it. */
  recompute?: RecomputeChoice;
  /** The most samples f takes per pass under a gradient (same results, less memory): 'auto' (default) when wasm's heap needs it. */
  microBatch?: MicroBatchChoice;
}

export interface TrainRunResult {
  config: TrainConfig;
  /** Outer steps done in total (including those before a resume). */
  step: number;
  /** Whether the run stopped before config.steps. */
  interrupted: boolean;
  last: TrainMetrics | null;
  /** The best map (chosen on the validation split) and, when the run finished, its figures on the test split; null without evaluation. */
  best: BestMapInfo | null;
}

/**
 * Trains T and f with NOT on two image sets and writes the run directory: config.json, metrics.jsonl (one line per
 * outer step), samples/step-NNNNNN.png grids, checkpoint.safetensors (everything, for --resume) and T.safetensors
 * (the map alone). Checkpoints are atomic; resuming gives the same numbers as an uninterrupted run with that seed.
 * A step that diverges (NaN, or a loss spike: see DivergenceGuard) is undone: training goes back to the last
 * checkpoint (one is written before the first step) with lower learning rates, and events.jsonl records it.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const { flags, preset, out, resume = false, restart = false, environment, log = () => {}, onStart, onStep, onEval, onEvent, signal, cacheDir = defaultCacheDir(), recompute = 'auto', microBatch = 'auto', guard = new DivergenceGuard() } = options;
  const checkpointPath = join(out, RUN_FILES.checkpoint);
  if (resume && restart) throw new Error('train: --resume and --restart exclude each other: continue the run in --out, or start it afresh');
  if (!resume && !restart && existsSync(checkpointPath)) {
    throw new Error(`train: ${out} already holds a run (${RUN_FILES.checkpoint}); pass --resume to continue it, --restart to start it afresh, or choose another --out`);
  }
  const saved = resume && existsSync(checkpointPath) ? readCheckpoint(checkpointPath) : null;
  if (resume && !saved) log(`no checkpoint in ${out} yet: starting a new run`);
  let config = saved ? mergeResumed(saved.config, flags) : resolveTrainConfig(flags, preset);
  const images = await Promise.all([openImageSource(config.source), openImageSource(config.target)]);
  if (!saved && flags.channels === undefined && images.every((source) => source.channels === 1)) config = resolveTrainConfig(flags, preset, true);
  // What defines the run, checked against the checkpoint on resume before anything in `out` is touched.
  const record = trainRecord(config, { source: images[0], target: images[1] }, environment);
  try {
    const changed = saved ? checkTrainResume(out, saved, record) : null;
    if (changed) log(changed);
    const removed = restart ? removeRunFiles(out, { command: 'train', checkpoint: RUN_FILES.checkpoint, format: TRAIN_CHECKPOINT_FORMAT, entries: Object.values(RUN_FILES) }) : [];
    if (removed.length > 0) log(`--restart: removed the earlier run's ${removed.join(', ')} from ${out}`);
  } catch (error) {
    images.forEach((source) => source.close());
    if (saved) tf.dispose(Object.values(saved.tensors));
    throw error;
  }
  if (resume) {
    // A run killed while writing leaves its temporary files; what they were to replace is intact.
    const stale = [out, join(out, RUN_FILES.samples), join(out, RUN_FILES.best)].flatMap(removeStaleTemporaries);
    if (stale.length > 0) log(`removed ${stale.length} unfinished file${stale.length === 1 ? '' : 's'} of the interrupted run (${stale.join(', ')})`);
  }
  makeDir(join(out, RUN_FILES.samples));
  writeFileAtomic(join(out, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);

  const [sourceData, targetData] = images.map((source) => new ImageDataset(source, { size: config.size, channels: config.channels }));
  for (const [role, data] of [['source', sourceData], ['target', targetData]] as const) {
    log(`${role} ${data.source.name}: ${data.count} images ${data.source.height}×${data.source.width}×${data.source.channels}, seen as ${data.shape.join('×')}; train ${data.trainCount}, validation ${data.validationCount}, test ${data.testCount}`);
  }
  const source = new ImageSampler(sourceData, { split: 'train', seed: config.seed });
  const target = new ImageSampler(targetData, { split: 'train', seed: config.seed + 1 });
  const weak = config.cost === 'weak';
  const map = createMap(config);
  const potential = createPotential(config);
  const { cost, gamma } = createCost(config);
  const memory = await planRunMemory(config, { map, potential }, sourceData.shape, { recompute, microBatch });
  log(`memory: ${memory.reason}`);
  const solver = new NeuralOT({
    map,
    potential,
    source,
    target,
    cost,
    batchSize: config.batchSize,
    tIters: config.tIters,
    ...optimizerSettings(config),
    mapAverage: mapAverageSettings(config),
    noise: weak ? { samples: config.noiseSamples, std: config.noiseStd } : undefined,
    seed: config.seed + 4,
    microBatch: memory.microBatch ?? undefined,
  });
  const metricsPath = join(out, RUN_FILES.metrics);
  if (saved) {
    solver.loadState(saved.tensors, saved.progress);
    tf.dispose(Object.values(saved.tensors));
    source.restore(saved.samplers.source);
    target.restore(saved.samplers.target);
    for (const file of [RUN_FILES.metrics, RUN_FILES.eval, RUN_FILES.events]) keepLinesUpTo(join(out, file), saved.progress.step);
    log(`resumed ${out} at step ${saved.progress.step} of ${config.steps}`);
  } else {
    for (const file of [metricsPath, join(out, RUN_FILES.eval), join(out, RUN_FILES.events)]) startJsonLines(file);
  }
  const keeper = config.evalEvery > 0 ? await BestMapKeeper.open(config, map, sourceData, targetData, out, cacheDir) : null;
  onStart?.(config, solver.step);

  const x = gridBatch(sourceData);
  const y = gridBatch(targetData);
  // Samples, evaluations and the exported map show T's moving average when the run keeps one.
  const grid = async (step: number) => {
    const png = await solver.withAveragedMap(() => sampleGrid(solver, x, y, { draws: weak ? 4 : 1, seed: config.seed + 5 }));
    writeFileAtomic(join(out, RUN_FILES.samples, `step-${String(step).padStart(6, '0')}.png`), png);
    writeFileAtomic(join(out, RUN_FILES.samples, 'latest.png'), png);
  };
  // Checkpoints are files: everything to resume from (and to go back to after a divergence), and the map alone.
  const store: CheckpointStore<SolverProgress> = {
    save: async ({ tensors, state }) => {
      await writeCheckpoint(checkpointPath, { config, progress: state, samplers: { source: source.state(), target: target.state() }, tensors, record });
      await solver.withAveragedMap(() => saveTransportMap(join(out, RUN_FILES.map), map, { noise: { std: config.noiseStd }, config }));
    },
    load: async () => {
      const saved = readCheckpoint(checkpointPath);
      return { tensors: saved.tensors, state: saved.progress };
    },
  };
  const event = (e: GuardEvent) => {
    if (e.kind === 'divergence') {
      // The steps undone leave the logs.
      keepLinesUpTo(metricsPath, e.restoredStep);
      keepLinesUpTo(join(out, RUN_FILES.eval), e.restoredStep);
      log(`step ${e.step}: ${e.reason}; went back to the checkpoint of step ${e.restoredStep}, learning rates now × ${e.learningRateScale}`);
    } else {
      log(`warning: step ${e.step}: ${e.reason}`);
    }
    appendJsonLine(join(out, RUN_FILES.events), e);
    onEvent?.(e);
  };

  let last: TrainMetrics | null = null;
  try {
    if (solver.step === 0) await grid(0);
    const { interrupted } = await train(solver, {
      steps: config.steps,
      guard,
      store,
      checkpointEvery: config.checkpointEvery,
      signal,
      onStep: async (report) => {
        last = { ...report, gamma: gamma(report.step - 1), learningRateScale: solver.learningRateScale };
        appendJsonLine(metricsPath, last);
        onStep?.(last);
        if (report.step % config.sampleEvery === 0 || report.step === config.steps || signal?.aborted) await grid(report.step);
      },
      onEvent: event,
      evaluate: keeper ? { every: config.evalEvery, run: async (step) => onEval?.(await solver.withAveragedMap(() => keeper.evaluate(step))) } : undefined,
    });
    const best = keeper && !interrupted ? await keeper.testBest() : null;
    return { config, step: solver.step, interrupted, last, best };
  } finally {
    tf.dispose([x, y]);
    keeper?.dispose();
    solver.dispose();
    map.dispose();
    potential.dispose();
    sourceData.source.close();
    targetData.source.close();
  }
}

/**
 * How the run's steps fit in memory (see planStepMemory), measured on its networks, which are then set to recompute
 * their activations or not accordingly.
 */
export async function planRunMemory(
  config: TrainConfig,
  nets: { map: UNetMap; potential: ResNetPotential },
  imageShape: readonly number[],
  choice: { recompute: RecomputeChoice; microBatch: MicroBatchChoice },
): Promise<StepMemoryPlan> {
  const noiseSamples = config.cost === 'weak' ? config.noiseSamples : 1;
  const plan = await planStepMemory(choice, { ...nets, imageShape, batchSize: config.batchSize, noiseSamples });
  nets.map.recomputeActivations = nets.potential.recomputeActivations = plan.recompute;
  return plan;
}

/** A resumed run keeps its stored configuration for every flag left out; checkTrainResume judges the flags given. */
function mergeResumed(stored: TrainConfig, flags: TrainFlags): TrainConfig {
  const given = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const merged = { ...stored, ...given } as TrainConfig;
  if (!(Number.isInteger(merged.steps) && merged.steps >= 1)) throw new Error(`train --resume: --steps must be an integer >= 1, got ${merged.steps}`);
  return merged;
}

/** Drops the lines of a log past `step` (steps done after it and undone or lost), so the log matches the run. */
function keepLinesUpTo(path: string, step: number): void {
  keepJsonLines<{ step: number }>(path, (line) => line.step <= step);
}
