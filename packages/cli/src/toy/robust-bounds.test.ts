import { describe, expect, it } from 'vitest';
import { inBox, paddedSquare, quantileBox } from './robust-bounds';

describe('quantileBox', () => {
  it('leaves the tails out on each axis, over all sets together', () => {
    // x = 0..99 in one set, y = 0..99 in another (interleaved pairs), plus one far outlier.
    const a = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? i / 2 : 0));
    const b = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 1 ? (i - 1) / 2 : 0));
    const outlier = [1e6, -1e6];
    expect(quantileBox([a, b, outlier], 0)).toEqual({ xMin: 0, xMax: 1e6, yMin: -1e6, yMax: 99 });
    const box = quantileBox([a, b, outlier], 0.01);
    expect(box.xMax).toBeLessThan(100);
    expect(box.yMin).toBe(0);
  });

  it('ignores non-finite values and rejects a bad tail', () => {
    expect(quantileBox([[Number.NaN, 1, 2, Number.POSITIVE_INFINITY]], 0)).toEqual({ xMin: 2, xMax: 2, yMin: 1, yMax: 1 });
    expect(quantileBox([[]], 0.1)).toEqual({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });
    expect(() => quantileBox([[0, 0]], 0.5)).toThrow('quantileBox: tail must lie in [0, 0.5), got 0.5');
  });
});

describe('paddedSquare and inBox', () => {
  it('pads the longer side and centres a square on the box', () => {
    expect(paddedSquare({ xMin: 0, xMax: 4, yMin: 0, yMax: 2 }, 0.25)).toEqual({ xMin: -1, xMax: 5, yMin: -2, yMax: 4 });
    const b = { xMin: 0, xMax: 1, yMin: 0, yMax: 1 };
    expect([inBox(b, 0, 1), inBox(b, 0.5, 0.5), inBox(b, 1.01, 0.5), inBox(b, 0.5, -0.01)]).toEqual([true, true, false, false]);
  });
});
