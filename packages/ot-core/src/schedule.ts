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
  if (!(steps > 0)) throw new Error(`linearRamp: steps must be > 0, got ${steps}`);
  return (step) => {
    const t = Math.min(1, Math.max(0, (step - start) / steps));
    return from + (to - from) * t;
  };
}
