import { PLOT_COLOR_CYCLE } from './palette';
import { ticks } from './ticks';

/** One line of a chart: (x, y) points in data coordinates; non-finite y values break the line. */
export interface ChartSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** A vertical marker at x (an event), labelled in its tooltip. */
export interface ChartMarker {
  x: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  series: ChartSeries[];
  markers?: ChartMarker[];
  /** Pixels. Default 640 × 260. */
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 16, top: 28, bottom: 40 };

/** Escapes text for XML and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A line chart as an inline SVG element: axes with round ticks, one polyline per series (its points in order, gaps
 * where y is not finite), a legend, and dashed vertical markers with tooltips. Self-contained: no script, no fonts.
 */
export function lineChart({ title, xLabel, series, markers = [], width = 640, height = 260 }: LineChartOptions): string {
  const finite = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${MARGIN.left}" y="18" class="chart-title">${escapeXml(title)}</text>`;
  if (finite.length === 0) return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-empty">no data</text></svg>`;

  const [xMin, xMax] = padded(Math.min(...finite.map((p) => p[0])), Math.max(...finite.map((p) => p[0])), 0);
  const [yMin, yMax] = padded(Math.min(...finite.map((p) => p[1])), Math.max(...finite.map((p) => p[1])), 0.05);
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [head];
  const xt = ticks(xMin, xMax, 6);
  const yt = ticks(yMin, yMax, 6);
  yt.values.forEach((v, i) => {
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(py(v))}" y2="${f(py(v))}" class="${v === 0 ? 'grid zero' : 'grid'}"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${f(py(v) + 4)}" text-anchor="end" class="tick">${yt.labels[i]}</text>`);
  });
  xt.values.forEach((v, i) => {
    parts.push(`<line x1="${f(px(v))}" x2="${f(px(v))}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom + 4}" class="axis"/>`);
    parts.push(`<text x="${f(px(v))}" y="${height - MARGIN.bottom + 16}" text-anchor="middle" class="tick">${xt.labels[i]}</text>`);
  });
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" class="frame"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis-label">${escapeXml(xLabel)}</text>`);
  for (const m of markers) {
    if (m.x < xMin || m.x > xMax) continue;
    parts.push(`<line x1="${f(px(m.x))}" x2="${f(px(m.x))}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" class="marker"><title>${escapeXml(m.label)}</title></line>`);
  }
  series.forEach((s, k) => {
    const color = `rgb(${PLOT_COLOR_CYCLE[k % PLOT_COLOR_CYCLE.length].join(',')})`;
    const d = pathData(s.points, (x, y) => `${f(px(x))},${f(py(y))}`);
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5" class="series" data-series="${escapeXml(s.name)}"><title>${escapeXml(s.name)}</title></path>`);
    const ly = MARGIN.top + 12 + 14 * k;
    parts.push(`<line x1="${width - MARGIN.right - 120}" x2="${width - MARGIN.right - 104}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - MARGIN.right - 100}" y="${ly}" class="legend">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** "M a L b L c M d …": one subpath per run of finite points. */
function pathData(points: ReadonlyArray<readonly [number, number]>, at: (x: number, y: number) => string): string {
  let d = '';
  let open = false;
  for (const [x, y] of points) {
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      open = false;
      continue;
    }
    d += `${d ? ' ' : ''}${open ? 'L' : 'M'}${at(x, y)}`;
    open = true;
  }
  return d;
}

/** [lo, hi] widened by `fraction` of the span each way, and to a unit span around a single value. */
function padded(lo: number, hi: number, fraction: number): [number, number] {
  if (hi === lo) return [lo - 0.5 * Math.max(1, Math.abs(lo)), hi + 0.5 * Math.max(1, Math.abs(hi))];
  const pad = (hi - lo) * fraction;
  return [lo - pad, hi + pad];
}
