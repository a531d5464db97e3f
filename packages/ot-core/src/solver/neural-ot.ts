import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt } from '../checks';
import { joinStateDicts, stateDictPart } from '../state-dict';
import { Adam, type AdamOptions } from '../optim/adam';
import { moduleBuffers } from '../module-buffers';
import { Rng } from '../rng';
import type { Potential, Sampler, StateDict, TransportCost, TransportMap } from '../types';
import { pushForward } from '../push-forward';
import { train } from '../training/train';
import type { FitOptions, MapNoise, NeuralOTOptions } from './neural-ot-options';
import type { NoisedPotentialOptions } from './noise-levels';
import { type LossSetup, batchSpread, mapLoss, potentialLoss } from './losses';
import type { SolverProgress, StepReport } from './step-report';
import { WeightAverage } from './weight-average';

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
  /** The map's noise: outputs per x in T updates (1 for a deterministic map) and the standard deviation of z. */
  readonly noise: Readonly<MapNoise>;
  /** Settings of the noised-potential variant, or null when it is off. */
  readonly noised: NoisedPotentialOptions | null;
  /** The most samples f takes in one pass under a gradient, or null for the whole batch. */
  readonly microBatch: number | null;
  /** Adam over T's variables. */
  readonly mapOptimizer: Adam;
  /** Adam over f's variables. */
  readonly potentialOptimizer: Adam;
  /** The moving average of T's weights, or null when the options asked for none. */
  readonly mapAverage: WeightAverage | null;
  private readonly rng: Rng;
  private readonly losses: LossSetup;
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
    this.batchSize = checkPositiveInt('NeuralOT', 'batchSize', options.batchSize ?? 64);
    this.tIters = checkPositiveInt('NeuralOT', 'tIters', options.tIters ?? 10);
    const stochastic = map.noiseShape(1) !== null;
    const samples = checkPositiveInt('NeuralOT', 'noise.samples', options.noise?.samples ?? (stochastic ? Math.max(8, cost.minSamples) : 1));
    this.noise = { samples, std: options.noise?.std ?? 0.1 };
    if (!stochastic && cost.minSamples > 1) {
      throw new Error(`NeuralOT: cost "${cost.name}" needs K >= ${cost.minSamples} outputs per input, but the map is deterministic (noiseShape is null)`);
    }
    if (!stochastic && samples !== 1) {
      throw new Error(`NeuralOT: noise.samples must be 1 for a deterministic map, got ${samples}`);
    }
    if (samples < cost.minSamples) {
      throw new Error(`NeuralOT: cost "${cost.name}" needs K >= ${cost.minSamples} noise samples per input, got noise.samples = ${samples}`);
    }
    this.microBatch = options.microBatch === undefined ? null : checkPositiveInt('NeuralOT', 'microBatch', options.microBatch);
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
    this.mapAverage = options.mapAverage ? new WeightAverage(map, options.mapAverage) : null;
    this.losses = { map, potential, cost, samples, std: this.noise.std, microBatch: this.microBatch, noised: this.noised };
  }

  /** Outer steps done so far. */
  get step(): number {
    return this.steps;
  }

  /**
   * One outer step: K_T updates of T, then one update of f. Nothing in it reads the device but its end, where the
   * losses and statistics of all its updates come back together.
   */
  async trainStep(): Promise<StepReport> {
    const started = performance.now();
    const context = { step: this.steps };
    const values: tf.Tensor[] = [];
    let read: Float32Array;
    try {
      for (let i = 0; i < this.tIters; i++) values.push(this.mapUpdate(context));
      values.push(this.potentialUpdate());
      const all = tf.stack(values);
      try {
        read = (await all.data()) as Float32Array;
      } finally {
        all.dispose();
      }
    } finally {
      tf.dispose(values);
    }
    let mapLoss = 0;
    let cost = 0;
    for (let i = 0; i < this.tIters; i++) {
      mapLoss += read[2 * i];
      cost += read[2 * i + 1];
    }
    this.mapAverage?.update();
    this.steps += 1;
    return {
      step: this.steps,
      mapLoss: mapLoss / this.tIters,
      cost: cost / this.tIters,
      potentialLoss: read[2 * this.tIters],
      diversity: read[2 * this.tIters + 1],
      seconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * Runs `steps` more outer steps on the training loop ({@link train}): guarded against divergence (by default),
   * checkpointed in memory for rollbacks unless a store is given, stoppable by `signal`. Resolves to the reports of
   * the steps kept.
   */
  async fit(options: FitOptions): Promise<StepReport[]> {
    checkPositiveInt('NeuralOT.fit', 'steps', options.steps);
    const { reports } = await train(this, { ...options, steps: this.steps + options.steps });
    return reports;
  }

  /** The factor both learning rates run at: 1 until a divergence guard lowers it. */
  get learningRateScale(): number {
    return this.mapOptimizer.learningRateScale;
  }

  /** Sets the factor both learning rates (schedules included) are multiplied by. */
  setLearningRateScale(scale: number): void {
    if (!(scale > 0)) throw new Error(`NeuralOT: the learning-rate scale must be > 0, got ${scale}`);
    this.mapOptimizer.learningRateScale = scale;
    this.potentialOptimizer.learningRateScale = scale;
  }

  /**
   * Maps x with T in inference mode (one noise draw per x for a stochastic map, from `seed`, by default the next of
   * the solver's noise stream). The caller owns the result.
   */
  push(x: tf.Tensor, { seed = this.rng.seed() }: { seed?: number } = {}): tf.Tensor {
    return pushForward(this.map, x, { std: this.noise.std, seed });
  }

  /**
   * Runs `f` with T holding its averaged weights when the solver keeps an average (else as it is), then puts T's own
   * weights back: what samples, evaluation and export should see.
   */
  async withAveragedMap<R>(f: () => R | Promise<R>): Promise<R> {
    return this.mapAverage ? this.mapAverage.applied(f) : f();
  }

  /**
   * Every tensor a checkpoint needs, keyed `map.*`, `potential.*` (the networks' own state dicts, buffers included),
   * `mapOptimizer.*` and `potentialOptimizer.*`. Not copies.
   */
  stateDict(): StateDict {
    return joinStateDicts([
      ['map', this.map.stateDict()],
      ['potential', this.potential.stateDict()],
      ['mapOptimizer', this.mapOptimizer.stateDict()],
      ['potentialOptimizer', this.potentialOptimizer.stateDict()],
      ...(this.mapAverage ? [['mapAverage', this.mapAverage.stateDict()] as const] : []),
    ]);
  }

  /** The step count and random-stream position that go with {@link stateDict}. */
  progress(): SolverProgress {
    return {
      step: this.steps,
      rng: this.rng.getState(),
      mapOptimizerSteps: this.mapOptimizer.steps,
      potentialOptimizerSteps: this.potentialOptimizer.steps,
      learningRateScale: this.learningRateScale,
      ...(this.mapAverage ? { mapAverageSteps: this.mapAverage.steps } : {}),
    };
  }

  /** Restores a state saved by {@link NeuralOT.stateDict} and {@link NeuralOT.progress}; training then continues as if never stopped. */
  loadState(state: StateDict, progress: SolverProgress): void {
    const part = (prefix: string): StateDict => stateDictPart(state, prefix);
    if (!(Number.isInteger(progress?.step) && progress.step >= 0)) {
      throw new Error(`NeuralOT.loadState: progress.step must be a non-negative integer, got ${progress?.step}`);
    }
    this.map.loadStateDict(part('map'));
    this.potential.loadStateDict(part('potential'));
    this.mapOptimizer.loadStateDict(part('mapOptimizer'), progress.mapOptimizerSteps);
    this.potentialOptimizer.loadStateDict(part('potentialOptimizer'), progress.potentialOptimizerSteps);
    if (this.mapAverage) {
      if (progress.mapAverageSteps === undefined) throw new Error('NeuralOT.loadState: the solver keeps a map average, but the saved state has none');
      this.mapAverage.loadStateDict(part('mapAverage'), progress.mapAverageSteps);
    }
    this.rng.setState(progress.rng);
    this.steps = progress.step;
    this.setLearningRateScale(progress.learningRateScale ?? 1);
  }

  /** Frees the optimizer state and the map average (the networks belong to the caller). */
  dispose(): void {
    this.mapOptimizer.dispose();
    this.potentialOptimizer.dispose();
    this.mapAverage?.dispose();
  }

  /** One update of T; returns [loss, cost] on the device. */
  private mapUpdate(context: { step: number }): tf.Tensor {
    const x = this.source.sample(this.batchSize);
    const seeds = [this.rng.seed(), this.rng.seed(), this.rng.seed()];
    try {
      return tf.tidy(() => {
        const { value, grads, cost } = mapLoss(this.losses, x, seeds, context);
        this.mapOptimizer.apply(grads);
        const both = tf.stack([value, cost]);
        cost.dispose();
        return both;
      });
    } finally {
      x.dispose();
    }
  }

  /** One update of f; returns [loss, diversity] on the device. */
  private potentialUpdate(): tf.Tensor {
    const x = this.source.sample(this.batchSize);
    const y = this.target.sample(this.batchSize);
    const seeds = [this.rng.seed(), this.rng.seed(), this.rng.seed()];
    try {
      return tf.tidy(() => {
        const { value, grads, mapped } = potentialLoss(this.losses, x, y, seeds);
        this.potentialOptimizer.apply(grads);
        return tf.stack([value, tf.div(batchSpread(mapped), batchSpread(y))]);
      });
    } finally {
      x.dispose();
      y.dispose();
    }
  }
}
