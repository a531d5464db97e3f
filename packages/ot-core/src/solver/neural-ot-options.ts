import type { AdamOptions } from '../optim/adam';
import type { TrainOptions } from '../training/train';
import type { Potential, Sampler, TransportCost, TransportMap } from '../types';
import type { NoisedPotentialOptions } from './noise-levels';
import type { WeightAverageOptions } from './weight-average';

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
  noise?: Partial<MapNoise>;
  /** Train the noised-potential variant: f(y + σε, σ) with per-sample EDM weights. */
  noisedPotential?: NoisedPotentialOptions | boolean;
  /**
   * Keep an exponential moving average of T's weights, updated after every outer step (off by default); the training
   * loop's users sample, evaluate and export it (see {@link WeightAverage}).
   */
  mapAverage?: WeightAverageOptions;
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

/** A stochastic map's noise: draws per x in T updates (K) and the standard deviation of z. */
export interface MapNoise {
  /** Draws per x in T updates (K). Default max(8, cost.minSamples) for a stochastic map; 1 (the only choice) otherwise. */
  samples: number;
  /** Standard deviation of the map's Gaussian noise z. Default 0.1. */
  std: number;
}

/**
 * Arguments of {@link NeuralOT.fit}: the training loop's options (see {@link train}), except that `steps` counts
 * the steps to run now rather than the run's length.
 */
export type FitOptions = TrainOptions;
