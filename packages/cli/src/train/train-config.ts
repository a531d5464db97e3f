/** The costs `not train` offers: the strong quadratic cost (a one-to-one map) or the γ-weak one (one-to-many). */
export const TRAIN_COSTS = ['strong', 'weak'] as const;
export type TrainCost = (typeof TRAIN_COSTS)[number];

/** Hyper-parameter sets: the reference notebooks' ('reference', for a GPU) or one sized for a CPU ('cpu'). */
export const TRAIN_PRESETS = ['reference', 'cpu'] as const;
export type TrainPreset = (typeof TRAIN_PRESETS)[number];

/** How the learning rate moves: constant (the reference) or, after a 10% warm-up, a cosine decay to 5% of itself. */
export const LR_DECAYS = ['none', 'cosine'] as const;
export type LrDecay = (typeof LR_DECAYS)[number];

/** What a run evaluates on the validation split to keep its best map: FID (Inception) or the Fashion-MNIST classifier's FD. */
export const EVAL_SELECTIONS = ['fid', 'classifier'] as const;
export type EvalSelection = (typeof EVAL_SELECTIONS)[number];

/** Everything that decides a training run; stored in each checkpoint so that a resume and `not translate` rebuild it. */
export interface TrainConfig {
  source: string;
  target: string;
  /** Square image side the networks see (a power of two ≥ 16). */
  size: number;
  /** Image channels the networks see: 1 for a pair of grayscale sets (the default there), else 3. */
  channels: 1 | 3;
  cost: TrainCost;
  /** Final γ of the weak cost, reached by a linear ramp from 0 over `gammaSteps` outer steps. */
  gamma: number;
  gammaSteps: number;
  steps: number;
  batchSize: number;
  /** T updates per f update (K_T). */
  tIters: number;
  /** Adam learning rate of T and f. */
  lr: number;
  lrDecay: LrDecay;
  /** Adam's β₁ for T and f (0.9 in the reference): how long the steps keep their momentum. */
  beta1: number;
  /** Adam's β₂ for T and f (0.999 in the reference): how long one gradient spike keeps shrinking the steps. */
  beta2: number;
  /**
   * Decay of the exponential moving average of T's weights (with warm-up) that samples, evaluation, best-map keeping
   * and T.safetensors use; 0: none (the reference keeps none).
   */
  emaDecay: number;
  /** UNet base width (48 in the reference). */
  base: number;
  /** ResNet potential's first width and cap (64 and 512 in the reference). */
  filters: number;
  maxFilters: number;
  /** Weak cost: noise draws per x in a T update (Z_SIZE) and the noise's standard deviation (Z_STD). */
  noiseSamples: number;
  noiseStd: number;
  seed: number;
  /** Outer steps between sample grids and between checkpoints. */
  sampleEvery: number;
  checkpointEvery: number;
  /** Outer steps between evaluations on the validation split (0: none); the best map so far is kept in best/. */
  evalEvery: number;
  evalMetric: EvalSelection;
  preset: TrainPreset;
}

/** What a user may set on the command line; anything left out comes from the preset. */
export type TrainFlags = Partial<Omit<TrainConfig, 'preset'>>;

/** Presets leave the channels to the data (see {@link resolveTrainConfig}). */
type PresetValues = Omit<TrainConfig, 'source' | 'target' | 'cost' | 'seed' | 'preset' | 'channels' | 'evalEvery' | 'evalMetric'>;

/** The notebooks' settings (REFERENCE.md §1(c)–(d)): 64×64, batch 64, K_T 10, Adam 1e-4, UNet 48, ResNet 64/512. */
function referencePreset(cost: TrainCost): PresetValues {
  return {
    size: 64,
    gamma: cost === 'weak' ? 0.66 : 0,
    gammaSteps: 25_000,
    steps: 100_001,
    batchSize: 64,
    tIters: 10,
    lr: 1e-4,
    lrDecay: 'none',
    beta1: 0.9,
    beta2: 0.999,
    emaDecay: 0.999,
    base: 48,
    filters: 64,
    maxFilters: 512,
    noiseSamples: cost === 'weak' ? 8 : 1,
    noiseStd: 0.1,
    sampleEvery: 100,
    checkpointEvery: 2000,
  };
}

/**
 * Sized for a 2-core CPU on wasm (measured in PyTorch and on wasm, see DESIGN.md): 32×32, UNet 16 (~1.1M parameters),
 * ResNet 16 capped at 64, batch 16, K_T 10 as the reference, lr 1e-3 held constant, T's weights averaged (EMA 0.99).
 * Bags → shoes, 250 steps, test shoe share: 49% at K_T 3 (T lagged f's moves; the map swung between shoes and
 * near-identity); at K_T 10, 83–89% with a cosine decay, 91% with the decay and the average, 98% with a constant lr
 * and the average (the average does what the decay did, without slowing the late steps).
 */
function cpuPreset(cost: TrainCost): PresetValues {
  return {
    size: 32,
    gamma: cost === 'weak' ? 0.66 : 0,
    gammaSteps: 125,
    steps: 250,
    batchSize: 16,
    tIters: 10,
    lr: 1e-3,
    lrDecay: 'none',
    beta1: 0.9,
    beta2: 0.999,
    emaDecay: 0.99,
    base: 16,
    filters: 16,
    maxFilters: 64,
    noiseSamples: cost === 'weak' ? 4 : 1,
    noiseStd: 0.1,
    sampleEvery: 25,
    checkpointEvery: 50,
  };
}

/**
 * The preset for a backend: the reference on a GPU (tfjs-node-gpu, or webgpu on a hardware adapter), the CPU one
 * elsewhere (webgpu on a software adapter such as lavapipe is a CPU).
 */
export function presetFor(backend: string | { name: string; adapter?: { software: boolean } }): TrainPreset {
  const { name, adapter } = typeof backend === 'string' ? { name: backend, adapter: undefined } : backend;
  return name === 'tensorflow-gpu' || (name === 'webgpu' && adapter !== undefined && !adapter.software) ? 'reference' : 'cpu';
}

/**
 * Fills a run's configuration from flags and a preset, and checks it. Unless given, the channels follow the data:
 * 1 when source and target are both grayscale (`grayscale`), else 3 as in the reference.
 */
export function resolveTrainConfig(flags: TrainFlags, preset: TrainPreset, grayscale = false): TrainConfig {
  for (const key of ['source', 'target'] as const) {
    if (!flags[key]) throw new Error(`train: --${key} is required (a data spec such as fashion-mnist:bag or igan:handbag_64.hdf5)`);
  }
  const cost = flags.cost ?? 'strong';
  if (!TRAIN_COSTS.includes(cost)) throw new Error(`train: --cost must be one of ${TRAIN_COSTS.join(', ')}, got "${cost}"`);
  const defaults = preset === 'reference' ? referencePreset(cost) : cpuPreset(cost);
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const config = { ...defaults, channels: grayscale ? 1 : 3, seed: 0, ...defined, cost, preset } as TrainConfig;
  // Evaluation follows the data: the classifier for 32×32 grayscale (offline, seconds), else FID as the reference
  // (every 2000 steps on a GPU; on a CPU Inception takes minutes per evaluation, so only when asked).
  config.evalMetric ??= config.size === 32 && config.channels === 1 ? 'classifier' : 'fid';
  config.evalEvery ??= preset === 'reference' ? 2000 : config.evalMetric === 'classifier' ? 25 : 0;
  checkConfig(config);
  return config;
}

function checkConfig(c: TrainConfig): void {
  const fail = (what: string) => {
    throw new Error(`train: ${what}`);
  };
  if (!(Number.isInteger(Math.log2(c.size)) && c.size >= 16)) fail(`--size must be a power of two >= 16, got ${c.size}`);
  if (c.channels !== 1 && c.channels !== 3) fail(`--channels must be 1 or 3, got ${c.channels}`);
  if (!(Number.isInteger(c.evalEvery) && c.evalEvery >= 0)) fail(`--eval-every must be an integer >= 0, got ${c.evalEvery}`);
  if (!EVAL_SELECTIONS.includes(c.evalMetric)) fail(`--eval-metric must be one of ${EVAL_SELECTIONS.join(', ')}, got "${c.evalMetric}"`);
  if (c.evalEvery > 0 && c.evalMetric === 'classifier' && c.size !== 32) {
    fail(`--eval-metric classifier needs --size 32 (the Fashion-MNIST classifier's input), got ${c.size}; use --eval-metric fid or --eval-every 0`);
  }
  for (const key of ['steps', 'batchSize', 'tIters', 'base', 'filters', 'maxFilters', 'sampleEvery', 'checkpointEvery', 'gammaSteps'] as const) {
    if (!(Number.isInteger(c[key]) && c[key] >= 1)) fail(`${key} must be a positive integer, got ${c[key]}`);
  }
  if (!(c.lr > 0)) fail(`--lr must be > 0, got ${c.lr}`);
  if (!(c.beta1 >= 0 && c.beta1 < 1)) fail(`--adam-beta1 must be in [0, 1), got ${c.beta1}`);
  if (!(c.beta2 > 0 && c.beta2 < 1)) fail(`--adam-beta2 must be in (0, 1), got ${c.beta2}`);
  if (!(c.emaDecay >= 0 && c.emaDecay < 1)) fail(`--ema-decay must be in [0, 1) (0: no average), got ${c.emaDecay}`);
  if (!LR_DECAYS.includes(c.lrDecay)) fail(`--lr-decay must be one of ${LR_DECAYS.join(', ')}, got "${c.lrDecay}"`);
  if (c.cost === 'strong') {
    if (c.gamma !== 0) fail(`--gamma applies only to --cost weak, got ${c.gamma} with --cost strong`);
    if (c.noiseSamples !== 1) fail(`--noise-samples applies only to --cost weak, got ${c.noiseSamples} with --cost strong`);
  } else {
    if (!(c.gamma >= 0)) fail(`--gamma must be >= 0, got ${c.gamma}`);
    if (!(Number.isInteger(c.noiseSamples) && c.noiseSamples >= 2)) {
      fail(`--noise-samples must be an integer >= 2 for the unbiased weak cost, got ${c.noiseSamples}`);
    }
    if (!(c.noiseStd > 0)) fail(`--noise-std must be > 0, got ${c.noiseStd}`);
  }
}

/** The settings where a configuration departs from the reference notebooks, for saying so at the start of a run. */
export function departuresFromReference(config: TrainConfig): string[] {
  const reference = { ...referencePreset(config.cost), channels: 3 };
  const ignored = ['steps', 'sampleEvery', 'checkpointEvery', ...(config.cost === 'weak' ? [] : ['gamma', 'gammaSteps', 'noiseSamples', 'noiseStd'])];
  return (Object.keys(reference) as (keyof typeof reference)[])
    .filter((key) => !ignored.includes(key) && reference[key] !== config[key])
    .map((key) => `${key} ${config[key]} (reference ${reference[key]})`);
}
