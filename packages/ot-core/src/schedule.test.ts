import { describe, expect, it } from 'vitest';
import { constant, cosineDecay, linearRamp, valueAt } from './schedule';

describe('schedules', () => {
  it('ramp linearly between the ends and hold outside', () => {
    const ramp = linearRamp({ from: 0, to: 0.66, steps: 100, start: 10 });
    expect([ramp(0), ramp(10), ramp(60), ramp(110), ramp(1000)]).toEqual([0, 0, 0.33, 0.66, 0.66].map((v) => expect.closeTo(v, 12)));
  });

  it('decay along a cosine from the peak to the floor', () => {
    const lr = cosineDecay({ peak: 1e-3, steps: 100, floor: 0.1 });
    expect(lr(0)).toBeCloseTo(1e-3, 12);
    expect(lr(50)).toBeCloseTo(1e-3 * (0.1 + 0.9 * 0.5), 12);
    expect(lr(100)).toBeCloseTo(1e-4, 12);
    expect(lr(500)).toBeCloseTo(1e-4, 12);
    expect(() => cosineDecay({ peak: 1, steps: 0 })).toThrow('cosineDecay: steps must be > 0, got 0');
  });

  it('resolve numbers and schedules alike', () => {
    expect(valueAt(3, 99)).toBe(3);
    expect(valueAt(constant(2), 5)).toBe(2);
    expect(valueAt((s) => s * 2, 5)).toBe(10);
  });
});
