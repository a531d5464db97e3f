import { describe, expect, it } from 'vitest';
import { drawText, textWidth } from './bitmap-font';
import { PngCanvas } from './png-canvas';

function inkColumns(c: PngCanvas): number[] {
  const cols: number[] = [];
  for (let x = 0; x < c.width; x++) {
    for (let y = 0; y < c.height; y++) {
      if (c.pixel(x, y)[0] < 128) {
        cols.push(x);
        break;
      }
    }
  }
  return cols;
}

describe('bitmap font', () => {
  it('measures 6 px per character less the last gap, times scale', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('ab')).toBe(11);
    expect(textWidth('ab', 2)).toBe(22);
  });

  it('draws glyphs inside their cells, scaled', () => {
    const c = new PngCanvas(30, 20);
    drawText(c, 'T1', 2, 3, [0, 0, 0], 2);
    // T's top bar spans its whole 5-column cell (10 px at scale 2), on row 0 (2 px).
    for (let x = 2; x < 12; x++) expect(c.pixel(x, 3)[0]).toBe(0);
    expect(c.pixel(2, 5)[0]).toBe(255);
    const cols = inkColumns(c);
    expect(Math.min(...cols)).toBe(2);
    expect(Math.max(...cols)).toBeLessThan(2 + textWidth('T1', 2));
  });

  it('shows a box for characters it lacks', () => {
    const c = new PngCanvas(7, 9);
    drawText(c, '€', 1, 1, [0, 0, 0]);
    expect(c.pixel(1, 1)[0]).toBe(0);
    expect(c.pixel(5, 7)[0]).toBe(0);
    expect(c.pixel(3, 4)[0]).toBe(255);
  });
});
