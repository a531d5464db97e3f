import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { dataBounds, scatterCanvas, scatterPlot } from './scatter-plot';

function decode(buf: Buffer): { width: number; height: number; at: (x: number, y: number) => number[] } {
  const png = PNG.sync.read(buf);
  return {
    width: png.width,
    height: png.height,
    at: (x, y) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3)),
  };
}

describe('scatterPlot', () => {
  it('puts each layer colour at its points and leaves background elsewhere', () => {
    const bounds = { xMin: 0, xMax: 10, yMin: 0, yMax: 10 };
    const red = [220, 30, 30] as const;
    const blue = [30, 30, 220] as const;
    const png = scatterPlot({
      width: 200,
      height: 160,
      bounds,
      grid: false,
      layers: [
        { points: new Float32Array([2, 2, 8, 8]), color: red, radius: 3, alpha: 1 },
        { points: new Float32Array([2, 8]), color: blue, radius: 3, alpha: 1 },
      ],
    });
    const img = decode(png);
    expect([img.width, img.height]).toEqual([200, 160]);
    // Without a grid or title the plot area is inset 12 px on the left, top and bottom and 14 px on the right.
    const [left, top, pw, ph] = [12, 12, 200 - 12 - 14, 160 - 12 - 12];
    const px = (x: number) => Math.floor(left + (x / 10) * pw);
    const py = (y: number) => Math.floor(top + ((10 - y) / 10) * ph);
    expect(img.at(px(2), py(2))).toEqual([...red]);
    expect(img.at(px(8), py(8))).toEqual([...red]);
    expect(img.at(px(2), py(8))).toEqual([...blue]);
    expect(img.at(px(8), py(2))).toEqual([255, 255, 255]);
    expect(img.at(px(5), py(5))).toEqual([255, 255, 255]);
  });

  it('uses scatterCanvas for the same pixels', () => {
    const opts = { width: 64, height: 64, layers: [{ points: [0, 0, 1, 1], color: [0, 0, 0] as const }] };
    expect(Buffer.compare(scatterPlot(opts), scatterCanvas(opts).toPng())).toBe(0);
  });

  it('draws segments between their end points, clipped to the plot', () => {
    const img = decode(
      scatterPlot({
        width: 120,
        height: 120,
        grid: false,
        bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 },
        layers: [],
        segments: [{ from: [0.1, 0.5, 0.5, -5], to: [0.9, 0.5, 0.5, 5], color: [0, 128, 0], alpha: 1 }],
      }),
    );
    // Horizontal line at y = 0.5, i.e. pixel row 12 + 0.5·96 = 60 (centre 60.0 splits rows 59 and 60).
    const ink = (x: number, y: number) => 255 - img.at(x, y)[0];
    expect(ink(40, 59) + ink(40, 60)).toBeGreaterThan(240);
    // The vertical one at x = 0.5 (pixel 12 + 0.5·94 = 59.0, between columns 58 and 59) runs far outside the
    // bounds but stops at the frame.
    expect(ink(58, 30) + ink(59, 30)).toBeGreaterThan(240);
    expect(img.at(58, 3)).toEqual([255, 255, 255]);
    expect(img.at(59, 117)).toEqual([255, 255, 255]);
  });

  it('bounds the data automatically with a margin, at equal aspect', () => {
    const b = dataBounds([{ points: [0, 0, 10, 2, Number.NaN, 100], color: [0, 0, 0] }]);
    expect(b).toEqual({ xMin: -0.5, xMax: 10.5, yMin: -0.1, yMax: 2.1 });
    expect(dataBounds([])).toEqual({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });
    expect(dataBounds([{ points: [3, 4], color: [0, 0, 0] }])).toEqual({ xMin: 2, xMax: 4, yMin: 3, yMax: 5 });

    // Both extreme points land inside the image, as dots of their colour.
    const img = decode(
      scatterPlot({ width: 300, height: 200, layers: [{ points: [-3, -1, 7, 1], color: [255, 0, 0], alpha: 1, radius: 4 }] }),
    );
    let red = 0;
    for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) if (img.at(x, y).join() === '255,0,0') red++;
    expect(red).toBeGreaterThan(2 * 30);
  });

  it('draws a title and legend without error, and notes skipped non-finite points', () => {
    const canvas = scatterCanvas({
      width: 300,
      height: 240,
      title: 'x → T(x)',
      layers: [{ points: [0, 0, 1, 1, Number.NaN, 0], color: [0, 0, 255], label: 'source' }],
      segments: [{ from: [0, 0], to: [1, 1], color: [128, 128, 128], label: 'T', arrowHead: 6 }],
    });
    // Title is dark text in the top band.
    let dark = 0;
    for (let y = 0; y < 26; y++) for (let x = 0; x < 300; x++) if (canvas.pixel(x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(50);
    // The warning is red text.
    let warn = 0;
    for (let y = 0; y < 240; y++) for (let x = 0; x < 300; x++) {
      const [r, g] = canvas.pixel(x, y);
      if (r === 200 && g === 40) warn++;
    }
    expect(warn).toBeGreaterThan(20);
  });

  it('names bad inputs', () => {
    expect(() => scatterPlot({ layers: [{ points: [1, 2, 3], color: [0, 0, 0] }] })).toThrow(
      'scatterPlot: layers[0].points must hold interleaved (x, y) pairs (an even number of values), got 3',
    );
    expect(() => scatterPlot({ layers: [], segments: [{ from: [0, 0], to: [], color: [0, 0, 0] }] })).toThrow(
      'scatterPlot: segments[0].to must hold as many values as .from (2), got 0',
    );
    expect(() => scatterPlot({ layers: [], bounds: { xMin: 1, xMax: 1, yMin: 0, yMax: 1 } })).toThrow(
      'scatterPlot: bounds must be finite with xMax > xMin and yMax > yMin',
    );
  });
});
