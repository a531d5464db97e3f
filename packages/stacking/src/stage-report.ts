/** A validation result of a stack: `value` decides (lower is better); `details` are shown in reports. */
export interface StackEvaluation {
  /** The metric that selects the depth; lower is better, and NaN (a diverged stack) counts as worst. */
  value: number;
  /** Other named metrics, reported but not used for the selection. */
  details?: Record<string, number>;
}

/** How a stage's map started: from scratch, as a copy of the previous stage's, near the identity, or given trained. */
export type StageInit = 'fresh' | 'previous' | 'identity' | 'given';

/** How a stage drew from the push-forward of P through the stages before it. */
export type PushforwardUse = 'none' | 'on-the-fly' | 'cached';

/** What one stage did; the rows of a stacking run's summary. */
export interface StageReport {
  /** 1-based. */
  stage: number;
  /** Outer steps trained (0 for a given stage). */
  steps: number;
  /** How the stage's map started ('given' for a map from `start.maps`). */
  init: StageInit;
  /** How the stage drew its source ('none' for stage 1, which draws P itself, and for given stages). */
  pushforward: PushforwardUse;
  /** Validation value of the stack of this depth (at the stage's best step); null without an evaluate function. */
  value: number | null;
  /** The step whose map was kept (the best evaluated one, else the last). */
  keptStep: number;
  /** The evaluation's other metrics at the kept step, when it gave any. */
  details?: Record<string, number>;
  /** Mean transport cost of the stage's map over its last steps (from the previous stage's output). */
  cost: number | null;
  /** Wall-clock seconds spent training the stage, across resumes (0 for a given stage). */
  seconds: number;
  /** This depth is the one selected: the stack the run keeps is stages 1 to this one. */
  selected: boolean;
}
