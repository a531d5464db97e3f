import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { imageGrid, NAN_COLOR } from './image-grid';

function decode(buf: Buffer): { width: number; height: number; at: (x: number, y: number) => number[] } {
  const png = PNG.sync.read(buf);
  return {
    width: png.width,
    height: png.height,
    at: (x, y) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3)),
  };
}

describe('imageGrid', () => {
  // Two 2×3 grayscale images: the first a ramp, the second constant −1 except one over-range pixel.
  const h = 2;
  const w = 3;
  const images = new Float32Array([-1, 0, 1, 0.5, -0.5, 2, -1, -1, -1, -1, -1, 3]);

  it('places images at their offsets with [-1, 1] mapped to 0..255, gray to RGB', () => {
    const img = decode(imageGrid(images, 2, h, w, 1, { columns: 2, padding: 1, background: [10, 200, 10] }));
    expect([img.width, img.height]).toEqual([2 * 3 + 3 * 1, 2 + 2 * 1]);
    expect(img.at(0, 0)).toEqual([10, 200, 10]);
    // Image 0 at (1, 1).
    expect(img.at(1, 1)).toEqual([0, 0, 0]);
    expect(img.at(2, 1)).toEqual([128, 128, 128]);
    expect(img.at(3, 1)).toEqual([255, 255, 255]);
    expect(img.at(1, 2)).toEqual([191, 191, 191]);
    expect(img.at(3, 2)).toEqual([255, 255, 255]); // 2 clipped to 1
    // Padding column between them, then image 1 at (1 + 3 + 1, 1).
    expect(img.at(4, 1)).toEqual([10, 200, 10]);
    expect(img.at(5, 1)).toEqual([0, 0, 0]);
    expect(img.at(7, 2)).toEqual([255, 255, 255]);
  });

  it('wraps rows by columns and upscales by scale', () => {
    const img = decode(imageGrid(images, 2, h, w, 1, { columns: 1, padding: 2, scale: 3 }));
    expect([img.width, img.height]).toEqual([3 * 3 + 2 * 2, 2 * (2 * 3) + 3 * 2]);
    // Image 0 pixel (x=1, y=1) → block at (2 + 3, 2 + 3).
    for (const [dx, dy] of [[0, 0], [2, 2]]) expect(img.at(5 + dx, 5 + dy)).toEqual([64, 64, 64]);
    // Image 1 starts at y = 2 + 6 + 2 = 10.
    expect(img.at(2, 10)).toEqual([0, 0, 0]);
    expect(img.at(2, 9)).toEqual([255, 255, 255]);
  });

  it('reads RGB images and flags NaN', () => {
    const rgb = new Float32Array([1, -1, -1, -1, 1, Number.NaN]);
    const img = decode(imageGrid(rgb, 1, 1, 2, 3, { padding: 0 }));
    expect([img.width, img.height]).toEqual([2, 1]);
    expect(img.at(0, 0)).toEqual([255, 0, 0]);
    expect(img.at(1, 0)).toEqual([...NAN_COLOR]);
  });

  it('defaults to a near-square grid', () => {
    const img = decode(imageGrid(new Float32Array(5 * 4), 5, 2, 2, 1));
    // ⌈√5⌉ = 3 columns, 2 rows, padding 2.
    expect([img.width, img.height]).toEqual([3 * 2 + 4 * 2, 2 * 2 + 3 * 2]);
  });

  it('names bad inputs', () => {
    expect(() => imageGrid(images, 3, h, w, 1)).toThrow('imageGrid: images must hold n·h·w·c = 18 values, got 12');
    expect(() => imageGrid(images, 2, h, w, 2)).toThrow('imageGrid: c must be 1 or 3 channels, got 2');
    expect(() => imageGrid(images, 2, h, w, 1, { scale: 1.5 })).toThrow('imageGrid: scale must be a positive integer, got 1.5');
  });
});
