import * as tf from '@tensorflow/tfjs-core';
import type { Potential, TransportMap } from '@not/ot-core';

/** What `--recompute-activations` accepts: decide from the heap (auto), or always / never recompute. */
export const RECOMPUTE_CHOICES = ['auto', 'on', 'off'] as const;
export type RecomputeChoice = (typeof RECOMPUTE_CHOICES)[number];

/** wasm's heap is capped at 4 GiB; leave room for the backward pass's working tensors and fragmentation. */
const WASM_BUDGET = 3 * 2 ** 30;

/**
 * Share of a step's peak heap left with recomputed activations, measured on the reference 64×64 networks at batch 16
 * (T step 3850 → 1805 MB, f step 3943 → 2044 MB): what auto expects before it refuses a batch outright.
 */
const RECOMPUTED_SHARE = 0.55;

export interface RecomputeDecision {
  recompute: boolean;
  /** Why, for the log. */
  reason: string;
  /** On wasm under auto: the bytes a training step would hold with activations kept. */
  need?: number;
}

/**
 * Whether a run must recompute activations in the backward pass to fit: only wasm has a hard heap cap. What a step
 * keeps for its gradient is measured per image on two images and scaled: a T step holds T's and f's activations for
 * `batch × noiseSamples` images, an f step f's for 2 × `batch`; with the networks' and optimizers' own tensors, the
 * larger must stay under `budget` bytes. Where even recomputing would not bring it under, auto refuses the run (wasm
 * would crash or hang on the heap's cap mid-step).
 */
export function decideRecompute(
  choice: RecomputeChoice,
  nets: { map: TransportMap; potential: Potential; imageShape: readonly number[]; batch: number; noiseSamples: number },
  budget = WASM_BUDGET,
): RecomputeDecision {
  if (choice !== 'auto') return { recompute: choice === 'on', reason: `--recompute-activations ${choice}` };
  if (tf.getBackend() !== 'wasm') return { recompute: false, reason: `the ${tf.getBackend()} backend has no 4 GiB heap cap` };
  const { map, potential, imageShape, batch, noiseSamples } = nets;
  const perImage = activationBytesPerImage(map, potential, imageShape);
  const tStep = (perImage.map + perImage.potential) * batch * noiseSamples;
  const fStep = perImage.potential * 2 * batch;
  const need = tf.memory().numBytes + Math.max(tStep, fStep);
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  const estimate = `a training step needs about ${gib(need)} (activations ${gib(Math.max(tStep, fStep))})`;
  if (need <= budget) return { recompute: false, reason: `${estimate}, within wasm's budget of ${gib(budget)}`, need };
  if (need * RECOMPUTED_SHARE > budget) {
    throw new Error(
      `train: ${estimate}, and about ${gib(need * RECOMPUTED_SHARE)} with recomputed activations; wasm's heap holds ` +
        `4 GiB (budget ${gib(budget)}): lower --batch, or use the native backend (@tensorflow/tfjs-node or -gpu)`,
    );
  }
  return { recompute: true, reason: `${estimate}, over wasm's budget of ${gib(budget)}`, need };
}

/**
 * Bytes the gradient keeps per image of T (in training mode) and of f: each network on two images under a gradient
 * tape, read from tfjs's live bytes at the end of the forward pass. T's batch-norm running statistics are put back.
 */
function activationBytesPerImage(map: TransportMap, potential: Potential, imageShape: readonly number[]) {
  const buffers = Object.values(map.stateDict()).filter((v): v is tf.Variable => v instanceof tf.Variable && !v.trainable);
  const kept = buffers.map((v) => tf.clone(v));
  const taped = (net: { variables: tf.Variable[] }, forward: () => tf.Tensor): number => {
    let bytes = 0;
    tf.tidy(() => {
      tf.variableGrads(() => {
        const before = tf.memory().numBytes;
        const y = forward();
        bytes = tf.memory().numBytes - before;
        return tf.sum(y) as tf.Scalar;
      }, net.variables.slice(0, 1));
    });
    return bytes / 2;
  };
  const x = tf.zeros([2, ...imageShape]);
  const noiseShape = map.noiseShape(2);
  const z = noiseShape ? tf.zeros(noiseShape) : undefined;
  const bytes = {
    map: taped(map, () => map.apply(x, z, { training: true })),
    potential: taped(potential, () => potential.apply(x)),
  };
  buffers.forEach((v, i) => v.assign(kept[i]));
  tf.dispose([x, ...(z ? [z] : []), ...kept]);
  return bytes;
}
