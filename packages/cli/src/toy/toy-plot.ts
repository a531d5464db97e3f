import { PLOT_COLORS } from '../render/palette';
import type { Rgb } from '../render/png-canvas';
import { type PlotBounds, type ScatterLayer, type ScatterSegments, scatterCanvas } from '../render/scatter-plot';
import { joinPanels } from './join-panels';
import { TOY_PLOT_TAIL, paddedSquare, quantileBox } from './robust-bounds';
import type { ToyEnergy, ToyPoints } from './run-toy';

/** What {@link toyPlot} draws. */
export interface ToyPlotData {
  /** Heading above both panels, e.g. `normal → swiss-roll, strong cost, 500 steps`. */
  title: string;
  points: ToyPoints;
  energy: ToyEnergy;
  /** Width and height of each panel in pixels. */
  panelSize: number;
}

const LINE_GRAY: Rgb = [80, 80, 80];
const DARK_GREEN: Rgb = [46, 110, 40];
// One colour per x for the fans of a stochastic map; orange and green are taken by Q and T♯P.
const { blue, red, purple, teal, brown, pink } = PLOT_COLORS;
const FAN_COLORS: readonly Rgb[] = [blue, red, purple, teal, brown, pink];

/**
 * Two panels on one PNG: left, the learned map (lines x → T(x) over the target, T♯P on top); right, the problem (P and
 * Q). A stochastic map draws several lines per x, one per noise draw, in that x's own colour, so the one-to-many map
 * shows. Both panels share one data rectangle, that of the bulk of P and Q (see quantileBox), so they line up; the
 * few points outside it are clipped. The lines start inside it (runToy picks their x so).
 */
export function toyPlot({ title, points, energy, panelSize }: ToyPlotData): Buffer {
  const { source, target, mapped, from, to, linesPerPoint: k } = points;
  // Headroom for the legend (top right, 14 px a row): the plot area is about panelSize − 51 px high.
  const legendRows = k === 1 ? 4 : 3;
  const frame = paddedSquare(quantileBox([source, target], TOY_PLOT_TAIL), 0.04);
  const bounds = withHeadroom(frame, (legendRows * 14 + 20) / (panelSize - 51));
  const n = mapped.length / 2;
  const starts = everyNth(from, k);
  const cloud: ScatterLayer[] = [
    { points: target, color: PLOT_COLORS.orange, alpha: 0.22, radius: 2, label: 'y ~ Q' },
    { points: mapped, color: PLOT_COLORS.green, alpha: 0.5, radius: 2, label: `T(x), ${n} x ~ P` },
  ];
  let lines: ScatterSegments[];
  let marks: ScatterLayer[];
  if (k === 1) {
    lines = [{ from, to, color: LINE_GRAY, alpha: 0.5, label: 'x → T(x)' }];
    marks = [
      { points: starts, color: PLOT_COLORS.blue, alpha: 1, radius: 3, label: 'x' },
      { points: to, color: DARK_GREEN, alpha: 1, radius: 2.5 },
    ];
  } else {
    lines = [];
    marks = [];
    for (let i = 0; i < starts.length / 2; i++) {
      const color = FAN_COLORS[i % FAN_COLORS.length];
      const range = [2 * i * k, 2 * (i + 1) * k] as const;
      const label = i === 0 ? `x → T(x, z), ${k} z per x` : undefined;
      lines.push({ from: from.subarray(...range), to: to.subarray(...range), color, alpha: 0.7, label });
      marks.push({ points: starts.subarray(2 * i, 2 * i + 2), color, alpha: 1, radius: 3.5 });
      marks.push({ points: to.subarray(...range), color, alpha: 1, radius: 2.5 });
    }
  }
  const mapPanel = scatterCanvas({
    width: panelSize,
    height: panelSize,
    bounds,
    title: k === 1 ? 'learned map x → T(x)' : 'learned map x → T(x, z)',
    layers: [...cloud, ...marks],
    segments: lines,
  });
  const problemPanel = scatterCanvas({
    width: panelSize,
    height: panelSize,
    bounds,
    title: 'source P and target Q',
    layers: [
      { points: source, color: PLOT_COLORS.blue, alpha: 0.45, radius: 2, label: 'x ~ P' },
      { points: target, color: PLOT_COLORS.orange, alpha: 0.45, radius: 2, label: 'y ~ Q' },
    ],
  });
  const footer = [
    `energy distance on ${n} points: T(x) vs Q ${fmt(energy.mapped)}   ` +
      `(P vs Q ${fmt(energy.source)}; Q vs a new sample of Q ${fmt(energy.floor)})`,
  ];
  return joinPanels([mapPanel, problemPanel], { header: title, footer }).toPng('flat');
}

/** The square box grown by `fraction` of its height on top, and by half that on the left and right, so it stays square. */
function withHeadroom(b: PlotBounds, fraction: number): PlotBounds {
  const grow = fraction * (b.yMax - b.yMin);
  return { xMin: b.xMin - grow / 2, xMax: b.xMax + grow / 2, yMin: b.yMin, yMax: b.yMax + grow };
}

/** Every `k`-th (x, y) pair, starting with the first. */
function everyNth(points: Float32Array, k: number): Float32Array {
  const out = new Float32Array(2 * Math.ceil(points.length / 2 / k));
  for (let i = 0, j = 0; i < points.length; i += 2 * k, j += 2) {
    out[j] = points[i];
    out[j + 1] = points[i + 1];
  }
  return out;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a (not finite)';
}
