// @not/cli/train-setup: the part of `not train` that needs no files, for programs that train as it does elsewhere
// (the browser demo): its configuration and presets, and the networks, cost, optimizers and grid images it builds.
export {
  resolveTrainConfig,
  TRAIN_COSTS,
  TRAIN_PRESETS,
  LR_DECAYS,
  type TrainConfig,
  type TrainFlags,
  type TrainPreset,
  type TrainCost,
  type LrDecay,
} from './train/train-config';
export { createMap, createPotential, createCost, optimizerSettings, mapAverageSettings, gridBatch, gridIndices } from './train/train-setup';
