import type { RngState } from '../rng';
import type { Checkpoint } from '../training/checkpoint-store';

/** Losses of one outer step (K_T map updates and one potential update). */
export interface StepReport {
  /** 1-based index of the outer step just done. */
  step: number;
  /** Mean T loss over the step's K_T updates: E c(x, T(x)) − E f(T(x)). */
  mapLoss: number;
  /** Mean transport cost over the step's K_T updates. */
  cost: number;
  /** f loss of the step's update: E f(T(x)) − E f(y). Its negative estimates the dual objective gap. */
  potentialLoss: number;
  /**
   * How much T's outputs of the f update's batch vary, relative to the target batch: the mean over features of the
   * standard deviation across the batch, T(x)'s over y's. Near 0: the outputs are nearly identical (mode collapse).
   */
  diversity: number;
  /** Wall-clock seconds the step took. */
  seconds: number;
}

/** Where a solver stands, besides its tensors: with the state dict, enough to resume bit for bit. */
export interface SolverProgress {
  /** Outer steps done. */
  step: number;
  /** Position of the solver's noise stream, so that a resumed run draws the same noise. */
  rng: RngState;
  /** Updates T's Adam has applied (its bias correction and lr schedule depend on them). */
  mapOptimizerSteps: number;
  /** Updates f's Adam has applied. */
  potentialOptimizerSteps: number;
  /** The factor both learning rates run at (1 unless a divergence guard lowered them); absent in older checkpoints. */
  learningRateScale?: number;
  /** Updates the map's weight average has had; absent without one. */
  mapAverageSteps?: number;
}

/** A solver's whole state at one step: its state dict's tensors and its progress. */
export type SolverCheckpoint = Checkpoint<SolverProgress>;
