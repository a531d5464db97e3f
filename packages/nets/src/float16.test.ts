import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

describe('half precision', () => {
  it('converts to and from binary16 like numpy', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -14, 0x0400], [2 ** -24, 0x0001],
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [1 / 3, 0x3555], [65520, 0x7c00], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66],
    ];
    for (const [value, bits] of cases) expect(float32ToFloat16Bits(value), String(value)).toBe(bits);
    for (const [value, bits] of cases.slice(0, 9)) expect(float16BitsToFloat32(bits)).toBe(value);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });
});
