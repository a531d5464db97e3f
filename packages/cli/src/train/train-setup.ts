// What a `not train` run builds from its configuration: its networks, cost, optimizers and grid images. No file
// access here, so that the browser demo trains exactly what `not train` trains (published as @not/cli/train-setup).
import type * as tf from '@tensorflow/tfjs-core';
import { type AdamOptions, type Scheduled, type TransportCost, type WeightAverageOptions, cosineDecay, linearRamp, quadraticCost, weakQuadraticCost } from '@not/ot-core';
import type { ImageDataset } from '@not/datasets';
import { ResNetPotential, UNetMap } from '@not/nets';
import type { TrainConfig } from './train-config';

/** Columns of the sample grids: fixed test images, spread over the test splits. */
const GRID_COLUMNS = 10;

/** The run's transport map T (one noise channel for the weak cost, as the reference), freshly initialised. */
export function createMap(config: TrainConfig): UNetMap {
  return new UNetMap({ channels: config.channels, noiseChannels: config.cost === 'weak' ? 1 : 0, base: config.base, size: config.size, seed: config.seed + 2 });
}

/** The run's potential f, freshly initialised. */
export function createPotential(config: TrainConfig): ResNetPotential {
  return new ResNetPotential({ size: config.size, channels: config.channels, filters: config.filters, maxFilters: config.maxFilters, seed: config.seed + 3 });
}

/** The run's cost, and its γ schedule (0 throughout for the strong cost). */
export function createCost(config: TrainConfig): { cost: TransportCost; gamma: (step: number) => number } {
  if (config.cost !== 'weak') return { cost: quadraticCost(), gamma: () => 0 };
  const gamma = linearRamp({ from: 0, to: config.gamma, steps: config.gammaSteps });
  return { cost: weakQuadraticCost({ gamma }), gamma };
}

/** Adam settings of T and f. Each optimizer counts its own updates: K_T map updates per outer step, one potential update. */
export function optimizerSettings(config: TrainConfig): { mapOptimizer: AdamOptions; potentialOptimizer: AdamOptions } {
  return {
    mapOptimizer: { lr: learningRate(config, config.steps * config.tIters), betas: [config.beta1, config.beta2] },
    potentialOptimizer: { lr: learningRate(config, config.steps), betas: [config.beta1, config.beta2] },
  };
}

/** The moving average of T's weights the run keeps (NeuralOT's mapAverage), or undefined for none. */
export function mapAverageSettings(config: TrainConfig): WeightAverageOptions | undefined {
  return config.emaDecay > 0 ? { decay: config.emaDecay } : undefined;
}

/**
 * 'cosine': a linear warm-up over the first 10% of the updates, then a cosine decay to 5%. At the CPU preset's high
 * rate, the first updates otherwise let T run off along directions where the young potential is unbounded.
 */
function learningRate(config: TrainConfig, updates: number): Scheduled {
  if (config.lrDecay === 'none') return config.lr;
  const decay = cosineDecay({ peak: config.lr, steps: updates });
  const warmup = Math.max(1, Math.round(updates / 10));
  return (step) => Math.min(1, (step + 1) / warmup) * decay(step);
}

/** Fixed images for the sample grids, spread evenly over the test split. */
export function gridBatch(data: ImageDataset): tf.Tensor4D {
  if (data.testCount === 0) throw new Error(`train: ${data.source.name} has no test images to draw sample grids from (it holds ${data.count})`);
  return data.batch('test', gridIndices(data.testCount));
}

/** Indices into a test split of `testCount` images of the sample grids' columns (at most 10, evenly spread). */
export function gridIndices(testCount: number): number[] {
  const n = Math.min(GRID_COLUMNS, testCount);
  return Array.from({ length: n }, (_, i) => Math.floor((i * testCount) / n));
}
