import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DivergenceGuard, type DivergenceGuardOptions, type StepReport, type TransportMap } from '@not/ot-core';
import type { ResNetPotential } from '@not/nets';
import { ImageDataset, ImageSampler } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import { type StackEvaluation, type StageOptions, type StageReport, type TrainStackResult, Stack, trainStack } from '@not/stacking';
import { makeDir, writeFileAtomic } from '../files/atomic-write';
import { appendJsonLine, keepJsonLines, startJsonLines } from '../files/json-lines';
import { defaultCacheDir } from '../files/cache-dir';
import { Validation } from '../eval/validation';
import type { EvalResult } from '../eval/evaluate-map';
import { BEST_DIR } from '../train/best-map';
import { readCheckpointModule } from '../train/checkpoint';
import type { TrainConfig, TrainPreset } from '../train/train-config';
import { RUN_FILES, createCost, createMap, createPotential, gridBatch, mapAverageSettings, optimizerSettings, planRunMemory } from '../train/train-run';
import type { MicroBatchChoice, RecomputeChoice, StepMemoryPlan } from '../train/step-memory';
import { loadTrainedRunMap, mapPath } from '../train/trained-map';
import { STACK_CHECKPOINT_FORMAT, StackCheckpointFile } from './stack-checkpoint-file';
import { checkStackResume, stackRecord } from './stack-identity';
import { type RunEnvironment, sha256Files } from '../files/run-identity';
import { removeRunFiles } from '../files/restart-run';
import { type StackConfig, type StackFlags, resolveStackConfig } from './stack-config';
import { STACK_FILE, writeStackFile } from './stack-file';
import { metricByDepthPlot, stageGrid } from './stack-pictures';

/** Files of a stacking run's directory. */
export const STACK_FILES = {
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
  /** The selected stack, what `not translate` and `not eval` load from the directory. */
  stack: STACK_FILE,
  /** stages/stack-N.safetensors: the stack of depth N. */
  stages: 'stages',
  metrics: 'metrics.jsonl',
  eval: 'eval.jsonl',
  /** Divergences undone and mode collapses seen, one JSON line each with its stage. */
  events: 'events.jsonl',
  grid: 'stages.png',
  plot: 'metric-by-depth.png',
  summary: 'summary.json',
} as const;

/**
 * summary.json: the run's result, one entry per stage. The stages' values and the depth are chosen on the validation
 * split; `test` holds the selected stack's figures on the test split once the run has finished.
 */
export interface StackSummary {
  metric: string;
  depth: number;
  source: StackEvaluation | null;
  stages: StageReport[];
  /** The selected stack on the test split (once the run has finished). */
  test?: StackEvaluation;
}

export interface StackRunOptions {
  flags: StackFlags;
  preset: TrainPreset;
  out: string;
  /**
   * Continue the run in `out`: flags left out keep the values it was made with; flags given (and the --first run's
   * content) must ask for the same run (see checkStackResume), else it stops before touching `out`.
   */
  resume?: boolean;
  /** Start afresh: removes the run's own files from `out` first (when it holds a `not stack` run). */
  restart?: boolean;
  /** The backend and threads, recorded with the run (a resume on others says so). */
  environment?: RunEnvironment;
  log?: (line: string) => void;
  onStageStart?: (info: { stage: number; stages: number; steps: number; step: number; init: string; pushforward: string }) => void;
  onStep?: (stage: number, report: StepReport) => void;
  onEvaluate?: (at: { stage: number; step: number }, evaluation: StackEvaluation, best: boolean) => void;
  cacheDir?: string;
  /** Stops the run after the step in progress, with a checkpoint (e.g. on Ctrl-C). */
  signal?: AbortSignal;
  /** Each stage's divergence guard: its thresholds (default: the guard's defaults), or false for none. */
  guard?: DivergenceGuardOptions | false;
  /** Recompute activations / split f's passes (same results, less memory): 'auto' (default) when wasm's heap needs it. */
  recompute?: RecomputeChoice;
  microBatch?: MicroBatchChoice;
}

/**
 * `not stack`: trains up to K stages on two image sets with trainStack, evaluating every depth on the source's test
 * split through the whole stack and keeping the best depth. Writes the run directory (see STACK_FILES): after every
 * stage the stack of that depth, the selected stack, a grid x, T1(x), T2∘T1(x), …, the metric by depth, and summary.json.
 */
export async function runStacking(options: StackRunOptions): Promise<{ config: StackConfig; summary: StackSummary; interrupted: boolean }> {
  const { flags, preset, out, resume = false, restart = false, environment, log = () => {}, cacheDir = defaultCacheDir() } = options;
  const checkpointPath = join(out, STACK_FILES.checkpoint);
  if (resume && restart) throw new Error('stack: --resume and --restart exclude each other: continue the run in --out, or start it afresh');
  if (!resume && !restart && existsSync(checkpointPath)) {
    throw new Error(`stack: ${out} already holds a run (${STACK_FILES.checkpoint}); pass --resume to continue it, --restart to start it afresh, or choose another --out`);
  }
  const resuming = resume && existsSync(checkpointPath);
  if (resume && !resuming) log(`no checkpoint in ${out} yet: starting a new run`);
  const stored = resuming ? StackCheckpointFile.readRun(checkpointPath) : null;
  // Flags left out keep the values the run was made with; the run they ask for is checked against it below.
  const asked: StackFlags = { ...stored?.record?.flags, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const first = asked.first ? await loadFirstStage(asked.first) : null;
  try {
    const specs = first?.config ?? { source: asked.source, target: asked.target };
    for (const key of ['source', 'target'] as const) if (!specs[key]) throw new Error(`stack: --${key} is required (a data spec such as fashion-mnist:bag)`);
    const images = await Promise.all([openImageSource(specs.source!), openImageSource(specs.target!)]);
    let config: StackConfig;
    let record: ReturnType<typeof stackRecord>;
    try {
      const grayscale = asked.channels === undefined && images.every((s) => s.channels === 1);
      const storedPreset = stored?.config.stages[stored.config.stages.length - 1].preset;
      config = resolveStackConfig(asked, storedPreset ?? preset, grayscale, first?.config);
      record = stackRecord(config, asked, { source: images[0], target: images[1] }, first, environment);
      const changed = stored ? checkStackResume(out, stored, record) : null;
      if (stored) log(changed ?? `resuming ${out} (${config.stages.length} stages)`);
      const removed = restart ? removeRunFiles(out, { command: 'stack', checkpoint: STACK_FILES.checkpoint, format: STACK_CHECKPOINT_FORMAT, entries: Object.values(STACK_FILES) }) : [];
      if (removed.length > 0) log(`--restart: removed the earlier run's ${removed.join(', ')} from ${out}`);
    } catch (error) {
      images.forEach((source) => source.close());
      throw error;
    }
    const last = config.stages[config.stages.length - 1];
    makeDir(join(out, STACK_FILES.stages));
    writeFileAtomic(join(out, STACK_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    if (!resuming) for (const name of [STACK_FILES.metrics, STACK_FILES.eval, STACK_FILES.events]) startJsonLines(join(out, name));

    const [sourceData, targetData] = images.map((source) => new ImageDataset(source, { size: last.size, channels: last.channels }));
    // The stages trained here (a --first run's stage is given): each one's memory plan.
    const given = first ? 1 : 0;
    const choice = { recompute: options.recompute ?? 'auto', microBatch: options.microBatch ?? 'auto' } as const;
    const memory = await planStageMemory(config.stages.slice(given), given, sourceData.shape, choice, log);
    const validation = await Validation.open(last.evalMetric, cacheDir);
    const x = gridBatch(sourceData);
    const y = gridBatch(targetData);
    try {
      const evaluate = async (map: TransportMap, at: { stage: number; step: number }): Promise<StackEvaluation> => {
        const { value, result } = await validation.evaluate(map, { source: sourceData, target: targetData, noiseStd: last.noiseStd, seed: last.seed + 6 });
        appendJsonLine(join(out, STACK_FILES.eval), { ...at, split: 'validation', metric: last.evalMetric, value, ...result });
        return { value, details: details(result) };
      };
      const summaryOf = (reports: readonly StageReport[], source: StackEvaluation | null): StackSummary => ({
        metric: last.evalMetric,
        depth: reports.find((r) => r.selected)?.stage ?? reports.length,
        source,
        stages: [...reports],
      });
      const result: TrainStackResult = await trainStack({
        source: new ImageSampler(sourceData, { split: 'train', seed: last.seed }),
        target: new ImageSampler(targetData, { split: 'train', seed: last.seed + 1 }),
        stages: config.stages.slice(given).map((stage, i) => stageOptions(stage, memory[i])),
        makeMap: (stage) => Object.assign(createMap(config.stages[stage - 1]), { recomputeActivations: memory[stage - 1 - given].recompute }),
        makePotential: (stage) => Object.assign(createPotential(config.stages[stage - 1]), { recomputeActivations: memory[stage - 1 - given].recompute }),
        start: first ? { maps: [first.map], potential: first.potential ?? undefined } : undefined,
        init: config.init,
        evaluate,
        evaluateEvery: last.evalEvery,
        margin: config.margin,
        pushforward: config.pushforward,
        noise: { std: last.noiseStd },
        seed: last.seed,
        store: new StackCheckpointFile(checkpointPath, config, record),
        runIdentity: record.identity,
        checkpointEvery: last.checkpointEvery,
        resume: resuming,
        signal: options.signal,
        guard: () => (options.guard === false ? false : new DivergenceGuard(options.guard)),
        onStageStart: (info) => options.onStageStart?.({ ...info, stages: config.stages.length }),
        onStep: (stage, report) => {
          appendJsonLine(join(out, STACK_FILES.metrics), { stage, ...report });
          options.onStep?.(stage, report);
        },
        onEvent: (stage, event) => {
          appendJsonLine(join(out, STACK_FILES.events), { stage, ...event });
          if (event.kind === 'collapse') {
            log(`warning: stage ${stage}, step ${event.step}: ${event.reason}`);
            return;
          }
          // The steps undone leave the metrics log.
          keepJsonLines<{ stage: number; step: number }>(join(out, STACK_FILES.metrics), (line) => line.stage !== stage || line.step <= event.restoredStep);
          log(`stage ${stage}, step ${event.step}: ${event.reason}; went back to step ${event.restoredStep}, learning rates now × ${event.learningRateScale}`);
        },
        onEvaluate: options.onEvaluate,
        onStageEnd: async ({ reports, source, stack }) => {
          const depth = reports.length;
          const configs = config.stages.slice(0, depth);
          await writeStackFile(join(out, STACK_FILES.stages, `stack-${depth}.safetensors`), configs, stack);
          const selected = reports.find((r) => r.selected)?.stage ?? depth;
          await writeStackFile(join(out, STACK_FILES.stack), configs.slice(0, selected), new Stack(stack.stages.slice(0, selected) as TransportMap[]));
          writeFileAtomic(join(out, STACK_FILES.grid), await stageGrid(stack.stages, x, y, last.noiseStd, last.seed + 5));
          const summary = summaryOf(reports, source);
          writeFileAtomic(join(out, STACK_FILES.plot), metricByDepthPlot(last.evalMetric, summary.source, reports));
          writeFileAtomic(join(out, STACK_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
          log(`stage ${depth} done: ${describe(reports[depth - 1])}; wrote ${join(STACK_FILES.stages, `stack-${depth}.safetensors`)}, ${STACK_FILES.grid}, ${STACK_FILES.plot}`);
        },
      });
      const summary = summaryOf(result.reports, result.sourceEvaluation);
      if (!result.interrupted && result.stack) {
        // The depth was chosen on validation; the figures to report come from the test split.
        const { value, result: tested } = await validation.evaluate(result.stack, { source: sourceData, target: targetData, noiseStd: last.noiseStd, seed: last.seed + 6 }, 'test');
        summary.test = { value, details: details(tested) };
        writeFileAtomic(join(out, STACK_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
      }
      result.maps.slice(first ? 1 : 0).forEach((m) => (m as { dispose?: () => void }).dispose?.());
      return { config, summary, interrupted: result.interrupted };
    } finally {
      tf.dispose([x, y]);
      validation.dispose();
      sourceData.source.close();
      targetData.source.close();
    }
  } finally {
    first?.map.dispose();
    first?.potential?.dispose();
  }
}

/**
 * A `not train` run as stage 1: its best map (else its last), and its potential for warm starts when its checkpoint has
 * one; `sha256` covers the files read, so that a resume can tell a changed run behind the same path.
 */
async function loadFirstStage(run: string): Promise<{ config: TrainConfig; map: TransportMap & { dispose(): void }; potential: ResNetPotential | null; sha256: string }> {
  const best = join(run, BEST_DIR, RUN_FILES.map);
  const mapFile = mapPath(existsSync(best) ? best : run);
  const { config, map } = await loadTrainedRunMap(mapFile);
  const checkpoint = join(run, RUN_FILES.checkpoint);
  const sha256 = sha256Files(existsSync(checkpoint) && checkpoint !== mapFile ? [mapFile, checkpoint] : [mapFile]);
  if (!existsSync(checkpoint)) return { config, map, potential: null, sha256 };
  const state = readCheckpointModule(checkpoint, 'potential');
  const potential = createPotential(config);
  try {
    potential.loadStateDict(state);
  } finally {
    tf.dispose(Object.values(state));
  }
  return { config, map, potential, sha256 };
}

/** One stage's trainStack settings from its `not train` configuration. */
function stageOptions(config: TrainConfig, memory: StepMemoryPlan): StageOptions {
  return {
    microBatch: memory.microBatch ?? undefined,
    steps: config.steps,
    cost: createCost(config).cost,
    batchSize: config.batchSize,
    tIters: config.tIters,
    ...optimizerSettings(config),
    mapAverage: mapAverageSettings(config),
    noise: { samples: config.noiseSamples },
  };
}

/**
 * The memory plan of each stage trained (planRunMemory on throwaway networks; stage numbers start after `given`),
 * measured once per distinct network layout and batch.
 */
async function planStageMemory(
  stages: readonly TrainConfig[],
  given: number,
  imageShape: readonly number[],
  choice: { recompute: RecomputeChoice; microBatch: MicroBatchChoice },
  log: (line: string) => void,
): Promise<StepMemoryPlan[]> {
  const plans = new Map<string, StepMemoryPlan>();
  const result: StepMemoryPlan[] = [];
  for (const [i, config] of stages.entries()) {
    const key = JSON.stringify([config.size, config.channels, config.cost, config.base, config.filters, config.maxFilters, config.batchSize, config.noiseSamples]);
    let plan = plans.get(key);
    if (!plan) {
      const nets = { map: createMap(config), potential: createPotential(config) };
      try {
        plan = await planRunMemory(config, nets, imageShape, choice);
      } finally {
        nets.map.dispose();
        nets.potential.dispose();
      }
      plans.set(key, plan);
      log(`memory, stage ${given + i + 1}: ${plan.reason}`);
    }
    result.push(plan);
  }
  return result;
}

/** The numbers of an evaluation worth a column in the summary. */
function details(result: EvalResult): Record<string, number> {
  const out: Record<string, number> = {};
  if (result.fid !== undefined) out.fid = result.fid;
  if (result.classifier) Object.assign(out, { classifierFd: result.classifier.frechet, targetShare: result.classifier.targetShare });
  if (result.cost !== undefined) out.cost = result.cost;
  return out;
}

/** A stage's row in words. */
export function describe(r: StageReport): string {
  const parts = [`${r.init}`, `${r.steps} steps`];
  if (r.value !== null) parts.push(`metric ${r.value.toFixed(2)} (step ${r.keptStep})`);
  if (r.details?.targetShare !== undefined) parts.push(`target-class share ${(100 * r.details.targetShare).toFixed(1)}%`);
  if (r.details?.cost !== undefined) parts.push(`cost ${r.details.cost.toFixed(4)}`);
  if (r.selected) parts.push('selected');
  return parts.join(', ');
}
