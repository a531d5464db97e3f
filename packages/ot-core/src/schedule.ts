import { argumentError } from './checks';
import type { Schedule } from './types';

/** A number, or a Schedule giving the number at each training step. */
export type Scheduled = number | Schedule;

/** The value of a Scheduled at a step. */
export function valueAt(value: Scheduled, step: number): number {
  return typeof value === 'function' ? value(step) : value;
}

/** The same value at every step. */
export function constant(value: number): Schedule {
  return () => value;
}

/**
 * Linear ramp from `from` to `to` over `steps` steps starting at `start`, constant outside.
 * The weak-NOT reference ramps γ from 0 to 0.66 over the first 25k outer steps.
 */
export function linearRamp({ from, to, steps, start = 0 }: { from: number; to: number; steps: number; start?: number }): Schedule {
  if (!(steps > 0)) throw argumentError('linearRamp', 'steps', '> 0', steps);
  return (step) => {
    const t = Math.min(1, Math.max(0, (step - start) / steps));
    return from + (to - from) * t;
  };
}

/**
 * Cosine decay from `peak` to `floor`·peak over `steps` steps, then constant: large steps early, small ones to settle
 * near the end of training (a saddle-point problem keeps jittering around its solution at a fixed step size).
 */
export function cosineDecay({ peak, steps, floor = 0.05 }: { peak: number; steps: number; floor?: number }): Schedule {
  if (!(steps > 0)) throw argumentError('cosineDecay', 'steps', '> 0', steps);
  if (!(floor >= 0 && floor <= 1)) throw new Error(`cosineDecay: floor must lie in [0, 1], got ${floor}`);
  return (step) => peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / steps))));
}
