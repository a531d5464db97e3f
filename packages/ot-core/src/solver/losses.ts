import * as tf from '@tensorflow/tfjs-core';
import { whileFrozen } from '../freeze';
import { restoringBuffers } from '../module-buffers';
import { mapNoise, pushForward } from '../push-forward';
import { tfSeed } from '../rng';
import type { CostContext, Potential, TransportCost, TransportMap } from '../types';
import { accumulatedGrads, type Rows, rowChunks, rows } from './micro-batch';
import { type NoisedPotentialOptions, addNoise, edmWeight, sampleSigmas } from './noise-levels';

/** What the losses of NOT need to know of a solver. */
export interface LossSetup {
  map: TransportMap;
  potential: Potential;
  cost: TransportCost;
  /** Outputs per x in T updates (K); 1 for a deterministic map. */
  samples: number;
  /** Standard deviation of a stochastic map's noise. */
  std: number;
  /** The most samples f takes in one pass under a gradient, or null for the whole batch. */
  microBatch: number | null;
  /** Settings of the noised-potential variant, or null when it is off. */
  noised: NoisedPotentialOptions | null;
}

/** A loss's value and its gradients with respect to the variables of the network being trained. */
export interface LossAndGrads {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
}

/**
 * T's loss E c(x, T(x)) − E f(T(x)) on a batch x, with f frozen (per output weighted by λ(σ), the output's own noise
 * level, in the noised variant), its gradient with respect to T's variables, and the mean transport cost.
 * `seeds`: the map noise's, the noise levels', the perturbation's. Runs in the caller's tidy.
 */
export function mapLoss(s: LossSetup, x: tf.Tensor, seeds: number[], context: CostContext): LossAndGrads & { cost: tf.Scalar } {
  const K = s.samples;
  const B = x.shape[0];
  const n = B * K;
  const xs = K === 1 ? x : repeatEach(x, K);
  const z = mapNoise(s.map, n, { std: s.std, seed: seeds[0] });
  const noise = potentialNoise(s, n, xs.shape, seeds);
  const mapped = () => s.map.apply(xs, z, { training: true });
  let cost!: tf.Scalar;
  // A cost term over whole groups of K outputs minus f's term, a weighted mean that splits over outputs.
  const costTerm = (ys: tf.Tensor): tf.Scalar => {
    const perX = s.cost.evaluate(x, tf.reshape(ys, [B, K, ...x.shape.slice(1)]), context);
    cost = tf.keep(tf.mean(perX));
    return noise ? tf.mean(tf.mul(noise.weight, K === 1 ? perX : tf.reshape(repeatEach(perX, K), [n]))) : tf.mean(perX);
  };
  // f is frozen here: only T's gradient is taken (a recomputing f skips its own parameters' gradients).
  const result = whileFrozen(s.potential.variables, () => {
    const chunks = rowChunks(n, s.microBatch);
    if (chunks.length === 1) {
      return tf.variableGrads(() => {
        const ys = mapped();
        return tf.sub(costTerm(ys), potentialMean(s, ys, chunks[0], n, noise));
      }, s.map.variables);
    }
    // f in chunks: T(x) without a gradient first (its running statistics count once, below), then the loss's
    // gradient with respect to T(x), f's part chunk by chunk; then T's gradient from that, on the whole batch,
    // whose batch norm couples the samples.
    const ys = restoringBuffers(s.map, mapped);
    const costPart = tf.valueAndGrad(costTerm)(ys);
    const parts = chunks.map((chunk) => tf.valueAndGrad((part: tf.Tensor) => potentialMean(s, part, chunk, n, noise))(rows(ys, ...chunk)));
    const gradOfYs = tf.sub(costPart.grad, tf.concat(parts.map((p) => p.grad)));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(mapped(), gradOfYs)), s.map.variables);
    return { value: tf.sub(costPart.value, tf.addN(parts.map((p) => p.value))) as tf.Scalar, grads };
  });
  return { ...result, cost };
}

/**
 * f's loss E f(T(x)) − E f(y), with T frozen in inference mode (the same σ and ε perturb T(x) and y in the noised
 * variant, so the difference compares like with like), its gradient with respect to f's variables, and T(x) (for
 * the step's statistics). Runs in the caller's tidy.
 */
export function potentialLoss(s: LossSetup, x: tf.Tensor, y: tf.Tensor, seeds: number[]): LossAndGrads & { mapped: tf.Tensor } {
  const B = x.shape[0];
  // T(x) is computed outside the gradient scope: T is frozen (inference mode) during f updates.
  const tx = pushForward(s.map, x, { std: s.std, seed: seeds[0] });
  const noise = potentialNoise(s, B, tx.shape, seeds);
  // E f(T(x)) − E f(y), each a (weighted) mean over samples that splits into chunks of rows.
  const term = (batch: tf.Tensor, chunk: Rows) => potentialMean(s, rows(batch, ...chunk), chunk, B, noise);
  const chunks = rowChunks(B, s.microBatch);
  const passes =
    chunks.length === 1
      ? [() => tf.sub(term(tx, chunks[0]), term(y, chunks[0])) as tf.Scalar]
      : chunks.flatMap((chunk) => [() => term(tx, chunk), () => tf.neg(term(y, chunk)) as tf.Scalar]);
  return { ...accumulatedGrads(passes, s.potential.variables), mapped: tx };
}

/** The noised variant's perturbation of f's inputs: σ per sample, ε like the samples, and the loss weight λ(σ). */
interface PotentialNoise {
  sigma: tf.Tensor1D;
  eps: tf.Tensor;
  weight: tf.Tensor1D;
}

/** The noised variant's σ and ε for n samples of the given shape, and each sample's weight λ(σ); else undefined. */
function potentialNoise(s: LossSetup, n: number, shape: number[], seeds: number[]): PotentialNoise | undefined {
  if (!s.noised) return undefined;
  const sigma = sampleSigmas(n, { ...s.noised, seed: seeds[1] });
  return { sigma, eps: tf.randomNormal(shape, 0, 1, 'float32', tfSeed(seeds[2])), weight: edmWeight(sigma, s.noised) };
}

/**
 * f's share of a loss: its mean over `part`, rows [start, start + count) of a batch of `total`, scaled by
 * count / total so that the shares of a batch's chunks add up to its mean. With noise, f sees each row perturbed
 * by its own σ and is weighted by λ(σ).
 */
function potentialMean(s: LossSetup, part: tf.Tensor, [start, count]: Rows, total: number, noise?: PotentialNoise): tf.Scalar {
  const f = noise
    ? s.potential.apply(addNoise(part, rows(noise.sigma, start, count), rows(noise.eps, start, count)), {
        sigma: rows(noise.sigma, start, count),
      })
    : s.potential.apply(part);
  const mean = tf.mean(noise ? tf.mul(rows(noise.weight, start, count), f) : f) as tf.Scalar;
  return count === total ? mean : (tf.mul(mean, count / total) as tf.Scalar);
}

/** The mean over features of the standard deviation across a batch's samples. */
export function batchSpread(batch: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sqrt(tf.moments(batch, 0).variance));
}

/** [B, ...] → [B·K, ...] with each row repeated K times in a row (x0, x0, …, x1, x1, …). */
function repeatEach(x: tf.Tensor, times: number): tf.Tensor {
  return tf.tidy(() => {
    const tail = x.shape.slice(1);
    const tiled = tf.tile(tf.expandDims(x, 1), [1, times, ...tail.map(() => 1)]);
    return tf.reshape(tiled, [x.shape[0] * times, ...tail]);
  });
}
