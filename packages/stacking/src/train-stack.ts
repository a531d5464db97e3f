import * as tf from '@tensorflow/tfjs-core';
import {
  type AdamOptions,
  type CheckpointStore,
  type MapNoise,
  DivergenceGuard,
  type GuardEvent,
  NeuralOT,
  type Potential,
  type Sampler,
  type SolverProgress,
  type StateDict,
  type StepReport,
  type TransportCost,
  type TransportMap,
  type WeightAverageOptions,
  quadraticCost,
  train,
  cloneStateDict,
  disposeStateDict,
  joinStateDicts,
  stateDictPart,
} from '@not/ot-core';
import { selectDepth } from './depth-selection';
import { type FitIdentityOptions, fitIdentity } from './fit-identity';
import { identityMap } from './identity-map';
import { isIndexed, isResumable, pushforwardCached, pushforwardOnTheFly } from './pushforward-sampler';
import { type RunIdentity, describeDifferences, identityDifferences, isRunIdentity } from './run-identity';
import { Stack } from './stack';
import type { StackCheckpoint, StackRunState, StackStore } from './stack-store';
import type { PushforwardUse, StackEvaluation, StageInit, StageReport } from './stage-report';

/** Settings a stage may have; given at the top level they apply to every stage that does not set its own. */
export interface StageSettings {
  /** Default quadraticCost(). A weak cost needs a stochastic map from makeMap. */
  cost: TransportCost;
  /** How the stage's map starts (default 'fresh'): the potential is warm-started too unless 'fresh'. */
  init: Exclude<StageInit, 'given'>;
  /** Samples per T and f update (default 64). */
  batchSize: number;
  /** T updates per f update, K_T (default 10). */
  tIters: number;
  /** Adam settings of T; unset ones take NeuralOT's defaults (lr 1e-4, the reference's). */
  mapOptimizer: AdamOptions;
  /** Adam settings of the potential f; NeuralOT's defaults as for T. */
  potentialOptimizer: AdamOptions;
  /** Stochastic maps' noise: draws per input in a map update (default 8) and its standard deviation (default 0.1). */
  noise: Partial<MapNoise>;
  /** NeuralOT's microBatch: the most samples f takes per pass (same updates, less memory); default whole batches. */
  microBatch: number | undefined;
  /**
   * NeuralOT's mapAverage: a moving average of the stage's map, which its evaluations see and which the stage keeps
   * (default none).
   */
  mapAverage: WeightAverageOptions | undefined;
}

/** One stage to train: its length, and any settings of its own (over the top-level ones). */
export interface StageOptions extends Partial<StageSettings> {
  /** Outer NOT steps of the stage. */
  steps: number;
}

/** Options of {@link trainStack}; the StageSettings given here are the defaults of every stage. */
export interface TrainStackOptions extends Partial<StageSettings> {
  /** P: a resumable sampler (state/restore) for resume; an indexed one (ImageSampler) lets pushforwards be cached. */
  source: Sampler;
  /** Q. */
  target: Sampler;
  /** The stages to train, at most (depth selection may stop earlier). */
  stages: StageOptions[];
  /** A new, untrained map for stage `stage` (1-based); every stage's map must have the same architecture. */
  makeMap: (stage: number) => TransportMap;
  /** A new potential f for stage `stage` (1-based); warm-started from the last stage's unless init is 'fresh'. */
  makePotential: (stage: number) => Potential;
  /** Trained maps to start the stack with (e.g. a `not train` run), frozen as they are; they count as stages. */
  start?: {
    /** Stages 1 to n, in order; they stay the caller's to dispose. */
    maps: TransportMap[];
    /** The potential trained with the last of them, to warm-start the next stage (unless its init is 'fresh'). */
    potential?: Potential;
  };
  /**
   * Validation of a whole stack on held-out data (lower is better): called with the untranslated source (depth 0),
   * after every `evaluateEvery` steps of a stage and at its end. Each stage keeps its best-evaluated map.
   */
  evaluate?: (map: TransportMap, at: { stage: number; step: number }) => StackEvaluation | Promise<StackEvaluation>;
  /** Steps between evaluations within a stage (default 0: only at its end). */
  evaluateEvery?: number;
  /** Relative improvement a new stage must bring for the next one to be trained (default 0.01). */
  margin?: number;
  /** How a stage draws from the push-forward of P (default 'auto': cached when that needs fewer forward passes). */
  pushforward?: 'auto' | 'on-the-fly' | 'cached';
  /** The most memory a cached push-forward may take (default 1 GiB). */
  cacheLimitBytes?: number;
  /** Settings of the identity fit of init 'identity' (default: 100 steps of the stage's batch size, lr 1e-3). */
  identity?: FitIdentityOptions;
  /** Base seed of the noise draws (default 0); each stage derives its own from it. */
  seed?: number;
  /** Checkpoints: at every stage's start and end, and every `checkpointEvery` steps within a stage. */
  store?: StackStore;
  /** Steps between checkpoints within a stage (default: none, only at a stage's start and end and when stopped). */
  checkpointEvery?: number;
  /** Continue from the store's checkpoint (with the same options, the result equals an uninterrupted run's). */
  resume?: boolean;
  /**
   * What defines this run (a JSON value: e.g. its settings and hashes of its input files), saved with every
   * checkpoint; `resume` refuses a checkpoint whose identity differs (or that has none), listing the differences.
   * Leave out what may change on resume (stage lengths, how often to evaluate or checkpoint).
   */
  runIdentity?: RunIdentity;
  /** Stops the run after the step in progress, with a checkpoint to resume from. */
  signal?: AbortSignal;
  /** Before a stage's initialization (an identity fit takes a while) or its resumption from `step`. */
  onStageStart?: (info: { stage: number; steps: number; init: StageInit; pushforward: PushforwardUse; step: number }) => void;
  /** After every step that was kept (not undone by the guard), with its stage. */
  onStep?: (stage: number, report: StepReport) => void;
  /**
   * The guard that judges a stage's steps for divergence and mode collapse (default: a DivergenceGuard with its
   * default settings, new for each stage; false for none). A diverged step is undone: the stage goes back to its last checkpoint (or
   * its start) with lower learning rates.
   */
  guard?: (stage: number) => DivergenceGuard | false;
  /** Hears of every divergence undone and mode collapse seen, with the stage. */
  onEvent?: (stage: number, event: GuardEvent) => void;
  /** After every evaluation (stage 0: the source); `best` says whether it is the stage's best so far. */
  onEvaluate?: (at: { stage: number; step: number }, evaluation: StackEvaluation, best: boolean) => void;
  /**
   * After each stage: every stage's report so far (the last is the new one), the source's evaluation (depth 0), and
   * the stack of that depth (don't dispose it).
   */
  onStageEnd?: (end: { reports: readonly StageReport[]; source: StackEvaluation | null; stack: Stack }) => void | Promise<void>;
}

/** What {@link trainStack} returns. */
export interface TrainStackResult {
  /**
   * The selected stack: the best depth by the validation value, or every stage without an evaluate function; null
   * when interrupted before the first stage ended.
   */
  stack: Stack | null;
  /** Every stage's map, trained or given, in order (the caller disposes the ones it made). */
  maps: TransportMap[];
  /** Every finished stage's report, in order (given stages included). */
  reports: StageReport[];
  /** The untranslated source's evaluation (depth 0). */
  sourceEvaluation: StackEvaluation | null;
  /** Stages in the selected stack (0 when it is null). */
  depth: number;
  /** The signal stopped the run; resume continues it. */
  interrupted: boolean;
}

/** Transport costs averaged into a stage's report: the last steps', where the map has settled. */
const REPORT_COST_STEPS = 10;

/**
 * Stacking: trains NOT maps one after another, each carrying the push-forward of P through the stages before it
 * (frozen) to Q, with its cost measured from that push-forward. Evaluates every depth on held-out data through the
 * whole stack, stops when a stage does not improve the best depth by the margin, and keeps the best stack.
 * Checkpoints at every stage's end and within stages; a resumed run ends where an uninterrupted one would.
 */
export async function trainStack(options: TrainStackOptions): Promise<TrainStackResult> {
  const run = new StackRun(options);
  try {
    return await run.train();
  } catch (error) {
    run.disposeTrainedMaps();
    throw error;
  } finally {
    run.dispose();
  }
}

class StackRun {
  private readonly o: TrainStackOptions;
  private readonly startMaps: TransportMap[];
  private readonly total: number;
  private readonly maps: TransportMap[] = [];
  private state: StackRunState;
  /** The last finished stage's potential, for warm starts. */
  private potentialState: StateDict | null = null;
  private saved: StackCheckpoint | null = null;

  constructor(options: TrainStackOptions) {
    this.o = options;
    this.startMaps = options.start?.maps ?? [];
    this.total = this.startMaps.length + options.stages.length;
    check(options, this.total);
    this.state = {
      stage: 1,
      progress: null,
      samplers: { source: null, target: null },
      reports: [],
      sourceEvaluation: null,
      stageBest: null,
      stageCosts: [],
      stageSeconds: 0,
      done: false,
    };
  }

  async train(): Promise<TrainStackResult> {
    const o = this.o;
    if (o.resume) await this.restore();
    else await this.begin();
    let interrupted = false;
    while (!this.state.done) {
      interrupted = await this.trainStage();
      if (interrupted) break;
    }
    const depth = this.state.reports.find((r) => r.selected)?.stage ?? this.maps.length;
    return {
      stack: depth > 0 ? new Stack(this.maps.slice(0, depth)) : null,
      maps: [...this.maps],
      reports: this.state.reports,
      sourceEvaluation: this.state.sourceEvaluation,
      depth,
      interrupted,
    };
  }

  /** On failure: the maps the run made (given ones stay the caller's). */
  disposeTrainedMaps(): void {
    this.maps.slice(this.startMaps.length).forEach((map) => map.dispose());
  }

  dispose(): void {
    if (this.saved) disposeStateDict(this.saved.tensors);
    if (this.potentialState) disposeStateDict(this.potentialState);
  }

  /** A new run: evaluates the source and the given stages, which count as trained. */
  private async begin(): Promise<void> {
    const o = this.o;
    if (o.evaluate) {
      this.state.sourceEvaluation = await o.evaluate(identityMap(), { stage: 0, step: 0 });
      o.onEvaluate?.({ stage: 0, step: 0 }, this.state.sourceEvaluation, false);
    }
    for (const map of this.startMaps) {
      this.maps.push(map);
      const stage = this.maps.length;
      const evaluation = o.evaluate ? await o.evaluate(new Stack(this.maps), { stage, step: 0 }) : null;
      if (evaluation) o.onEvaluate?.({ stage, step: 0 }, evaluation, true);
      await this.finishStage({ stage, steps: 0, init: 'given', pushforward: 'none', evaluation, keptStep: 0, cost: null, seconds: 0 });
    }
    if (o.start?.potential) this.potentialState = cloneStateDict(o.start.potential.stateDict());
    if (this.maps.length === this.total) this.state.done = true;
    await this.checkpoint(null);
  }

  /** Rebuilds the run from the store's checkpoint. */
  private async restore(): Promise<void> {
    const o = this.o;
    if (!o.store) throw new Error('trainStack: resume needs a store to read the checkpoint from');
    const saved = await o.store.load();
    if (!saved) throw new Error('trainStack: resume was asked for, but the store holds no checkpoint');
    this.saved = saved;
    if (o.runIdentity !== undefined) {
      const differences = saved.state.identity === undefined ? null : identityDifferences(saved.state.identity, o.runIdentity);
      const what = differences ? `it is another run: ${describeDifferences(differences)} (stored → asked)` : 'its checkpoint records no runIdentity';
      if (!differences || differences.length > 0) throw new Error(`trainStack: resume refused, ${what}; start afresh (without resume, or with another store)`);
    }
    this.state = saved.state;
    const finished = this.state.reports.length;
    if (finished > this.total) throw new Error(`trainStack: the checkpoint has ${finished} stages, but these options have ${this.total}`);
    // The stages may be more or fewer than before: more extend a run that ended for want of stages (not one that depth
    // selection stopped); a stage in progress may be lengthened, not cut below the steps it has done.
    const stopped = Boolean(o.evaluate) && finished > 0 && selectDepth(this.state.reports.map((r) => r.value as number), o.margin ?? 0.01).stop;
    this.state.done = finished === this.total || stopped;
    const { stage, progress } = this.state;
    if (progress && (stage > this.total || progress.step > this.settings(stage).steps)) {
      const limit = stage > this.total ? `${this.total} stages` : `${this.settings(stage).steps} steps in stage ${stage}`;
      throw new Error(`trainStack: the checkpoint is at step ${progress.step} of stage ${stage}, beyond these options' ${limit}`);
    }
    for (let i = 0; i < finished; i++) {
      const map = i < this.startMaps.length ? this.startMaps[i] : this.o.makeMap(i + 1);
      map.loadStateDict(stateDictPart(saved.tensors, `stages.${i}`));
      this.maps.push(map);
    }
    const potential = stateDictPart(saved.tensors, 'potential');
    if (Object.keys(potential).length > 0) this.potentialState = cloneStateDict(potential);
  }

  /** Trains the stage `state.stage` (or continues it); returns true when the signal stopped it. */
  private async trainStage(): Promise<boolean> {
    const o = this.o;
    const stage = this.state.stage;
    const settings = this.settings(stage);
    const started = performance.now() - this.state.stageSeconds * 1000;
    const resuming = this.state.progress !== null ? this.saved : null;
    if (!resuming) this.restoreSamplers();
    const prefix = this.maps.length > 0 ? new Stack(this.maps) : null;
    const { sampler: source, use } = await this.stageSource(prefix, settings);
    const map = this.o.makeMap(stage);
    const potential = o.makePotential(stage);
    const solver = new NeuralOT({
      map,
      potential,
      source,
      target: o.target,
      cost: settings.cost,
      batchSize: settings.batchSize,
      tIters: settings.tIters,
      mapOptimizer: settings.mapOptimizer,
      potentialOptimizer: settings.potentialOptimizer,
      noise: map.noiseShape(1) ? { samples: settings.noise.samples ?? 8, std: settings.noise.std ?? 0.1 } : undefined,
      microBatch: settings.microBatch,
      mapAverage: settings.mapAverage,
      seed: (o.seed ?? 0) + 1000 * stage,
    });
    let best: StateDict | null = null;
    try {
      o.onStageStart?.({ stage, steps: settings.steps, init: settings.init, pushforward: use, step: resuming ? this.state.progress!.step : 0 });
      if (resuming) {
        solver.loadState(stateDictPart(resuming.tensors, 'solver'), this.state.progress!);
        this.restoreSamplers(source);
        if (this.state.stageBest) best = cloneStateDict(stateDictPart(resuming.tensors, 'best'));
      } else {
        await this.initialize(settings, map, potential, source, stage);
        solver.mapAverage?.restart(); // the average starts from the map as initialised, not from its fresh weights
        this.state.stageCosts = [];
        this.state.stageBest = null;
      }
      // Within a stage, a checkpoint holds the stack so far, the solver, the stage's best map and the samplers.
      const store: CheckpointStore<SolverProgress> | undefined = o.store && {
        save: async ({ tensors, state }) => {
          this.state.progress = state;
          this.state.stageSeconds = (performance.now() - started) / 1000;
          this.state.samplers = { source: stateOf(source), target: stateOf(o.target) };
          await this.checkpoint({ solver: tensors, ...(best ? { best } : {}) });
        },
        load: async () => {
          const saved = await o.store!.load();
          if (!saved?.state.progress) return null;
          const solverState = stateDictPart(saved.tensors, 'solver');
          tf.dispose(Object.values(saved.tensors).filter((t) => !Object.values(solverState).includes(t)));
          return { tensors: solverState, state: saved.state.progress };
        },
      };
      const { interrupted } = await train(solver, {
        steps: settings.steps,
        guard: o.guard?.(stage) ?? new DivergenceGuard(),
        store,
        checkpointEvery: o.checkpointEvery ?? Infinity,
        signal: o.signal,
        onStep: (report) => {
          o.onStep?.(stage, report);
          this.state.stageCosts.push(report.cost);
        },
        onEvent: (event) => {
          // Back to the checkpoint's step: its cost record too (one cost per step of the stage).
          if (event.kind === 'divergence') this.state.stageCosts.length = event.restoredStep;
          o.onEvent?.(stage, event);
        },
        evaluate: o.evaluate && {
          every: (o.evaluateEvery ?? 0) > 0 ? o.evaluateEvery! : settings.steps,
          run: (step) =>
            solver.withAveragedMap(async () => {
              const evaluation = await o.evaluate!(new Stack([...this.maps, map]), { stage, step });
              const previous = this.state.stageBest?.evaluation.value;
              const better = previous === undefined || evaluation.value < previous || Number.isNaN(previous);
              if (better) {
                this.state.stageBest = { step, evaluation };
                best = cloneReplacing(map.stateDict(), best);
              }
              o.onEvaluate?.({ stage, step }, evaluation, better);
            }),
        },
      });
      if (interrupted) return true;
      if (best) map.loadStateDict(best);
      else solver.mapAverage?.loadIntoModule();
      this.maps.push(map);
      this.potentialState = cloneReplacing(potential.stateDict(), this.potentialState);
      const costs = this.state.stageCosts.slice(-REPORT_COST_STEPS);
      await this.finishStage({
        stage,
        steps: settings.steps,
        init: settings.init,
        pushforward: use,
        evaluation: this.state.stageBest?.evaluation ?? null,
        keptStep: this.state.stageBest?.step ?? settings.steps,
        cost: costs.reduce((a, b) => a + b, 0) / costs.length,
        seconds: (performance.now() - started) / 1000,
      });
      await this.checkpoint(null);
      return false;
    } finally {
      if (!this.maps.includes(map)) map.dispose();
      solver.dispose();
      potential.dispose();
      if (best) disposeStateDict(best);
    }
  }

  /** Records a finished stage, selects the depth, and decides whether to go on. */
  private async finishStage(r: Omit<StageReport, 'value' | 'details' | 'selected'> & { evaluation: StackEvaluation | null }): Promise<void> {
    const { evaluation, ...rest } = r;
    const reports = this.state.reports;
    reports.push({ ...rest, value: evaluation?.value ?? null, ...(evaluation?.details ? { details: evaluation.details } : {}), selected: false });
    const decision = this.o.evaluate ? selectDepth(reports.map((x) => x.value as number), this.o.margin ?? 0.01) : { depth: reports.length, stop: false };
    reports.forEach((x) => (x.selected = x.stage === decision.depth));
    this.state.stage = r.stage + 1;
    this.state.progress = null;
    this.state.stageBest = null;
    this.state.stageSeconds = 0;
    this.state.done = decision.stop || reports.length === this.total;
    await this.o.onStageEnd?.({ reports, source: this.state.sourceEvaluation, stack: new Stack(this.maps) });
  }

  /** The stage's map and potential before training, by its init. */
  private async initialize({ init, batchSize, noise }: StageSettings, map: TransportMap, potential: Potential, source: Sampler, stage: number): Promise<void> {
    const previous = this.maps[this.maps.length - 1];
    if (init === 'previous' && previous) {
      try {
        map.loadStateDict(previous.stateDict());
      } catch (error) {
        throw new Error(`trainStack: init "previous" copies stage ${stage - 1}'s map into stage ${stage}'s, but they differ (${(error as Error).message}); use init "fresh" or "identity" there`);
      }
    }
    if (init === 'identity') {
      const seed = (this.o.seed ?? 0) + 1000 * stage + 7;
      await fitIdentity(map, source, { batchSize, noise, seed, ...this.o.identity });
    }
    if (init !== 'fresh' && this.potentialState) potential.loadStateDict(this.potentialState);
  }

  /** Stage 1 draws P itself; later stages draw P pushed through the frozen stages, cached when that is cheaper. */
  private async stageSource(prefix: Stack | null, s: StageSettings & { steps: number }): Promise<{ sampler: Sampler; use: PushforwardUse }> {
    const o = this.o;
    if (!prefix) return { sampler: o.source, use: 'none' };
    const pushOptions = { noise: o.noise, seed: (o.seed ?? 0) + 1000 * this.state.stage + 5, batchSize: s.batchSize };
    const mode = o.pushforward ?? 'auto';
    const source = o.source;
    if (!isIndexed(source)) {
      if (mode === 'cached') throw new Error('trainStack: pushforward "cached" needs an indexed source (length, nextIndices, batchAt), such as an ImageSampler');
      return { sampler: pushforwardOnTheFly(source, prefix, pushOptions), use: 'on-the-fly' };
    }
    // Caching pushes every item once; on the fly pushes every draw, (K_T + 1) batches per step, but gives a
    // stochastic stack fresh noise per draw.
    const draws = s.steps * (s.tIters + 1) * s.batchSize;
    const bytes = source.length * source.shape.reduce((a, b) => a * b, 1) * 4;
    const cheaper = source.length < draws && bytes <= (o.cacheLimitBytes ?? 2 ** 30) && prefix.noiseShape(1) === null;
    const sampler = mode === 'cached' || (mode === 'auto' && cheaper) ? await pushforwardCached(source, prefix, pushOptions) : pushforwardOnTheFly(source, prefix, pushOptions);
    return { sampler, use: sampler.mode };
  }

  private settings(stage: number): StageSettings & { steps: number } {
    const o = this.o;
    const own = o.stages[stage - this.startMaps.length - 1];
    return {
      cost: own.cost ?? o.cost ?? quadraticCost(),
      init: own.init ?? o.init ?? 'fresh',
      batchSize: own.batchSize ?? o.batchSize ?? 64,
      tIters: own.tIters ?? o.tIters ?? 10,
      mapOptimizer: own.mapOptimizer ?? o.mapOptimizer ?? {},
      potentialOptimizer: own.potentialOptimizer ?? o.potentialOptimizer ?? {},
      noise: { ...o.noise, ...own.noise },
      microBatch: own.microBatch ?? o.microBatch,
      mapAverage: own.mapAverage ?? o.mapAverage,
      steps: own.steps,
    };
  }

  /** At a stage boundary P and Q's states are saved; within a stage, the stage's push-forward's (and Q's). */
  private restoreSamplers(stageSource?: Sampler): void {
    const { source, target } = this.state.samplers;
    if (source === null) return;
    const s = stageSource ?? this.o.source;
    if (isResumable(s)) s.restore(source);
    if (isResumable(this.o.target)) this.o.target.restore(target);
  }

  private async checkpoint(extra: Record<string, StateDict> | null): Promise<void> {
    const o = this.o;
    if (!o.store) return;
    if (!extra) this.state.samplers = { source: stateOf(o.source), target: stateOf(o.target) };
    const tensors = joinStateDicts([
      ...this.maps.map((map, i) => [`stages.${i}`, map.stateDict()] as const),
      ...(this.potentialState ? [['potential', this.potentialState] as const] : []),
      ...Object.entries(extra ?? {}),
    ]);
    if (o.runIdentity !== undefined) this.state.identity = o.runIdentity;
    await o.store.save({ tensors, state: this.state });
  }
}

function check(o: TrainStackOptions, total: number): void {
  const fn = 'trainStack';
  for (const key of ['source', 'target', 'makeMap', 'makePotential'] as const) {
    if (!o[key]) throw new Error(`${fn}: option "${key}" is required`);
  }
  if (!Array.isArray(o.stages)) throw new Error(`${fn}: stages must be an array of { steps, ... }, got ${typeof o.stages}`);
  if (total < 1) throw new Error(`${fn}: needs at least one stage (stages or start.maps)`);
  o.stages.forEach((s, i) => {
    if (!(Number.isInteger(s?.steps) && s.steps >= 1)) throw new Error(`${fn}: stages[${i}].steps must be a positive integer, got ${s?.steps}`);
  });
  if (o.resume && ![o.source, o.target].every(isResumable)) {
    throw new Error(`${fn}: resume needs resumable source and target samplers (with state() and restore())`);
  }
  if (o.runIdentity !== undefined && !isRunIdentity(o.runIdentity)) throw new Error(`${fn}: runIdentity must be a JSON value (plain objects, arrays, finite numbers, strings, booleans, null)`);
  if (o.evaluateEvery !== undefined && !(Number.isInteger(o.evaluateEvery) && o.evaluateEvery >= 0)) {
    throw new Error(`${fn}: evaluateEvery must be an integer >= 0, got ${o.evaluateEvery}`);
  }
}

function stateOf(sampler: Sampler): unknown {
  return isResumable(sampler) ? sampler.state() : null;
}

/** Copies of a state's tensors, disposing `replaced` (the copies they take the place of). */
function cloneReplacing(state: StateDict, replaced: StateDict | null): StateDict {
  const copy = cloneStateDict(state);
  if (replaced) disposeStateDict(replaced);
  return copy;
}
