import { describe, expect, it } from 'vitest';
import { PngCanvas } from '../render/png-canvas';
import { joinPanels } from './join-panels';

describe('joinPanels', () => {
  it('puts panels side by side under a header band and over a footer band', () => {
    const red = new PngCanvas(30, 20, [255, 0, 0]);
    const blue = new PngCanvas(50, 20, [0, 0, 255]);
    const plain = joinPanels([red, blue]);
    expect([plain.width, plain.height]).toEqual([80, 20]);
    expect(plain.pixel(29, 10).slice(0, 3)).toEqual([255, 0, 0]);
    expect(plain.pixel(30, 10).slice(0, 3)).toEqual([0, 0, 255]);

    const framed = joinPanels([red, blue], { header: 'H', footer: ['a', 'b'] });
    const top = 30; // the header band: a 7-px font at scale 2, plus 16 px
    expect(framed.pixel(5, top - 1).slice(0, 3)).toEqual([255, 255, 255]);
    expect(framed.pixel(5, top).slice(0, 3)).toEqual([255, 0, 0]);
    expect(framed.pixel(79, top + 19).slice(0, 3)).toEqual([0, 0, 255]);
    expect(framed.height).toBeGreaterThan(20 + 30 + 2 * 7);
  });

  it('rejects no panels and panels of different heights', () => {
    expect(() => joinPanels([])).toThrow('joinPanels: panels must hold at least one canvas, got none');
    expect(() => joinPanels([new PngCanvas(4, 4), new PngCanvas(4, 5)])).toThrow(
      'joinPanels: panels[1] is 5 px high, expected 4 like panels[0]',
    );
  });
});
