import type { TrainFlags } from '../train/train-config';

/** Tiny networks on the embedded Fashion-MNIST subset: seconds per training run in tests. */
export const TINY_TRAIN_FLAGS: TrainFlags = {
  source: 'fashion-mnist:bag',
  target: 'fashion-mnist:shoes',
  size: 16,
  steps: 4,
  batchSize: 4,
  tIters: 2,
  base: 4,
  filters: 4,
  maxFilters: 8,
  sampleEvery: 2,
  checkpointEvery: 2,
  seed: 7,
};
