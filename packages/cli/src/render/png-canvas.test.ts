import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { PngCanvas } from './png-canvas';

describe('PngCanvas', () => {
  it('blends with alpha over the background', () => {
    const c = new PngCanvas(4, 3, [255, 255, 255]);
    c.blend(1, 1, [0, 0, 0], 0.5);
    c.blend(2, 1, [10, 20, 30], 1);
    expect(c.pixel(1, 1)).toEqual([128, 128, 128, 255]);
    expect(c.pixel(2, 1)).toEqual([10, 20, 30, 255]);
    expect(c.pixel(0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('ignores pixels outside the canvas or the clip', () => {
    const c = new PngCanvas(4, 4);
    c.blend(-1, 0, [0, 0, 0], 1);
    c.blend(4, 0, [0, 0, 0], 1);
    c.setClip(0, 0, 2, 2);
    c.fillRect(0, 0, 4, 4, [0, 0, 0]);
    expect(c.pixel(1, 1)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(2, 2)).toEqual([255, 255, 255, 255]);
    c.resetClip();
    c.blend(3, 3, [0, 0, 0], 1);
    expect(c.pixel(3, 3)).toEqual([0, 0, 0, 255]);
  });

  it('fills a disc solid inside and fades at the rim', () => {
    const c = new PngCanvas(21, 21);
    c.fillCircle(10.5, 10.5, 5, [255, 0, 0]);
    expect(c.pixel(10, 10)).toEqual([255, 0, 0, 255]);
    expect(c.pixel(13, 10)).toEqual([255, 0, 0, 255]);
    expect(c.pixel(17, 10)).toEqual([255, 255, 255, 255]);
    const rim = c.pixel(15, 10); // centre 5 px out: half covered
    expect(rim[1]).toBeGreaterThan(60);
    expect(rim[1]).toBeLessThan(200);
  });

  it('draws horizontal, vertical and diagonal lines with about one pixel of ink per step', () => {
    const c = new PngCanvas(20, 20);
    c.line(2, 5.5, 18, 5.5, [0, 0, 0]);
    for (let x = 3; x < 17; x++) expect(c.pixel(x, 5)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(10, 4)[0]).toBe(255);
    expect(c.pixel(10, 6)[0]).toBe(255);
    c.line(12.5, 8, 12.5, 18, [0, 0, 255]);
    for (let y = 9; y < 17; y++) expect(c.pixel(12, y)).toEqual([0, 0, 255, 255]);

    const d = new PngCanvas(20, 20);
    d.line(2, 2, 17, 12, [0, 0, 0]); // slope 2/3: ink spread over two rows per column
    for (let x = 4; x < 15; x++) {
      let ink = 0;
      for (let y = 0; y < 20; y++) ink += (255 - d.pixel(x, y)[0]) / 255;
      expect(ink).toBeGreaterThan(0.97);
      expect(ink).toBeLessThan(1.03);
    }
  });

  it('encodes a PNG that decodes to the same pixels', () => {
    const c = new PngCanvas(5, 4, [1, 2, 3]);
    c.blend(4, 3, [200, 100, 50], 1);
    const png = PNG.sync.read(c.toPng());
    expect([png.width, png.height]).toEqual([5, 4]);
    expect(Array.from(png.data.subarray(0, 4))).toEqual([1, 2, 3, 255]);
    const o = 4 * (3 * 5 + 4);
    expect(Array.from(png.data.subarray(o, o + 4))).toEqual([200, 100, 50, 255]);
  });

  it('rejects a bad size with a named error', () => {
    expect(() => new PngCanvas(0, 10)).toThrow('PngCanvas: width must be an integer in [1, 16384], got 0');
  });
});
