import type { SolverProgress, StepReport } from '../solver/step-report';
import type { StateDict } from '../types';

/** What {@link train} drives: a solver that takes outer steps and can be saved and restored (NeuralOT is one). */
export interface Trainable {
  /** Outer steps done so far. */
  readonly step: number;
  /** One outer step; its losses come back from the device in one asynchronous read. */
  trainStep(): Promise<StepReport>;
  /** Every tensor a checkpoint needs (not copies). */
  stateDict(): StateDict;
  /** The step count and random-stream positions that go with {@link stateDict}. */
  progress(): SolverProgress;
  /** Goes back to a saved state dict and progress. */
  loadState(state: StateDict, progress: SolverProgress): void;
  /** The factor the learning rates run at (a divergence lowers it). */
  readonly learningRateScale: number;
  /** Sets that factor. */
  setLearningRateScale(scale: number): void;
}
