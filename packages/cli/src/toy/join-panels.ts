import { drawText, FONT_HEIGHT, textWidth } from '../render/bitmap-font';
import { PngCanvas, type Rgb } from '../render/png-canvas';

/** Options of {@link joinPanels}. */
export interface JoinPanelsOptions {
  /** A title centred above the panels, drawn at twice the font size. */
  header?: string;
  /** Lines of text centred in a band under the panels (e.g. scores). */
  footer?: string[];
  background?: Rgb;
  color?: Rgb;
}

const HEADER_SCALE = 2;

/** Places canvases of equal height side by side on one canvas, with an optional header and footer of text. */
export function joinPanels(
  panels: PngCanvas[],
  { header, footer = [], background = [255, 255, 255], color = [34, 34, 34] }: JoinPanelsOptions = {},
): PngCanvas {
  if (panels.length === 0) throw new Error('joinPanels: panels must hold at least one canvas, got none');
  const height = panels[0].height;
  panels.forEach((p, i) => {
    if (p.height !== height) throw new Error(`joinPanels: panels[${i}] is ${p.height} px high, expected ${height} like panels[0]`);
  });
  const lineHeight = FONT_HEIGHT + 6;
  const top = header ? FONT_HEIGHT * HEADER_SCALE + 16 : 0;
  const bottom = footer.length ? footer.length * lineHeight + 8 : 0;
  const width = panels.reduce((sum, p) => sum + p.width, 0);
  const out = new PngCanvas(width, top + height + bottom, background);
  let left = 0;
  for (const panel of panels) {
    // Row by row: both rasters are RGBA, row-major.
    for (let y = 0; y < height; y++) {
      out.data.set(panel.data.subarray(4 * y * panel.width, 4 * (y + 1) * panel.width), 4 * ((top + y) * width + left));
    }
    left += panel.width;
  }
  if (header) drawText(out, header, Math.round((width - textWidth(header, HEADER_SCALE)) / 2), 10, color, HEADER_SCALE);
  footer.forEach((line, i) => {
    drawText(out, line, Math.round((width - textWidth(line)) / 2), top + height + 2 + i * lineHeight, color);
  });
  return out;
}
