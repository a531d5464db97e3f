import * as tf from '@tensorflow/tfjs-core';
import type { SolverProgress, StateDict } from '@not/ot-core';
import type { RunIdentity } from './run-identity';
import type { StackEvaluation, StageReport } from './stage-report';

/** Where a stacking run stands, besides its tensors; JSON. */
export interface StackRunState {
  /** The stage to train next, or being trained (1-based). */
  stage: number;
  /** The solver's progress within that stage; null when the stage has not started. */
  progress: SolverProgress | null;
  /** Sampler states: of P and Q at a stage boundary; of the stage's pushforward and Q within a stage. */
  samplers: {
    /** State of P's sampler, or of the stage's push-forward within a stage; null when not resumable. */
    source: unknown;
    /** State of Q's sampler; null when not resumable. */
    target: unknown;
  };
  /** Finished stages, in order (given stages included). */
  reports: StageReport[];
  /** The untranslated source's evaluation (depth 0), for reference. */
  sourceEvaluation: StackEvaluation | null;
  /** Best evaluation so far within the stage in progress (its map is in the `best.*` tensors). */
  stageBest: {
    /** The step (1-based, within the stage) whose map was evaluated. */
    step: number;
    /** That map's evaluation, as part of the stack. */
    evaluation: StackEvaluation;
  } | null;
  /** Transport costs of the stage's steps so far (the report averages the last ones). */
  stageCosts: number[];
  /** Wall-clock seconds spent on the stage in progress so far, carried over a resume. */
  stageSeconds: number;
  /** Depth selection stopped the run, or every stage is trained. */
  done: boolean;
}

/**
 * A checkpoint of trainStack: `stages.<i>.*` the frozen maps, `solver.*` the stage in progress (NeuralOT.stateDict),
 * `best.*` that stage's best map so far, `potential.*` the last finished stage's potential (for warm starts).
 */
export interface StackCheckpoint {
  /** The weights and solver state, under the prefixes above. */
  tensors: StateDict;
  /** The rest of the run's position, as JSON. */
  state: StackRunState;
  /** What defines the run (trainStack's `runIdentity`), when it was given: a resume must give the same. */
  identity?: RunIdentity;
}

/** Where trainStack keeps its checkpoints: `save` must be atomic (a kill never leaves half of one). */
export interface StackStore {
  /** The last checkpoint saved, or null; the caller owns (and disposes) its tensors. */
  load(): StackCheckpoint | null;
  /** Saves a checkpoint; its tensors are live (not copies), and the store must not keep them. */
  save(checkpoint: StackCheckpoint): void;
}

/** A StackStore in memory (tests, browsers): keeps copies of the last checkpoint. */
export class MemoryStackStore implements StackStore {
  private last: StackCheckpoint | null = null;

  load(): StackCheckpoint | null {
    if (!this.last) return null;
    return { tensors: cloneAll(this.last.tensors), state: structuredClone(this.last.state), ...identityOf(this.last) };
  }

  save(checkpoint: StackCheckpoint): void {
    this.dispose();
    this.last = { tensors: cloneAll(checkpoint.tensors), state: structuredClone(checkpoint.state), ...identityOf(checkpoint) };
  }

  /** Frees the kept checkpoint's tensors; load() then returns null until the next save. */
  dispose(): void {
    if (this.last) tf.dispose(Object.values(this.last.tensors));
    this.last = null;
  }
}

function identityOf({ identity }: StackCheckpoint): { identity?: RunIdentity } {
  return identity === undefined ? {} : { identity: structuredClone(identity) };
}

function cloneAll(state: StateDict): StateDict {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tf.clone(v)]));
}
