import { type TrainConfig, type TrainCost, type TrainFlags, type TrainPreset, TRAIN_COSTS, resolveTrainConfig } from '../train/train-config';

/** How a new stage's map starts: from scratch (as the stacking studies did), as a copy of the last stage's, or near x ↦ x. */
export const STACK_INITS = ['fresh', 'previous', 'identity'] as const;
export type StackInit = (typeof STACK_INITS)[number];

export const PUSHFORWARD_MODES = ['auto', 'on-the-fly', 'cached'] as const;
export type PushforwardMode = (typeof PUSHFORWARD_MODES)[number];

/** Everything that decides a stacking run; stored in its checkpoint. */
export interface StackConfig {
  /** Each stage's settings, as `not train` has them (steps: the stage's steps). Stage 1's come from `first` when given. */
  stages: TrainConfig[];
  init: StackInit;
  /** Relative improvement of the validation metric a stage must bring for the next to be trained. */
  margin: number;
  pushforward: PushforwardMode;
  /** A `not train` run whose map is stage 1, frozen as it is. */
  first: string | null;
}

/** What a user may set: `not train`'s flags for every stage, and the stacking's own. */
export interface StackFlags extends TrainFlags {
  stageCount?: number;
  init?: StackInit;
  margin?: number;
  pushforward?: PushforwardMode;
  /** Cost of the last stage (default: the same as the others'), e.g. weak only at the end. */
  finalCost?: TrainCost;
  first?: string;
}

/**
 * Fills a stacking run's configuration: stage n gets `not train`'s settings from the flags and the preset, with its
 * own seed; with a first run, stage 1 is that run's and the data and image settings follow it.
 */
export function resolveStackConfig(flags: StackFlags, preset: TrainPreset, grayscale: boolean, first?: TrainConfig): StackConfig {
  const { stageCount = 3, init = 'fresh', margin = 0.01, pushforward = 'auto', finalCost, first: firstPath, ...train } = flags;
  const fail = (what: string) => {
    throw new Error(`stack: ${what}`);
  };
  if (!(Number.isInteger(stageCount) && stageCount >= (first ? 2 : 1))) fail(`--stages must be an integer >= ${first ? '2 with --first (which is stage 1)' : 1}, got ${stageCount}`);
  if (!(margin >= 0)) fail(`--margin must be >= 0, got ${margin}`);
  if (finalCost !== undefined && !TRAIN_COSTS.includes(finalCost)) fail(`--final-cost must be one of ${TRAIN_COSTS.join(', ')}, got "${finalCost}"`);
  let defaults: TrainFlags = {};
  if (first) {
    for (const key of ['source', 'target', 'size', 'channels'] as const) {
      if (train[key] !== undefined && train[key] !== first[key]) fail(`--${key} ${train[key]} differs from the first run's (${first[key]}); leave it out to follow the first run`);
    }
    // Later stages take the first run's networks and optimizer unless told otherwise; not its length or seed.
    const { preset: _preset, steps: _steps, seed: _seed, ...inherited } = first;
    defaults = inherited;
  }
  const given = Object.fromEntries(Object.entries(train).filter(([, v]) => v !== undefined)) as TrainFlags;
  const stages = Array.from({ length: stageCount }, (_, i) => {
    if (i === 0 && first) return first;
    const cost = i === stageCount - 1 && finalCost ? finalCost : (given.cost ?? defaults.cost);
    // The weak cost's settings (γ, noise) are the first run's only when it had the same cost.
    const { gamma: _g, gammaSteps: _gs, noiseSamples: _ns, noiseStd: _sd, ...costFree } = defaults;
    const flags = { ...(cost === defaults.cost ? defaults : costFree), ...given, cost };
    return resolveTrainConfig({ ...flags, seed: (flags.seed ?? 0) + i }, preset, grayscale);
  });
  return { stages, init, margin, pushforward, first: firstPath ?? null };
}
