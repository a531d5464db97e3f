import * as tf from '@tensorflow/tfjs-core';
import { NeuralOT, Rng, applyAffineMap, cosineDecay, gaussianOtMap, quadraticCost, trace, type StepReport } from '@not/ot-core';
import { MlpMap, MlpPotential } from '@not/nets';
import { GaussianSampler, type GaussianPair, randomGaussianPair } from '@not/datasets';
import { bw2Uvp, l2Uvp } from '@not/metrics';

/** Options of {@link runW2Benchmark}. */
export interface W2BenchmarkOptions {
  /** Dimension D of the two Gaussians; a positive integer. */
  dim: number;
  /** Outer steps (each: `tIters` map updates and one potential update). Default 400. */
  steps?: number;
  /** Seed of the pair, the samplers and the networks. Default 0. */
  seed?: number;
  /** The Gaussian pair; a seeded random one (eigenvalues in [0.25, 4], random rotations) when absent. */
  pair?: GaussianPair;
  /** Points drawn from each of P and Q per update. Default 256. */
  batchSize?: number;
  /** Map updates per potential update (K_T). Default 5. */
  tIters?: number;
  /** Hidden widths of both MLPs. Default [256, 256, 256]. */
  hidden?: number[];
  /** Peak learning rate of both networks; it decays along a cosine to 5% of itself. Default 1e-3. */
  lr?: number;
  /** Points drawn from P to measure L2-UVP and BW2-UVP. Default 4096, as in the W2 benchmark. */
  testSize?: number;
  /** Extra points ([N, dim], row-major) to push through the trained map. */
  evalPoints?: Float32Array;
  /** Called after each outer step with its losses, e.g. to print progress. */
  onStep?: (report: StepReport) => void;
}

/** What {@link runW2Benchmark} returns: the scores of the trained map on `testSize` fresh points of P. */
export interface W2BenchmarkResult {
  /** Dimension D of the pair. */
  dim: number;
  /** Outer steps trained. */
  steps: number;
  /** L2-UVP in percent: mean squared error to the closed-form OT map over Var(Q); 0 is perfect. */
  l2uvp: number;
  /** BW2-UVP in percent: how far T♯P's mean and covariance are from Q's; 0 is perfect. */
  bw2uvp: number;
  /** Training time in seconds (evaluation excluded). */
  seconds: number;
  /** T(evalPoints), row-major, when evalPoints were given. */
  evalOut?: Float32Array;
}

/**
 * NOT with the strong quadratic cost between two Gaussians, scored against the closed-form OT map. The defaults were
 * tuned on this task (see bench/README.md): SiLU MLPs 3×256, a linear skip in T, a quadratic term in f, K_T = 5,
 * batch 256, Adam 1e-3 with cosine decay.
 */
export async function runW2Benchmark(options: W2BenchmarkOptions): Promise<W2BenchmarkResult> {
  const { dim, steps = 400, seed = 0, batchSize = 256, tIters = 5, hidden = [256, 256, 256], lr = 1e-3, testSize = 4096 } = options;
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`bench w2: --dim must be a positive integer, got ${dim}`);
  const rng = new Rng(seed);
  const pair = options.pair ?? randomGaussianPair(dim, rng.fork());
  if (pair.m1.length !== dim) throw new Error(`bench w2: the pair has dimension ${pair.m1.length} but --dim is ${dim}`);
  const source = new GaussianSampler(pair.m1, pair.S1, { rng: rng.fork() });
  const target = new GaussianSampler(pair.m2, pair.S2, { rng: rng.fork() });
  const map = new MlpMap({ dim, hidden, activation: 'silu', skip: 'linear', seed: rng.seed() });
  const potential = new MlpPotential({ dim, hidden, activation: 'silu', quadratic: true, seed: rng.seed() });
  const solver = new NeuralOT({
    map,
    potential,
    source,
    target,
    cost: quadraticCost({ scale: 'half-sum' }),
    batchSize,
    tIters,
    mapOptimizer: { lr: cosineDecay({ peak: lr, steps: steps * tIters }), weightDecay: 0 },
    potentialOptimizer: { lr: cosineDecay({ peak: lr, steps }), weightDecay: 0 },
    seed: rng.seed(),
  });
  const started = performance.now();
  await solver.fit({ steps, onStep: (report) => void options.onStep?.(report) });
  const seconds = (performance.now() - started) / 1000;

  const testSampler = new GaussianSampler(pair.m1, pair.S1, { rng: rng.fork() });
  const x = testSampler.sample(testSize);
  const pushed = solver.push(x);
  const predicted = { data: (await pushed.data()) as Float32Array, shape: pushed.shape };
  const truth = applyAffineMap(gaussianOtMap(pair.m1, pair.S1, pair.m2, pair.S2), await x.data());
  const result: W2BenchmarkResult = {
    dim,
    steps,
    l2uvp: l2Uvp(predicted, { data: truth, shape: [testSize, dim] }, trace(pair.S2)),
    bw2uvp: bw2Uvp(predicted, pair.m2, pair.S2),
    seconds,
  };
  if (options.evalPoints) {
    const points = tf.tensor2d(options.evalPoints, [options.evalPoints.length / dim, dim]);
    const out = solver.push(points);
    result.evalOut = (await out.data()) as Float32Array;
    tf.dispose([points, out]);
  }
  tf.dispose([x, pushed]);
  solver.dispose();
  map.dispose();
  potential.dispose();
  return result;
}
