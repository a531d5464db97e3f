/** A validation result of a stack: `value` decides (lower is better); `details` are shown in reports. */
export interface StackEvaluation {
  value: number;
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
  init: StageInit;
  pushforward: PushforwardUse;
  /** Validation value of the stack of this depth (at the stage's best step); null without an evaluate function. */
  value: number | null;
  /** The step whose map was kept (the best evaluated one, else the last). */
  keptStep: number;
  details?: Record<string, number>;
  /** Mean transport cost of the stage's map over its last steps (from the previous stage's output). */
  cost: number | null;
  seconds: number;
  /** This depth is the one selected: the stack the run keeps is stages 1 to this one. */
  selected: boolean;
}
