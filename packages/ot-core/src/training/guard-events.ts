import type { Divergence, ModeCollapse } from '../solver/divergence-guard';

/** A divergence undone: the step it happened at, why, the step training went back to, and the new learning-rate scale. */
export type DivergenceEvent = {
  /** Marks the event as a rollback. */
  kind: 'divergence';
  /** The step training went back to; the steps after it are run again. */
  restoredStep: number;
  /** The factor both learning rates run at from now on (compounded over rollbacks). */
  learningRateScale: number;
} & Divergence;

/** A mode collapse seen: reported only, training goes on. */
export type CollapseEvent = {
  /** Marks the event as a mode collapse. */
  kind: 'collapse';
} & ModeCollapse;

/** What a guarded training reports besides steps. */
export type GuardEvent = DivergenceEvent | CollapseEvent;
