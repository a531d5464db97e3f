import type { StepReport } from '@not/ot-core';

/** The curves drawn: each a StepReport field, with its colour and label. */
const SERIES = [
  { key: 'mapLoss', colour: '#1f77b4', label: 'T loss' },
  { key: 'potentialLoss', colour: '#d62728', label: 'f loss' },
  { key: 'cost', colour: '#2ca02c', label: 'cost' },
] as const;

const SVG = 'http://www.w3.org/2000/svg';
const [WIDTH, HEIGHT, PAD] = [600, 220, 36];

/**
 * Redraws the loss curves (T loss, f loss and transport cost per outer step) into `svg`: one polyline per curve
 * (`data-series` names it), axes scaled to the steps and values so far, and a legend.
 */
export function drawLossChart(svg: SVGSVGElement, reports: readonly StepReport[]): void {
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.replaceChildren();
  const values = reports.flatMap((r) => SERIES.map((s) => r[s.key])).filter(Number.isFinite);
  const [low, high] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const span = high - low || 1;
  const lastStep = Math.max(2, reports.at(-1)?.step ?? 2);
  const x = (step: number) => PAD + ((step - 1) / (lastStep - 1)) * (WIDTH - 2 * PAD);
  const y = (v: number) => HEIGHT - PAD - ((v - low) / span) * (HEIGHT - 2 * PAD);
  const add = (name: string, attributes: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
  };
  add('rect', { x: PAD, y: PAD, width: WIDTH - 2 * PAD, height: HEIGHT - 2 * PAD, fill: 'none', stroke: '#ccc' });
  if (low < 0 && high > 0) add('line', { x1: PAD, x2: WIDTH - PAD, y1: y(0), y2: y(0), stroke: '#ddd' });
  add('text', { x: 2, y: PAD + 4, 'font-size': 11 }, fmt(high));
  add('text', { x: 2, y: HEIGHT - PAD + 4, 'font-size': 11 }, fmt(low));
  add('text', { x: WIDTH - PAD, y: HEIGHT - 8, 'font-size': 11, 'text-anchor': 'end' }, `step ${reports.at(-1)?.step ?? 0}`);
  SERIES.forEach((s, i) => {
    // A non-finite loss (a step the guard is about to undo) leaves a gap rather than a spike to nowhere.
    const points = reports.filter((r) => Number.isFinite(r[s.key])).map((r) => `${x(r.step).toFixed(1)},${y(r[s.key]).toFixed(1)}`);
    add('polyline', { points: points.join(' '), fill: 'none', stroke: s.colour, 'stroke-width': 1.5, 'data-series': s.key });
    add('text', { x: PAD + 8 + i * 90, y: PAD - 10, 'font-size': 12, fill: s.colour }, s.label);
  });
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2);
}
