import { describe, expect, it } from 'vitest';
import { selectDepth } from './depth-selection';

describe('selectDepth', () => {
  it('goes on while each stage beats the best earlier depth by the margin', () => {
    expect(selectDepth([10], 0.01)).toEqual({ depth: 1, stop: false });
    expect(selectDepth([10, 8], 0.01)).toEqual({ depth: 2, stop: false });
    expect(selectDepth([10, 8, 7.5], 0.05)).toEqual({ depth: 3, stop: false });
  });

  it('stops on a stage that improves by less than the margin, or gets worse, keeping the best depth', () => {
    expect(selectDepth([10, 9.95], 0.01)).toEqual({ depth: 2, stop: true });
    expect(selectDepth([10, 12], 0.01)).toEqual({ depth: 1, stop: true });
    expect(selectDepth([10, 8, 9], 0)).toEqual({ depth: 2, stop: true });
    // Compared with the best earlier depth, not the previous one.
    expect(selectDepth([10, 12, 11], 0)).toEqual({ depth: 1, stop: true });
  });

  it('counts a diverged stage (NaN) as worst, and keeps the shallower depth on a tie', () => {
    expect(selectDepth([10, NaN], 0)).toEqual({ depth: 1, stop: true });
    expect(selectDepth([NaN, 3], 0)).toEqual({ depth: 2, stop: false });
    expect(selectDepth([5, 5], 0)).toEqual({ depth: 1, stop: true });
  });

  it('explains bad input', () => {
    expect(() => selectDepth([], 0)).toThrow('selectDepth: needs the value of at least one stage');
    expect(() => selectDepth([1], -1)).toThrow('selectDepth: margin must be a number >= 0, got -1');
  });
});
