import type { Checkpoint, CheckpointStore, SolverProgress } from '@not/ot-core';
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
  /** What defines the run (trainStack's `runIdentity`), when it was given: a resume must give the same. */
  identity?: RunIdentity;
}

/**
 * A checkpoint of trainStack: `stages.<i>.*` the frozen maps, `solver.*` the stage in progress (NeuralOT.stateDict),
 * `best.*` that stage's best map so far, `potential.*` the last finished stage's potential (for warm starts); the
 * rest of the run's position as JSON.
 */
export type StackCheckpoint = Checkpoint<StackRunState>;

/**
 * Where trainStack keeps its checkpoints: a checkpoint store of stack runs (MemoryCheckpointStore in memory, files in
 * the CLI). `save` must be atomic: a kill never leaves half of one.
 */
export type StackStore = CheckpointStore<StackRunState>;
