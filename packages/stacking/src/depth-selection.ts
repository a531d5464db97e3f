/** What {@link selectDepth} decides after a stage. */
export interface DepthDecision {
  /** The depth (number of stages) with the lowest validation value; the shallower on a tie. */
  depth: number;
  /** Whether to stop: the newest stage did not improve on the best earlier depth by the margin. */
  stop: boolean;
}

/**
 * Automatic depth selection. `values[i]` is the validation metric (lower is better: FID, a Fréchet distance,
 * L2-UVP) of the stack of depth i + 1. A new stage must beat the best earlier depth by `margin`, relative
 * (0.01: by 1%), or training stops; either way the best depth so far is kept. A value that is not a number (a
 * diverged stage) counts as worse than any other.
 */
export function selectDepth(values: readonly number[], margin: number): DepthDecision {
  if (values.length === 0) throw new Error('selectDepth: needs the value of at least one stage');
  if (!(margin >= 0)) throw new Error(`selectDepth: margin must be a number >= 0, got ${margin}`);
  const score = (v: number) => (Number.isNaN(v) ? Infinity : v);
  let depth = 1;
  values.forEach((v, i) => {
    if (score(v) < score(values[depth - 1])) depth = i + 1;
  });
  if (values.length === 1) return { depth, stop: false };
  const earlierBest = Math.min(...values.slice(0, -1).map(score));
  const newest = score(values[values.length - 1]);
  const threshold = Number.isFinite(earlierBest) ? earlierBest - margin * Math.abs(earlierBest) : Infinity;
  return { depth, stop: !(newest < threshold) };
}
