import * as tf from '@tensorflow/tfjs-core';
import { type Potential, type TransportMap, restoringBuffers, whileFrozen } from '@not/ot-core';

/** What `--recompute-activations` accepts: decide from the heap (auto), or always / never recompute. */
export const RECOMPUTE_CHOICES = ['auto', 'on', 'off'] as const;
export type RecomputeChoice = (typeof RECOMPUTE_CHOICES)[number];
/** What `--micro-batch` takes: auto (split f's passes only when the heap needs it), or the most samples per pass. */
export type MicroBatchChoice = 'auto' | number;

/** wasm's heap is capped at 4 GiB; leave room for fragmentation and the allocator's own growth. */
const WASM_BUDGET = 3 * 2 ** 30;

/** How a training step runs within the memory it has. */
export interface StepMemoryPlan {
  /** Recompute activations in the backward pass (both networks). */
  recompute: boolean;
  /** The most samples f takes per pass under a gradient (NeuralOT's microBatch), or null for whole batches. */
  microBatch: number | null;
  /** Why, for the log. */
  reason: string;
  /** On wasm under auto: the bytes the chosen step is expected to reach. */
  need?: number;
}

/** The networks of a run (each able to recompute its activations) and the sizes of its steps. */
interface StepNets {
  map: TransportMap & { recomputeActivations: boolean };
  potential: Potential & { recomputeActivations: boolean };
  imageShape: readonly number[];
  batchSize: number;
  noiseSamples: number;
}

/**
 * Picks, for wasm's capped heap, the fastest way a training step fits: whole batches as they are; else with
 * recomputed activations (about 11% slower); else also f's passes split into micro-batches (T keeps the whole batch,
 * as its batch norm couples the samples; one more forward pass of T per map update). The peak bytes of the gradients
 * are measured per image on two images; a T step holds T's for all K·batch outputs and frozen f's for one pass, an
 * f step f's for one pass (2·batch samples unsplit), with the networks', optimizers' and gradients' own tensors on
 * top. Refuses batches that fit no way (wasm would crash, or hang, on the heap's cap mid-step).
 */
export async function planStepMemory(
  choice: { recompute: RecomputeChoice; microBatch: MicroBatchChoice },
  nets: StepNets,
  budget = WASM_BUDGET,
): Promise<StepMemoryPlan> {
  const recomputes = choice.recompute === 'auto' ? [false, true] : [choice.recompute === 'on'];
  const givenMicroBatch = choice.microBatch === 'auto' ? null : choice.microBatch;
  const flags = `--recompute-activations ${choice.recompute}, --micro-batch ${choice.microBatch}`;
  if (tf.getBackend() !== 'wasm' || (recomputes.length === 1 && givenMicroBatch !== null)) {
    const why = tf.getBackend() === 'wasm' ? flags : `${flags}: the ${tf.getBackend()} backend has no 4 GiB heap cap`;
    return { recompute: choice.recompute === 'on', microBatch: givenMicroBatch, reason: why };
  }
  const { batchSize, noiseSamples } = nets;
  const outputs = batchSize * noiseSamples;
  const peaks = await peakBytesPerImage(nets);
  const fixed = tf.memory().numBytes + 2 * (trainableBytes(nets.map) + trainableBytes(nets.potential));
  const needOf = ([recompute, microBatch]: Layout) => {
    const { map, potential, frozenPotential } = recompute ? peaks.recomputed : peaks.kept;
    const tStep = map * outputs + frozenPotential * (microBatch ?? outputs) + trainableBytes(nets.map);
    const fStep = potential * (microBatch ?? 2 * batchSize) + trainableBytes(nets.potential);
    return fixed + Math.max(tStep, fStep);
  };
  const layouts = recomputes.map((recompute): Layout => [recompute, givenMicroBatch]);
  if (givenMicroBatch === null) {
    // The largest micro-batch that fits: the need grows by f's per-image peak with each sample per pass.
    const recompute = recomputes[recomputes.length - 1];
    const { potential, frozenPotential } = recompute ? peaks.recomputed : peaks.kept;
    const perSample = Math.max(potential, frozenPotential);
    layouts.push([recompute, Math.max(1, Math.min(outputs, Math.floor((budget - needOf([recompute, 0])) / perSample)))]);
  }
  const described = (layout: Layout) =>
    `${layout[0] ? 'recomputing' : 'keeping'} activations${layout[1] === null ? '' : `, f in passes of ${layout[1]}`}: ${size(needOf(layout))}`;
  const chosen = layouts.find((layout) => needOf(layout) <= budget);
  if (!chosen) {
    throw new Error(
      `train: a step at --batch-size ${batchSize} needs about ${layouts.map(described).join('; ')}; wasm's heap holds 4 GiB ` +
        `(budget ${size(budget)}): lower --batch-size, or use the native backend (@tensorflow/tfjs-node or -gpu)`,
    );
  }
  const [recompute, microBatch] = chosen;
  return { recompute, microBatch, reason: `a step ${described(chosen)}, within wasm's budget of ${size(budget)}`, need: needOf(chosen) };
}

/** Whether activations are recomputed, and f's micro-batch (null: whole batches). */
type Layout = [boolean, number | null];

/** Bytes for the log: MiB below 1 GiB. */
function size(bytes: number): string {
  return bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

function trainableBytes(net: { variables: tf.Variable[] }): number {
  return net.variables.reduce((sum, v) => sum + v.size * 4, 0);
}

/**
 * Peak bytes per image of T's gradient (in training mode), f's, and f's with respect to its input alone (frozen, as in
 * T updates), with activations kept and recomputed: each on two images, profiled, less what was there before and the
 * parameter gradients. Both networks' recompute settings are put back.
 */
async function peakBytesPerImage({ map, potential, imageShape }: StepNets) {
  const x = tf.zeros([2, ...imageShape]);
  const noiseShape = map.noiseShape(2);
  const z = noiseShape ? tf.zeros(noiseShape) : undefined;
  const peak = async (gradient: () => unknown, parameterGradBytes: number): Promise<number> => {
    const before = tf.memory().numBytes;
    // T runs in training mode: its batch-norm running statistics are put back after each probe.
    const { peakBytes } = await tf.profile(() => restoringBuffers(map, () => tf.tidy(() => void gradient())));
    return Math.max(0, (peakBytes - before - parameterGradBytes) / 2);
  };
  const settings = [map.recomputeActivations, potential.recomputeActivations];
  const measure = async (recompute: boolean) => {
    map.recomputeActivations = potential.recomputeActivations = recompute;
    const sum = (y: tf.Tensor) => tf.sum(y) as tf.Scalar;
    return {
      map: await peak(() => tf.variableGrads(() => sum(map.apply(x, z, { training: true })), map.variables), trainableBytes(map)),
      potential: await peak(() => tf.variableGrads(() => sum(potential.apply(x)), potential.variables), trainableBytes(potential)),
      // In T updates f is frozen: only the gradient with respect to its input is taken.
      frozenPotential: await peak(() => whileFrozen(potential.variables, () => tf.grad((y: tf.Tensor) => sum(potential.apply(y)))(x)), 0),
    };
  };
  try {
    return { kept: await measure(false), recomputed: await measure(true) };
  } finally {
    [map.recomputeActivations, potential.recomputeActivations] = settings;
    tf.dispose([x, ...(z ? [z] : [])]);
  }
}
