import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resizeImages } from './resize';

// Written by fixtures/make-resize-fixtures.py with PyTorch 1.13 and Pillow 9.4.
interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  outH: number;
  outW: number;
  images: number[];
  torch: number[];
  pil: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/resize.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

const label = (k: Case): string => `${k.n}×${k.h}×${k.w}×${k.c} → ${k.outH}×${k.outW}`;

describe('resizeImages', () => {
  for (const k of fixture.cases) {
    it(`'bilinear' matches torch F.interpolate within 1e-4: ${label(k)}`, () => {
      const out = resizeImages(Uint8Array.from(k.images), k.n, k.h, k.w, k.c, k.outH, k.outW, 'bilinear');
      expect(out).toBeInstanceOf(Float32Array);
      expect(out.length).toBe(k.torch.length);
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - k.torch[i]));
      expect(worst).toBeLessThanOrEqual(1e-4);
    });

    it(`'pil-bilinear' matches PIL Image.resize(BILINEAR) exactly: ${label(k)}`, () => {
      const out = resizeImages(Uint8Array.from(k.images), k.n, k.h, k.w, k.c, k.outH, k.outW, 'pil-bilinear');
      expect(Array.from(out)).toEqual(k.pil);
    });
  }

  it('returns the values unchanged at the same size, in both modes', () => {
    const images = Uint8Array.from({ length: 2 * 3 * 4 * 3 }, (_, i) => (i * 37) % 256);
    for (const mode of ['bilinear', 'pil-bilinear'] as const) {
      expect(Array.from(resizeImages(images, 2, 3, 4, 3, 3, 4, mode))).toEqual(Array.from(images));
    }
  });

  it('keeps a constant image constant (coefficients sum to one)', () => {
    const images = new Uint8Array(1 * 37 * 23 * 1).fill(201);
    for (const [oh, ow] of [
      [5, 3],
      [64, 64],
      [11, 40],
    ]) {
      expect(new Set(resizeImages(images, 1, 37, 23, 1, oh, ow, 'pil-bilinear'))).toEqual(new Set([201]));
      const torch = resizeImages(images, 1, 37, 23, 1, oh, ow, 'bilinear');
      for (const v of torch) expect(v).toBeCloseTo(201, 4);
    }
  });

  it('handles an empty batch and validates its arguments', () => {
    expect(resizeImages(new Uint8Array(0), 0, 4, 4, 3, 2, 2, 'bilinear').length).toBe(0);
    expect(() => resizeImages(new Uint8Array(10), 1, 2, 2, 3, 1, 1, 'bilinear')).toThrow(
      'resizeImages: images must hold n·h·w·c = 1·2·2·3 = 12 values, got 10',
    );
    expect(() => resizeImages(new Uint8Array(12), 1, 2, 2, 3, 0, 1, 'bilinear')).toThrow(
      'resizeImages: outH must be an integer >= 1, got 0',
    );
    expect(() => resizeImages(new Uint8Array(12), 1, 2, 2, 3, 1, 1, 'nearest' as never)).toThrow(
      "resizeImages: mode must be 'bilinear' or 'pil-bilinear', got nearest",
    );
  });
});
