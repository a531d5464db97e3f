import { drawText, FONT_HEIGHT, textWidth } from './bitmap-font';
import { PngCanvas, type Rgb } from './png-canvas';
import { ticks } from './ticks';

/** One set of points drawn as dots. */
export interface ScatterLayer {
  /** Interleaved (x, y) pairs in data coordinates. Non-finite points are skipped (and counted in a note). */
  points: ArrayLike<number>;
  /** Dot colour. */
  color: Rgb;
  /** Dot radius in pixels. Default 2.5. */
  radius?: number;
  /** Dot opacity, 0..1. Default 0.75, so dense regions read darker. */
  alpha?: number;
  /** Legend entry; layers without one stay out of the legend. */
  label?: string;
}

/** Line segments from[i] → to[i], e.g. x → T(x). */
export interface ScatterSegments {
  /** Interleaved (x, y) start points. */
  from: ArrayLike<number>;
  /** Interleaved (x, y) end points, as many as `from`. */
  to: ArrayLike<number>;
  /** Line colour. */
  color: Rgb;
  /** Line opacity, 0..1. Default 0.6. */
  alpha?: number;
  /** Length in pixels of a small arrow head at each end point; 0 (default) draws plain lines. */
  arrowHead?: number;
  /** Legend entry. */
  label?: string;
}

/** Visible data rectangle. */
export interface PlotBounds {
  /** Left edge, in data units. */
  xMin: number;
  /** Right edge; must exceed `xMin`. */
  xMax: number;
  /** Bottom edge, in data units. */
  yMin: number;
  /** Top edge; must exceed `yMin`. */
  yMax: number;
}

/** Options of {@link scatterPlot}. */
export interface ScatterPlotOptions {
  /** Image size in pixels. Defaults 600 × 600. */
  width?: number;
  /** Image height in pixels. Default 600. */
  height?: number;
  /** Drawn in order, later layers on top (after all segments). */
  layers: ScatterLayer[];
  /** Line sets drawn under the dots. Default none. */
  segments?: ScatterSegments[];
  /** Caption centred above the plot, in double-size text. Default none. */
  title?: string;
  /** Data rectangle to show. Default: every finite point and segment end, plus a 5% margin, at equal x/y scale. */
  bounds?: PlotBounds;
  /** With automatic bounds, widen the narrower axis so one unit is as long in x as in y. Default true. */
  equalAspect?: boolean;
  /** Light grid with tick labels. Default true. */
  grid?: boolean;
  /** Fill colour of the whole image. Default white. */
  background?: Rgb;
}

const GRID: Rgb = [232, 232, 232];
const ZERO_AXIS: Rgb = [196, 196, 196];
const FRAME: Rgb = [150, 150, 150];
const TICK_TEXT: Rgb = [100, 100, 100];
const TITLE_TEXT: Rgb = [34, 34, 34];
const WARN_TEXT: Rgb = [200, 40, 40];

/** Renders a scatter plot to a PNG (the options: {@link ScatterPlotOptions}). */
export function scatterPlot(options: ScatterPlotOptions): Buffer {
  return scatterCanvas(options).toPng();
}

/**
 * Renders a scatter plot onto a new canvas: light grid with tick labels, segments, layers of alpha-blended dots,
 * an optional title and a legend of the labelled series. Data y points up.
 *
 * @example
 * const png = scatterPlot({
 *   title: 'x → T(x)',
 *   layers: [{ points: x, color: PLOT_COLORS.blue, label: 'x ~ P' }, { points: tx, color: PLOT_COLORS.green }],
 *   segments: [{ from: x, to: tx, color: PLOT_COLORS.gray }],
 * });
 */
export function scatterCanvas(options: ScatterPlotOptions): PngCanvas {
  const fn = 'scatterPlot';
  const width = options.width ?? 600;
  const height = options.height ?? 600;
  const segments = options.segments ?? [];
  const grid = options.grid ?? true;
  options.layers.forEach((l, i) => checkPairs(fn, `layers[${i}].points`, l.points));
  segments.forEach((s, i) => {
    checkPairs(fn, `segments[${i}].from`, s.from);
    checkPairs(fn, `segments[${i}].to`, s.to);
    if (s.from.length !== s.to.length) {
      throw new Error(`${fn}: segments[${i}].to must hold as many values as .from (${s.from.length}), got ${s.to.length}`);
    }
  });
  const canvas = new PngCanvas(width, height, options.background ?? [255, 255, 255]);

  let bounds = options.bounds ?? dataBounds(options.layers, segments);
  checkBounds(fn, bounds);

  // Layout: title band on top, tick labels left and below. Ticks depend only on the bounds.
  const titleScale = 2;
  const top = options.title ? 14 + FONT_HEIGHT * titleScale : 12;
  const right = 14;
  const bottom = grid ? 16 + FONT_HEIGHT : 12;
  const approxTicks = (pixels: number) => Math.max(2, Math.round(pixels / 70));
  let yTicks = ticks(bounds.yMin, bounds.yMax, approxTicks(height));
  const left = grid ? 14 + Math.max(...yTicks.labels.map((s) => textWidth(s))) : 12;
  const pw = width - left - right;
  const ph = height - top - bottom;
  if (pw < 8 || ph < 8) throw new Error(`${fn}: width × height must leave room to plot, got ${width} × ${height}`);

  if (!options.bounds && (options.equalAspect ?? true)) bounds = equalAspect(bounds, pw, ph);
  yTicks = ticks(bounds.yMin, bounds.yMax, approxTicks(ph));
  const xTicks = ticks(bounds.xMin, bounds.xMax, approxTicks(pw));
  const sx = pw / (bounds.xMax - bounds.xMin);
  const sy = ph / (bounds.yMax - bounds.yMin);
  const px = (x: number) => left + (x - bounds.xMin) * sx;
  const py = (y: number) => top + (bounds.yMax - y) * sy;

  if (grid) {
    canvas.setClip(left, top, left + pw, top + ph);
    for (const t of xTicks.values) canvas.fillRect(Math.floor(px(t)), top, 1, ph, t === 0 ? ZERO_AXIS : GRID);
    for (const t of yTicks.values) canvas.fillRect(left, Math.floor(py(t)), pw, 1, t === 0 ? ZERO_AXIS : GRID);
    canvas.resetClip();
    xTicks.values.forEach((t, i) => {
      const x = Math.floor(px(t));
      if (x < left || x >= left + pw) return;
      canvas.fillRect(x, top + ph, 1, 4, FRAME);
      const label = xTicks.labels[i];
      drawText(canvas, label, x - Math.floor(textWidth(label) / 2), top + ph + 7, TICK_TEXT);
    });
    yTicks.values.forEach((t, i) => {
      const y = Math.floor(py(t));
      if (y < top || y >= top + ph) return;
      canvas.fillRect(left - 4, y, 4, 1, FRAME);
      const label = yTicks.labels[i];
      drawText(canvas, label, left - 7 - textWidth(label), y - 3, TICK_TEXT);
    });
  }
  // Frame just outside the plot area, so it never covers data.
  canvas.fillRect(left - 1, top - 1, pw + 2, 1, FRAME);
  canvas.fillRect(left - 1, top + ph, pw + 2, 1, FRAME);
  canvas.fillRect(left - 1, top, 1, ph, FRAME);
  canvas.fillRect(left + pw, top, 1, ph, FRAME);

  canvas.setClip(left, top, left + pw, top + ph);
  let skipped = 0;
  for (const s of segments) {
    const alpha = s.alpha ?? 0.6;
    for (let i = 0; i + 1 < s.from.length; i += 2) {
      const [x0, y0, x1, y1] = [px(s.from[i]), py(s.from[i + 1]), px(s.to[i]), py(s.to[i + 1])];
      if (![x0, y0, x1, y1].every(Number.isFinite)) {
        skipped++;
        continue;
      }
      canvas.line(x0, y0, x1, y1, s.color, alpha);
      if (s.arrowHead) arrowHead(canvas, x0, y0, x1, y1, s.arrowHead, s.color, alpha);
    }
  }
  for (const layer of options.layers) {
    const radius = layer.radius ?? 2.5;
    const alpha = layer.alpha ?? 0.75;
    const p = layer.points;
    for (let i = 0; i + 1 < p.length; i += 2) {
      const [x, y] = [px(p[i]), py(p[i + 1])];
      if (!(Number.isFinite(x) && Number.isFinite(y))) {
        skipped++;
        continue;
      }
      canvas.fillCircle(x, y, radius, layer.color, alpha);
    }
  }

  drawLegend(canvas, [...segments, ...options.layers], left + pw - 8, top + 8);
  if (skipped > 0) {
    drawText(canvas, `${skipped} non-finite not drawn`, left + 6, top + ph - 6 - FONT_HEIGHT, WARN_TEXT);
  }
  canvas.resetClip();
  if (options.title) {
    drawText(canvas, options.title, Math.round((width - textWidth(options.title, titleScale)) / 2), 8, TITLE_TEXT, titleScale);
  }
  return canvas;
}

function checkPairs(fn: string, name: string, values: ArrayLike<number>): void {
  if (values == null || typeof values.length !== 'number' || values.length % 2 !== 0) {
    throw new Error(`${fn}: ${name} must hold interleaved (x, y) pairs (an even number of values), got ${values?.length}`);
  }
}

function checkBounds(fn: string, b: PlotBounds): void {
  const ok = [b.xMin, b.xMax, b.yMin, b.yMax].every(Number.isFinite) && b.xMax > b.xMin && b.yMax > b.yMin;
  if (!ok) {
    throw new Error(`${fn}: bounds must be finite with xMax > xMin and yMax > yMin, got ${JSON.stringify(b)}`);
  }
}

/** The finite data's bounding box with a 5% margin; a degenerate extent widens to ±1 around its value. */
export function dataBounds(layers: ScatterLayer[], segments: ScatterSegments[] = []): PlotBounds {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  const visit = (p: ArrayLike<number>) => {
    for (let i = 0; i + 1 < p.length; i += 2) {
      const [x, y] = [p[i], p[i + 1]];
      if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  };
  layers.forEach((l) => visit(l.points));
  segments.forEach((s) => {
    visit(s.from);
    visit(s.to);
  });
  if (xMin > xMax) return { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  const pad = (lo: number, hi: number): [number, number] => {
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) return [lo - 1, hi + 1];
    const m = 0.05 * (hi - lo);
    return [lo - m, hi + m];
  };
  [xMin, xMax] = pad(xMin, xMax);
  [yMin, yMax] = pad(yMin, yMax);
  return { xMin, xMax, yMin, yMax };
}

/** Widens the narrower range about its centre so that x and y units take the same number of pixels. */
function equalAspect(b: PlotBounds, pw: number, ph: number): PlotBounds {
  const unit = Math.max((b.xMax - b.xMin) / pw, (b.yMax - b.yMin) / ph);
  const cx = (b.xMin + b.xMax) / 2;
  const cy = (b.yMin + b.yMax) / 2;
  return { xMin: cx - (unit * pw) / 2, xMax: cx + (unit * pw) / 2, yMin: cy - (unit * ph) / 2, yMax: cy + (unit * ph) / 2 };
}

function arrowHead(canvas: PngCanvas, x0: number, y0: number, x1: number, y1: number, size: number, color: Rgb, alpha: number): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (len < 1e-9) return;
  const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
  const s = Math.min(size, len / 2);
  for (const sign of [1, -1]) {
    // Wings at ±25° from the shaft.
    const c = Math.cos(0.44);
    const n = Math.sin(0.44) * sign;
    const wx = -(ux * c - uy * n) * s;
    const wy = -(uy * c + ux * n) * s;
    canvas.line(x1, y1, x1 + wx, y1 + wy, color, alpha);
  }
}

function drawLegend(canvas: PngCanvas, series: Array<ScatterLayer | ScatterSegments>, rightX: number, topY: number): void {
  const entries = series.filter((s) => s.label);
  if (entries.length === 0) return;
  const rowH = 14;
  const w = 26 + Math.max(...entries.map((e) => textWidth(e.label ?? '')));
  const h = entries.length * rowH + 8;
  const x = rightX - w;
  canvas.fillRect(x, topY, w, h, [255, 255, 255], 0.85);
  entries.forEach((e, i) => {
    const cy = topY + 4 + i * rowH + rowH / 2;
    if ('points' in e) canvas.fillCircle(x + 11, cy, Math.max(3, Math.min(e.radius ?? 2.5, 5)), e.color, 1);
    else canvas.line(x + 5, cy, x + 18, cy, e.color, 1);
    drawText(canvas, e.label ?? '', x + 22, Math.round(cy - FONT_HEIGHT / 2), TITLE_TEXT);
  });
}
