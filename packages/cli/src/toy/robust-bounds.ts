import type { PlotBounds } from '../render/scatter-plot';

/** Share of the points left out at each end of each axis when framing toy plots (see {@link quantileBox}). */
export const TOY_PLOT_TAIL = 0.005;

/**
 * The box holding all but a `tail` share of the (x, y) points at each end of each axis, over several interleaved
 * point sets together. Framing a plot by it keeps a few far-out points (a Gaussian's tails) from shrinking the rest.
 * Non-finite values are ignored; with none left the box is [−1, 1]².
 */
export function quantileBox(sets: ArrayLike<number>[], tail: number): PlotBounds {
  if (!(tail >= 0 && tail < 0.5)) throw new Error(`quantileBox: tail must lie in [0, 0.5), got ${tail}`);
  const axis = (offset: number): [number, number] => {
    const values: number[] = [];
    for (const set of sets) for (let i = offset; i < set.length; i += 2) if (Number.isFinite(set[i])) values.push(set[i]);
    if (values.length === 0) return [-1, 1];
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.round(q * (values.length - 1))];
    return [at(tail), at(1 - tail)];
  };
  const [xMin, xMax] = axis(0);
  const [yMin, yMax] = axis(1);
  return { xMin, xMax, yMin, yMax };
}

/** The box grown by `margin` times its size on every side, then to a square about its centre. */
export function paddedSquare(b: PlotBounds, margin: number): PlotBounds {
  const half = Math.max((b.xMax - b.xMin) * (0.5 + margin), (b.yMax - b.yMin) * (0.5 + margin), 1e-6);
  const [cx, cy] = [(b.xMin + b.xMax) / 2, (b.yMin + b.yMax) / 2];
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/** True when (x, y) lies in the box, edges included. */
export function inBox(b: PlotBounds, x: number, y: number): boolean {
  return x >= b.xMin && x <= b.xMax && y >= b.yMin && y <= b.yMax;
}
