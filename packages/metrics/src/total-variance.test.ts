import { describe, expect, it } from 'vitest';
import { totalVariance } from './total-variance';

describe('totalVariance', () => {
  it('sums the per-coordinate variances (biased by default, as numpy var)', () => {
    const p = { data: [1, 2, 3, 4, 5, 0], shape: [3, 2] };
    // Coordinates 1,3,5 and 2,4,0: squared deviations 8 and 8.
    expect(totalVariance(p)).toBeCloseTo(16 / 3, 14);
    expect(totalVariance(p, { unbiased: true })).toBeCloseTo(8, 14);
    expect(() => totalVariance({ data: [1, 2], shape: [1, 2] }, { unbiased: true })).toThrow(
      /totalVariance: the unbiased variance needs N >= 2 points, got 1/,
    );
  });
});
