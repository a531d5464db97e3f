import * as tf from '@tensorflow/tfjs-core';
import {
  NeuralOT,
  Rng,
  type StepReport,
  type TransportCost,
  cosineDecay,
  quadraticCost,
  weakQuadraticCost,
} from '@not/ot-core';
import { type Activation, MlpMap, MlpPotential } from '@not/nets';
import { TOY_SAMPLER_NAMES, type ToySamplerName, isToySamplerName, toySampler } from '@not/datasets';
import type { PlotBounds } from '../render/scatter-plot';
import { energyDistance } from './energy-distance';
import { TOY_PLOT_TAIL, inBox, quantileBox } from './robust-bounds';
import { toyPlot } from './toy-plot';

/** The costs `runToy` trains with: the strong quadratic cost (a deterministic map) or the γ-weak one (a stochastic map). */
export const TOY_COSTS = ['strong', 'weak'] as const;
/** One of {@link TOY_COSTS}: 'strong' or 'weak'. */
export type ToyCost = (typeof TOY_COSTS)[number];

/** Options of {@link runToy}. Every network and training default depends on `cost`; see {@link toyDefaults}. */
export interface ToyOptions {
  /** Source set P. Default 'normal' (N(0, I₂)). */
  source?: ToySamplerName;
  /** Target set Q. */
  target: ToySamplerName;
  /** Default 'strong'. */
  cost?: ToyCost;
  /**
   * γ of the weak cost ∫||x − y||²dμ(y) − γ·Var(μ), the NOT paper's convention (the toy notebooks' γ = 1; the weak
   * seminar's "γ = 1" subtracts ½·Var, i.e. γ = 0.5 here). Only for cost 'weak'. Default 1.
   */
  gamma?: number;
  /** Outer steps (K_T map updates and one potential update each). */
  steps?: number;
  /** Seed of the samplers, the networks and the noise. Default 0. */
  seed?: number;
  /** Points drawn from P and from Q per update; with the weak cost each x gets `noiseSamples` noise draws on top. */
  batchSize?: number;
  /** Map updates per potential update (K_T). */
  tIters?: number;
  /** Hidden widths of both MLPs. */
  hidden?: number[];
  /** Hidden-layer activation of both MLPs. */
  activation?: Activation;
  /** Peak Adam learning rate of both networks; it decays along a cosine to 5% of itself by the last step. */
  lr?: number;
  /** Weak cost: noise draws per x in a map update (K ≥ 2). */
  noiseSamples?: number;
  /** Weak cost: standard deviation of the map's noise input z ∈ R². */
  noiseStd?: number;
  /** Points of T♯P, Q and P used for the energy distances and the picture. Default 1024. */
  evalSize?: number;
  /** Source points drawn with lines x → T(x). Default 64 (strong), 32 (weak, each with `linesPerPoint` lines). */
  lines?: number;
  /** Lines per such point, each with its own noise z (weak cost only; 1 for strong). Default 4. */
  linesPerPoint?: number;
  /** Picture size of each panel in pixels. Default 560. */
  panelSize?: number;
  /** Called after each outer step with its losses, e.g. to print progress. */
  onStep?: (report: StepReport) => void;
}

/** Energy distances (see {@link energyDistance}) on `evalSize` points each. */
export interface ToyEnergy {
  /** T♯P vs Q: how well the pushed points match the target (lower is better). */
  mapped: number;
  /** P vs Q: where training started from, for reference. */
  source: number;
  /** Q vs an independent sample of Q: the sampling noise floor, what a perfect map would score. */
  floor: number;
}

/** What {@link runToy} returns. */
export interface ToyResult {
  /** Source set P used. */
  source: ToySamplerName;
  /** Target set Q used. */
  target: ToySamplerName;
  /** Cost trained with. */
  cost: ToyCost;
  /** γ of the weak cost; null for the strong one. */
  gamma: number | null;
  /** Outer steps trained. */
  steps: number;
  /** Training time in seconds (evaluation and drawing excluded). */
  seconds: number;
  /** Energy distances of the trained map, with the start and the noise floor for reference. */
  energy: ToyEnergy;
  /** Map loss and potential loss of the last step. */
  last: {
    /** Loss of the map T on the last step's batch. */
    mapLoss: number;
    /** Loss of the potential f on the last step's batch. */
    potentialLoss: number;
  };
  /** The evaluation points behind the scores and the picture, for plotting them another way. */
  points: ToyPoints;
  /** The picture, a PNG: x → T(x) over the target, and P and Q beside it. */
  png: Buffer;
}

/** Row-major [n, 2] point sets of a finished run. */
export interface ToyPoints {
  /** `evalSize` draws x ~ P. */
  source: Float32Array;
  /** T(x) for those x (one noise draw each for the weak cost). */
  mapped: Float32Array;
  /** `evalSize` draws y ~ Q. */
  target: Float32Array;
  /** Starts of the drawn lines: the first `lines` x inside the picture, each repeated `linesPerPoint` times in a row. */
  from: Float32Array;
  /** T(x, z) for each row of `from`, each with its own noise z. */
  to: Float32Array;
  /** Lines per x. */
  linesPerPoint: number;
}

/** The resolved hyper-parameters for a cost (what {@link runToy} uses for options left out). */
export interface ToyDefaults {
  /** Outer steps: 800. */
  steps: number;
  /** Points from P and Q per update: 256 strong, 64 weak. */
  batchSize: number;
  /** Map updates per potential update (K_T): 5. */
  tIters: number;
  /** Hidden widths of both MLPs: 3×128. */
  hidden: number[];
  /** Activation of both MLPs: ReLU. */
  activation: Activation;
  /** Peak Adam learning rate: 1e-3, cosine-decayed. */
  lr: number;
  /** Noise draws per x: 4 weak, 1 (unused) strong. */
  noiseSamples: number;
  /** Standard deviation of the map's noise: 1 weak, 0 (unused) strong. */
  noiseStd: number;
  /** γ of the weak cost: 1 weak, 0 (unused) strong. */
  gamma: number;
  /** Source points drawn with lines. */
  lines: number;
}

/**
 * Defaults per cost, measured on a 2-core machine with the wasm backend (examples/toy-2d/README.md has the numbers):
 * ReLU MLPs 3×128 as in the NOT seminars (SiLU was 1.5–2.5× slower per step and worse), Adam 1e-3 with cosine decay,
 * K_T = 5 (at equal time, 800 steps of K_T = 5 beat 400 of K_T = 10), 800 steps: about a minute per run.
 * The weak map takes K = 4 noise draws z ~ N(0, I₂) per x, as the weak seminar, at batch 64, so a map update costs
 * the same 256 network rows as a strong one.
 */
export function toyDefaults(cost: ToyCost): ToyDefaults {
  const shared = { steps: 800, tIters: 5, hidden: [128, 128, 128], activation: 'relu' as Activation, lr: 1e-3 };
  if (cost === 'strong') return { ...shared, batchSize: 256, noiseSamples: 1, noiseStd: 0, gamma: 0, lines: 64 };
  return { ...shared, batchSize: 64, noiseSamples: 4, noiseStd: 1, gamma: 1, lines: 32 };
}

/**
 * Trains Neural Optimal Transport between two toy 2-D sets with MLPs (the NOT seminars' setup), then scores the map by
 * the energy distance between T♯P and Q and draws it. The caller picks the tfjs backend beforehand.
 *
 * @example
 * await useBackend('wasm');
 * const result = await runToy({ target: 'swiss-roll', cost: 'weak' });
 * writeFileSync('map.png', result.png);
 */
export async function runToy(options: ToyOptions): Promise<ToyResult> {
  const source = checkName('source', options.source ?? 'normal');
  const target = checkName('target', options.target);
  const cost = options.cost ?? 'strong';
  if (!(TOY_COSTS as readonly string[]).includes(cost)) {
    throw new Error(`runToy: cost must be one of ${TOY_COSTS.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(cost)}`);
  }
  if (cost === 'strong') {
    for (const key of ['gamma', 'noiseSamples', 'noiseStd', 'linesPerPoint'] as const) {
      if (options[key] !== undefined) {
        throw new Error(`runToy: ${key} applies only to cost 'weak', got ${key} ${options[key]} with cost 'strong'`);
      }
    }
  }
  const d = toyDefaults(cost);
  const steps = positiveInt('steps', options.steps ?? d.steps);
  const batchSize = positiveInt('batchSize', options.batchSize ?? d.batchSize);
  const tIters = positiveInt('tIters', options.tIters ?? d.tIters);
  const evalSize = positiveInt('evalSize', options.evalSize ?? 1024);
  const lines = positiveInt('lines', Math.min(options.lines ?? d.lines, evalSize));
  const linesPerPoint = cost === 'weak' ? positiveInt('linesPerPoint', options.linesPerPoint ?? 4) : 1;
  const panelSize = options.panelSize ?? 560;
  if (!(Number.isInteger(panelSize) && panelSize >= 120 && panelSize <= 4096)) {
    throw new Error(`runToy: panelSize must be an integer from 120 to 4096 pixels, got ${panelSize}`);
  }
  const lr = options.lr ?? d.lr;
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`runToy: lr must be a number > 0, got ${lr}`);
  const gamma = cost === 'weak' ? (options.gamma ?? d.gamma) : null;
  if (gamma !== null && !(Number.isFinite(gamma) && gamma >= 0)) {
    throw new Error(`runToy: gamma must be a number >= 0, got ${gamma}`);
  }
  const noiseStd = options.noiseStd ?? d.noiseStd;
  if (cost === 'weak' && !(Number.isFinite(noiseStd) && noiseStd > 0)) {
    throw new Error(`runToy: noiseStd must be a number > 0, got ${noiseStd}`);
  }
  const noiseSamples = positiveInt('noiseSamples', options.noiseSamples ?? d.noiseSamples);
  if (cost === 'weak' && noiseSamples < 2) {
    throw new Error(`runToy: noiseSamples must be at least 2 for the weak cost (its variance estimate needs K >= 2), got ${noiseSamples}`);
  }

  const rng = new Rng(options.seed ?? 0);
  const hidden = options.hidden ?? d.hidden;
  const activation = options.activation ?? d.activation;
  const trainCost: TransportCost =
    gamma === null ? quadraticCost({ scale: 'half-sum' }) : weakQuadraticCost({ gamma, scale: 'half-sum' });
  const map = new MlpMap({ dim: 2, noiseDim: cost === 'weak' ? 2 : 0, hidden, activation, seed: rng.seed() });
  const potential = new MlpPotential({ dim: 2, hidden, activation, seed: rng.seed() });
  const solver = new NeuralOT({
    map,
    potential,
    source: toySampler(source, { seed: rng.seed() }),
    target: toySampler(target, { seed: rng.seed() }),
    cost: trainCost,
    batchSize,
    tIters,
    // Schedules count each optimizer's own updates: K_T per outer step for T, one for f.
    mapOptimizer: { lr: cosineDecay({ peak: lr, steps: steps * tIters }), weightDecay: 0 },
    potentialOptimizer: { lr: cosineDecay({ peak: lr, steps }), weightDecay: 0 },
    noise: cost === 'weak' ? { samples: noiseSamples, std: noiseStd } : undefined,
    seed: rng.seed(),
  });

  try {
    const started = performance.now();
    const reports = await solver.fit({ steps, onStep: (report) => void options.onStep?.(report) });
    const seconds = (performance.now() - started) / 1000;
    const last = reports[reports.length - 1];

    // Fresh samplers for evaluation, so the scores are not measured on training batches.
    const evalSeeds = [rng.seed(), rng.seed(), rng.seed()];
    const x = toySampler(source, { seed: evalSeeds[0] }).sample(evalSize);
    const y = toySampler(target, { seed: evalSeeds[1] }).sample(evalSize);
    const yFloor = toySampler(target, { seed: evalSeeds[2] }).sample(evalSize);
    const tx = solver.push(x, { seed: rng.seed() });
    const [xs, ys, yFloors, txs] = (await Promise.all([x, y, yFloor, tx].map((t) => t.data()))) as Float32Array[];
    tf.dispose([x, y, yFloor, tx]);
    const starts = lineStarts(xs, quantileBox([xs, ys], TOY_PLOT_TAIL), lines, linesPerPoint);
    const ends = solver.push(starts, { seed: rng.seed() });
    const [from, to] = (await Promise.all([starts, ends].map((t) => t.data()))) as Float32Array[];
    tf.dispose([starts, ends]);

    const energy: ToyEnergy = {
      mapped: energyDistance(txs, ys, 2),
      source: energyDistance(xs, ys, 2),
      floor: energyDistance(yFloors, ys, 2),
    };
    const costLabel = gamma === null ? 'strong cost' : `weak cost, γ = ${gamma}`;
    const points: ToyPoints = { source: xs, mapped: txs, target: ys, from, to, linesPerPoint };
    const png = toyPlot({
      title: `${source} → ${target}, ${costLabel}, ${reports.length} steps`,
      points,
      energy,
      panelSize,
    });
    return {
      source,
      target,
      cost,
      gamma,
      steps: reports.length,
      seconds,
      energy,
      last: { mapLoss: last.mapLoss, potentialLoss: last.potentialLoss },
      points,
      png,
    };
  } finally {
    solver.dispose();
    map.dispose();
    potential.dispose();
  }
}

/**
 * The first `count` points inside `box` (so their lines start in the picture, not in P's far tails), each repeated
 * `k` times in a row so that k noise draws land on the same x: a [count·k, 2] tensor the caller owns.
 */
function lineStarts(points: Float32Array, box: PlotBounds, count: number, k: number): tf.Tensor2D {
  const rows: number[] = [];
  for (let i = 0; i < points.length / 2 && rows.length < 2 * count * k; i++) {
    const [px, py] = [points[2 * i], points[2 * i + 1]];
    if (inBox(box, px, py)) for (let j = 0; j < k; j++) rows.push(px, py);
  }
  return tf.tensor2d(rows, [rows.length / 2, 2]);
}

function checkName(option: 'source' | 'target', name: string | undefined): ToySamplerName {
  if (name === undefined || !isToySamplerName(name)) {
    const expected = TOY_SAMPLER_NAMES.map((n) => `'${n}'`).join(', ');
    throw new Error(`runToy: ${option} must be one of ${expected}, got ${JSON.stringify(name)}`);
  }
  return name;
}

function positiveInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`runToy: ${name} must be a positive integer, got ${value}`);
  return value;
}
