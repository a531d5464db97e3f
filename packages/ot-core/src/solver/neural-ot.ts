import * as tf from '@tensorflow/tfjs-core';
import { Adam, type AdamOptions } from '../optim/adam';
import { whileFrozen } from '../freeze';
import { moduleBuffers, restoringBuffers } from '../module-buffers';
import { Rng, type RngState } from '../rng';
import type { Potential, Sampler, StateDict, TransportCost, TransportMap } from '../types';
import { mapNoise, pushForward } from '../push-forward';
import { type NoisedPotentialOptions, addNoise, edmWeight, sampleSigmas } from './noise-levels';
import { type Divergence, DivergenceGuard, type DivergenceGuardOptions, type ModeCollapse } from './divergence-guard';

/** Settings of a {@link NeuralOT} solver: the networks, distributions and cost, then training hyper-parameters. */
export interface NeuralOTOptions {
  /** The transport map T being learned. Stochastic when its noiseShape is not null. */
  map: TransportMap;
  /** The potential f (the adversary). Noise-conditioned when `noisedPotential` is set. */
  potential: Potential;
  /** Source distribution P. */
  source: Sampler;
  /** Target distribution Q. */
  target: Sampler;
  /** Transport cost, e.g. quadraticCost() or weakQuadraticCost({ gamma }). */
  cost: TransportCost;
  /** Batch size for every T and f update. Default 64. */
  batchSize?: number;
  /** T updates per f update (K_T). Default 10. */
  tIters?: number;
  /** Adam settings for T. Default lr 1e-4, betas (0.9, 0.999), weight decay 1e-10 (the reference). */
  mapOptimizer?: AdamOptions;
  /** Adam settings for f. Same defaults. */
  potentialOptimizer?: AdamOptions;
  /** Noise of a stochastic map: `samples` draws per x in T steps (Z_SIZE, ≥ the cost's minSamples), std Z_STD. */
  noise?: {
    /** Draws per x in T updates (K). Default max(8, cost.minSamples) for a stochastic map; 1 (the only choice) otherwise. */
    samples?: number;
    /** Standard deviation of the map's Gaussian noise z. Default 0.1. */
    std?: number;
  };
  /** Train the noised-potential variant: f(y + σε, σ) with per-sample EDM weights. */
  noisedPotential?: NoisedPotentialOptions | boolean;
  /** Seed for the noise draws. Default 0. */
  seed?: number;
  /**
   * The most samples f takes in one pass under a gradient; default the whole batch (K·batchSize outputs in T
   * updates). Smaller holds less memory for the same gradients: f's passes are split and their gradients summed,
   * while T still maps the whole batch at once (its batch norm couples the samples), once more without a gradient.
   * Needs a potential that treats samples independently (no buffers such as batch-norm statistics).
   */
  microBatch?: number;
}

/** Losses of one outer step (K_T map updates and one potential update). */
export interface StepReport {
  /** 1-based index of the outer step just done. */
  step: number;
  /** Mean T loss over the step's K_T updates: E c(x, T(x)) − E f(T(x)). */
  mapLoss: number;
  /** Mean transport cost over the step's K_T updates. */
  cost: number;
  /** f loss of the step's update: E f(T(x)) − E f(y). Its negative estimates the dual objective gap. */
  potentialLoss: number;
  /**
   * How much T's outputs of the f update's batch vary, relative to the target batch: the mean over features of the
   * standard deviation across the batch, T(x)'s over y's. Near 0: the outputs are nearly identical (mode collapse).
   */
  diversity: number;
  /** Wall-clock seconds the step took. */
  seconds: number;
}

/** Arguments of {@link NeuralOT.fit}. */
export interface FitOptions {
  /** Outer steps to run (more when a guard undoes some). */
  steps: number;
  /** Called after each step kept; returning false stops. */
  onStep?: (report: StepReport) => boolean | void;
  /** Watch for divergence and mode collapse: a guard, or its options. Default: no guard. */
  guard?: DivergenceGuard | DivergenceGuardOptions;
  /** With a guard: steps between the in-memory copies of the state a divergence goes back to. Default 10. */
  snapshotEvery?: number;
  /** With a guard: hears of every rollback and mode collapse. */
  onEvent?: (event: GuardEvent) => void;
}

/** A divergence undone: the step it happened at, why, the step training went back to, and the new learning-rate scale. */
export type DivergenceEvent = {
  /** Marks the event as a rollback. */
  kind: 'divergence';
  /** The step training went back to; the steps after it are run again. */
  restoredStep: number;
  /** The factor both learning rates run at from now on (compounded over rollbacks). */
  learningRateScale: number;
} & Divergence;

/** What a guarded fit reports besides steps. */
export type GuardEvent = DivergenceEvent | CollapseEvent;

/** A mode collapse seen: reported only, training goes on. */
export type CollapseEvent = {
  /** Marks the event as a mode collapse. */
  kind: 'collapse';
} & ModeCollapse;

/** A solver's whole state at one step: what {@link NeuralOT.snapshot} copies and {@link NeuralOT.rollBack} goes back to. */
export interface SolverSnapshot {
  /** Copies of (or, from a checkpoint, the saved) {@link NeuralOT.stateDict} tensors. */
  state: StateDict;
  /** The step count and random-stream position that go with them. */
  progress: SolverProgress;
}

/** Where a solver stands, besides its tensors: with the state dict, enough to resume bit for bit. */
export interface SolverProgress {
  /** Outer steps done. */
  step: number;
  /** Position of the solver's noise stream, so that a resumed run draws the same noise. */
  rng: RngState;
  /** Updates T's Adam has applied (its bias correction and lr schedule depend on them). */
  mapOptimizerSteps: number;
  /** Updates f's Adam has applied. */
  potentialOptimizerSteps: number;
  /** The factor both learning rates run at (1 unless a divergence guard lowered them); absent in older checkpoints. */
  learningRateScale?: number;
}

/**
 * The Neural Optimal Transport solver (Korotin, Selikhanovych, Burnaev): the max–min problem
 *   sup_f inf_T  E_x[c(x, T(x)) − f(T(x))] + E_y[f(y)],
 * solved by alternating K_T Adam updates of T (fresh x batches, T in training mode) with one update of f
 * (fresh x and y, T in inference mode, as the reference's freeze() does).
 */
export class NeuralOT {
  /** The transport map T being trained (the caller owns it). */
  readonly map: TransportMap;
  /** The potential f being trained against T (the caller owns it). */
  readonly potential: Potential;
  /** Sampler of the source distribution P. */
  readonly source: Sampler;
  /** Sampler of the target distribution Q. */
  readonly target: Sampler;
  /** The transport cost c in T's loss. */
  readonly cost: TransportCost;
  /** Samples of x (and y) per update. */
  readonly batchSize: number;
  /** T updates per outer step (K_T). */
  readonly tIters: number;
  /** Outputs per x in T updates (K); 1 for a deterministic map. */
  readonly noiseSamples: number;
  /** Standard deviation of a stochastic map's noise z. */
  readonly noiseStd: number;
  /** Settings of the noised-potential variant, or null when it is off. */
  readonly noised: NoisedPotentialOptions | null;
  /** The most samples f takes in one pass under a gradient, or null for the whole batch. */
  readonly microBatch: number | null;
  /** Adam over T's variables. */
  readonly mapOptimizer: Adam;
  /** Adam over f's variables. */
  readonly potentialOptimizer: Adam;
  private readonly rng: Rng;
  private steps = 0;

  constructor(options: NeuralOTOptions) {
    const { map, potential, source, target, cost } = options;
    for (const [key, value] of Object.entries({ map, potential, source, target, cost })) {
      if (!value) throw new Error(`NeuralOT: option "${key}" is required`);
    }
    if (source.shape.join() !== target.shape.join()) {
      throw new Error(`NeuralOT: source samples have shape [${source.shape}] but target samples [${target.shape}]; they must match`);
    }
    this.map = map;
    this.potential = potential;
    this.source = source;
    this.target = target;
    this.cost = cost;
    this.batchSize = positiveInt('batchSize', options.batchSize ?? 64);
    this.tIters = positiveInt('tIters', options.tIters ?? 10);
    const stochastic = map.noiseShape(1) !== null;
    this.noiseSamples = positiveInt('noise.samples', options.noise?.samples ?? (stochastic ? Math.max(8, cost.minSamples) : 1));
    this.noiseStd = options.noise?.std ?? 0.1;
    if (!stochastic && cost.minSamples > 1) {
      throw new Error(`NeuralOT: cost "${cost.name}" needs K >= ${cost.minSamples} outputs per input, but the map is deterministic (noiseShape is null)`);
    }
    if (!stochastic && this.noiseSamples !== 1) {
      throw new Error(`NeuralOT: noise.samples must be 1 for a deterministic map, got ${this.noiseSamples}`);
    }
    if (this.noiseSamples < cost.minSamples) {
      throw new Error(`NeuralOT: cost "${cost.name}" needs K >= ${cost.minSamples} noise samples per input, got noise.samples = ${this.noiseSamples}`);
    }
    this.microBatch = options.microBatch === undefined ? null : positiveInt('microBatch', options.microBatch);
    const coupled = Object.keys(moduleBuffers(potential));
    if (this.microBatch !== null && coupled.length > 0) {
      throw new Error(
        `NeuralOT: microBatch splits f's batches, which needs a potential that treats samples independently; this one ` +
          `keeps buffers (${coupled.slice(0, 3).join(', ')}${coupled.length > 3 ? ', …' : ''}), as batch norm does`,
      );
    }
    this.noised = options.noisedPotential ? (options.noisedPotential === true ? {} : options.noisedPotential) : null;
    if (this.noised && !potential.noiseConditioned) {
      throw new Error('NeuralOT: noisedPotential needs a noise-conditioned potential (potential.noiseConditioned = true)');
    }
    const reference: AdamOptions = { lr: 1e-4, betas: [0.9, 0.999], weightDecay: 1e-10 };
    this.mapOptimizer = new Adam(map.variables, { ...reference, ...options.mapOptimizer });
    this.potentialOptimizer = new Adam(potential.variables, { ...reference, ...options.potentialOptimizer });
    this.rng = new Rng(options.seed ?? 0);
  }

  /** Outer steps done so far. */
  get step(): number {
    return this.steps;
  }

  /** One outer step: K_T updates of T, then one update of f. */
  trainStep(): StepReport {
    const started = performance.now();
    const context = { step: this.steps };
    let mapLoss = 0;
    let cost = 0;
    for (let i = 0; i < this.tIters; i++) {
      const [loss, c] = this.mapUpdate(context);
      mapLoss += loss;
      cost += c;
    }
    const [potentialLoss, diversity] = this.potentialUpdate();
    this.steps += 1;
    return {
      step: this.steps,
      mapLoss: mapLoss / this.tIters,
      cost: cost / this.tIters,
      potentialLoss,
      diversity,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * Runs `steps` outer steps, calling `onStep` after each; stops early when it returns false. With `guard`, a step
   * that diverges (see DivergenceGuard) is undone: the solver goes back to its state of at most `snapshotEvery` steps
   * before (kept in memory), its learning rates are lowered, `onEvent` hears of it, and the lost steps are run again;
   * mode collapse is reported through `onEvent` too. Returns the reports of the steps kept.
   */
  fit({ steps, onStep, guard, snapshotEvery = 10, onEvent }: FitOptions): StepReport[] {
    positiveInt('fit steps', steps);
    positiveInt('fit snapshotEvery', snapshotEvery);
    const watch = guard === undefined ? null : guard instanceof DivergenceGuard ? guard : new DivergenceGuard(guard);
    const end = this.steps + steps;
    let reports: StepReport[] = [];
    let snapshot = watch ? this.snapshot() : null;
    try {
      while (this.steps < end) {
        const report = this.trainStep();
        const divergence = watch?.inspect(report) ?? null;
        if (divergence && snapshot && watch) {
          // Not inside onEvent?.(…): an absent onEvent would skip the rollback with its arguments.
          const event = this.rollBack(watch, divergence, snapshot);
          onEvent?.(event);
          reports = reports.filter((r) => r.step <= this.steps);
          continue;
        }
        reports.push(report);
        const collapse = watch?.collapse(report);
        if (collapse) onEvent?.({ kind: 'collapse', ...collapse });
        if (snapshot && report.step % snapshotEvery === 0) {
          tf.dispose(Object.values(snapshot.state));
          snapshot = this.snapshot();
        }
        if (onStep?.(report) === false) break;
      }
    } finally {
      if (snapshot) tf.dispose(Object.values(snapshot.state));
    }
    return reports;
  }

  /**
   * Undoes a divergence `guard` judged: goes back to a state saved earlier (a snapshot or a checkpoint: stateDict and
   * progress) and lowers both learning rates by the guard's factor (compounding over rollbacks). Throws when the
   * guard's rollbacks are used up.
   */
  rollBack(guard: DivergenceGuard, divergence: Divergence, to: SolverSnapshot): DivergenceEvent {
    guard.rolledBack(to.progress.step, divergence);
    const scale = this.learningRateScale * guard.lrFactor;
    this.loadState(to.state, to.progress);
    this.setLearningRateScale(scale);
    return { kind: 'divergence', ...divergence, restoredStep: this.steps, learningRateScale: scale };
  }

  /** The factor both learning rates run at: 1 until a divergence guard lowers it. */
  get learningRateScale(): number {
    return this.mapOptimizer.lrScale;
  }

  /** Sets the factor both learning rates (schedules included) are multiplied by. */
  setLearningRateScale(scale: number): void {
    if (!(scale > 0)) throw new Error(`NeuralOT: the learning-rate scale must be > 0, got ${scale}`);
    this.mapOptimizer.lrScale = scale;
    this.potentialOptimizer.lrScale = scale;
  }

  /** A copy of the whole state to go back to (with {@link NeuralOT.rollBack} or loadState); the caller disposes its tensors. */
  snapshot(): SolverSnapshot {
    const state = Object.fromEntries(Object.entries(this.stateDict()).map(([k, v]) => [k, tf.clone(v)]));
    return { state, progress: this.progress() };
  }

  /** Maps x with T in inference mode (one noise draw per x for a stochastic map). The caller owns the result. */
  push(x: tf.Tensor, seed = this.rng.seed()): tf.Tensor {
    return pushForward(this.map, x, { noiseStd: this.noiseStd, seed });
  }

  /**
   * Every tensor a checkpoint needs, keyed `map.*`, `potential.*` (the networks' own state dicts, buffers included),
   * `mapOptimizer.*` and `potentialOptimizer.*`. Not copies.
   */
  stateDict(): StateDict {
    const parts: [string, StateDict][] = [
      ['map', this.map.stateDict()],
      ['potential', this.potential.stateDict()],
      ['mapOptimizer', this.mapOptimizer.stateDict()],
      ['potentialOptimizer', this.potentialOptimizer.stateDict()],
    ];
    return Object.fromEntries(parts.flatMap(([prefix, state]) => Object.entries(state).map(([k, v]) => [`${prefix}.${k}`, v])));
  }

  /** The step count and random-stream position that go with {@link stateDict}. */
  progress(): SolverProgress {
    return {
      step: this.steps,
      rng: this.rng.getState(),
      mapOptimizerSteps: this.mapOptimizer.steps,
      potentialOptimizerSteps: this.potentialOptimizer.steps,
      learningRateScale: this.learningRateScale,
    };
  }

  /** Restores a state saved by {@link NeuralOT.stateDict} and {@link NeuralOT.progress}; training then continues as if never stopped. */
  loadState(state: StateDict, progress: SolverProgress): void {
    const part = (prefix: string): StateDict =>
      Object.fromEntries(
        Object.entries(state)
          .filter(([k]) => k.startsWith(`${prefix}.`))
          .map(([k, v]) => [k.slice(prefix.length + 1), v]),
      );
    if (!(Number.isInteger(progress?.step) && progress.step >= 0)) {
      throw new Error(`NeuralOT.loadState: progress.step must be a non-negative integer, got ${progress?.step}`);
    }
    this.map.loadStateDict(part('map'));
    this.potential.loadStateDict(part('potential'));
    this.mapOptimizer.loadStateDict(part('mapOptimizer'), progress.mapOptimizerSteps);
    this.potentialOptimizer.loadStateDict(part('potentialOptimizer'), progress.potentialOptimizerSteps);
    this.rng.setState(progress.rng);
    this.steps = progress.step;
    this.setLearningRateScale(progress.learningRateScale ?? 1);
  }

  /** Frees the optimizer state (the networks belong to the caller). */
  dispose(): void {
    this.mapOptimizer.dispose();
    this.potentialOptimizer.dispose();
  }

  private mapUpdate(context: { step: number }): [number, number] {
    const x = this.source.sample(this.batchSize);
    const seeds = [this.rng.seed(), this.rng.seed(), this.rng.seed()];
    const values = tf.tidy(() => {
      const K = this.noiseSamples;
      const B = this.batchSize;
      const n = B * K;
      const xs = K === 1 ? x : repeatEach(x, K);
      const z = mapNoise(this.map, n, { noiseStd: this.noiseStd, seed: seeds[0] });
      const noise = this.potentialNoise(n, xs.shape, seeds);
      const mapped = () => this.map.apply(xs, z, { training: true });
      let costValue!: tf.Tensor;
      // The loss E c(x, T(x)) − E f(T(x)) (per output weighted by λ(σ), the output's own noise level, in the noised
      // variant) is a cost term over whole groups of K outputs minus f's term, a weighted mean that splits over outputs.
      const costTerm = (ys: tf.Tensor): tf.Scalar => {
        const perX = this.cost.evaluate(x, tf.reshape(ys, [B, K, ...x.shape.slice(1)]), context);
        costValue = tf.keep(tf.mean(perX));
        return noise ? tf.mean(tf.mul(noise.weight, K === 1 ? perX : tf.reshape(repeatEach(perX, K), [n]))) : tf.mean(perX);
      };
      // f is frozen here: only T's gradient is taken (a recomputing f skips its own parameters' gradients).
      const { value, grads } = whileFrozen(this.potential.variables, () => {
        const chunks = rowChunks(n, this.microBatch);
        if (chunks.length === 1) {
          return tf.variableGrads(() => {
            const ys = mapped();
            return tf.sub(costTerm(ys), this.potentialMean(ys, chunks[0], n, noise));
          }, this.map.variables);
        }
        // f in chunks: T(x) without a gradient first (its running statistics count once, below), then the loss's
        // gradient with respect to T(x), f's part chunk by chunk; then T's gradient from that, on the whole batch,
        // whose batch norm couples the samples.
        const ys = restoringBuffers(this.map, mapped);
        const cost = tf.valueAndGrad(costTerm)(ys);
        const parts = chunks.map((chunk) => tf.valueAndGrad((part: tf.Tensor) => this.potentialMean(part, chunk, n, noise))(rows(ys, ...chunk)));
        const gradOfYs = tf.sub(cost.grad, tf.concat(parts.map((p) => p.grad)));
        const result = tf.variableGrads(() => tf.sum(tf.mul(mapped(), gradOfYs)), this.map.variables);
        return { value: tf.sub(cost.value, tf.addN(parts.map((p) => p.value))), grads: result.grads };
      });
      this.mapOptimizer.apply(grads);
      const both = tf.stack([value, costValue]);
      costValue.dispose();
      return both;
    });
    x.dispose();
    const [loss, c] = values.dataSync();
    values.dispose();
    return [loss, c];
  }

  private potentialUpdate(): [number, number] {
    const x = this.source.sample(this.batchSize);
    const y = this.target.sample(this.batchSize);
    const seeds = [this.rng.seed(), this.rng.seed(), this.rng.seed()];
    const loss = tf.tidy(() => {
      const B = this.batchSize;
      // T(x) is computed outside the gradient scope: T is frozen (inference mode) during f updates.
      const tx = pushForward(this.map, x, { noiseStd: this.noiseStd, seed: seeds[0] });
      // The same σ and ε perturb T(x) and y in the noised variant, so the difference compares like with like.
      const noise = this.potentialNoise(B, tx.shape, seeds);
      // E f(T(x)) − E f(y), each a (weighted) mean over samples that splits into chunks of rows.
      const term = (batch: tf.Tensor, chunk: Rows) => this.potentialMean(rows(batch, ...chunk), chunk, B, noise);
      const chunks = rowChunks(B, this.microBatch);
      const passes =
        chunks.length === 1
          ? [() => tf.sub(term(tx, chunks[0]), term(y, chunks[0])) as tf.Scalar]
          : chunks.flatMap((chunk) => [() => term(tx, chunk), () => tf.neg(term(y, chunk)) as tf.Scalar]);
      const { value, grads } = accumulatedGrads(passes, this.potential.variables);
      this.potentialOptimizer.apply(grads);
      return tf.stack([value, tf.div(batchSpread(tx), batchSpread(y))]);
    });
    x.dispose();
    y.dispose();
    const [value, diversity] = loss.dataSync();
    loss.dispose();
    return [value, diversity];
  }

  /** The noised variant's σ and ε for n samples of the given shape, and each sample's weight λ(σ); else undefined. */
  private potentialNoise(n: number, shape: number[], seeds: number[]): PotentialNoise | undefined {
    if (!this.noised) return undefined;
    const sigma = sampleSigmas(n, seeds[1], this.noised);
    return { sigma, eps: tf.randomNormal(shape, 0, 1, 'float32', seeds[2]), weight: edmWeight(sigma, this.noised) };
  }

  /**
   * f's share of a loss: its mean over `part`, rows [start, start + count) of a batch of `total`, scaled by
   * count / total so that the shares of a batch's chunks add up to its mean. With noise, f sees each row perturbed
   * by its own σ and is weighted by λ(σ).
   */
  private potentialMean(part: tf.Tensor, [start, count]: Rows, total: number, noise?: PotentialNoise): tf.Scalar {
    const f = noise
      ? this.potential.apply(addNoise(part, rows(noise.sigma, start, count), rows(noise.eps, start, count)), {
          sigma: rows(noise.sigma, start, count),
        })
      : this.potential.apply(part);
    const mean = tf.mean(noise ? tf.mul(rows(noise.weight, start, count), f) : f) as tf.Scalar;
    return count === total ? mean : (tf.mul(mean, count / total) as tf.Scalar);
  }
}

/** The mean over features of the standard deviation across a batch's samples. */
function batchSpread(batch: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sqrt(tf.moments(batch, 0).variance));
}

/** The noised variant's perturbation of f's inputs: σ per sample, ε like the samples, and the loss weight λ(σ). */
interface PotentialNoise {
  sigma: tf.Tensor1D;
  eps: tf.Tensor;
  weight: tf.Tensor1D;
}

/** A range of rows of a batch: [first, count]. */
type Rows = [number, number];

/** Rows [0, n) in chunks of at most `size` (one chunk when size is null). */
function rowChunks(n: number, size: number | null): Rows[] {
  const step = size ?? n;
  return Array.from({ length: Math.ceil(n / step) }, (_, i): Rows => [i * step, Math.min(step, n - i * step)]);
}

/** Rows [start, start + count) of a batch. */
function rows<T extends tf.Tensor>(batch: T, start: number, count: number): T {
  return count === batch.shape[0] ? batch : tf.slice(batch, start, count);
}

/** The sum of several losses and of their gradients, one loss under a gradient tape at a time. */
function accumulatedGrads(losses: (() => tf.Scalar)[], variables: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  let total = tf.variableGrads(losses[0], variables);
  for (const loss of losses.slice(1)) {
    const next = tf.variableGrads(loss, variables);
    const sum = {
      value: tf.add(total.value, next.value) as tf.Scalar,
      grads: Object.fromEntries(Object.entries(total.grads).map(([k, g]) => [k, tf.add(g, next.grads[k])])),
    };
    tf.dispose([total.value, next.value, ...Object.values(total.grads), ...Object.values(next.grads)]);
    total = sum;
  }
  return total;
}

/** [B, ...] → [B·K, ...] with each row repeated K times in a row (x0, x0, …, x1, x1, …). */
function repeatEach(x: tf.Tensor, times: number): tf.Tensor {
  return tf.tidy(() => {
    const tail = x.shape.slice(1);
    const tiled = tf.tile(tf.expandDims(x, 1), [1, times, ...tail.map(() => 1)]);
    return tf.reshape(tiled, [x.shape[0] * times, ...tail]);
  });
}

function positiveInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`NeuralOT: ${name} must be a positive integer, got ${value}`);
  return value;
}
