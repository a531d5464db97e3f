import * as tf from '@tensorflow/tfjs-core';
import type { StackEvaluation, StageReport } from '@not/stacking';
import { pushForward, type TransportMap } from '@not/ot-core';
import { imageGrid } from '../render/image-grid';
import { PLOT_COLORS } from '../render/palette';
import { scatterPlot } from '../render/scatter-plot';

/**
 * The stages side by side, one column per fixed test image: x, T1(x), T2∘T1(x), … (one row per depth) and a row of
 * target images y for reference. Stochastic stages draw their noise from fixed seeds, so successive grids compare.
 */
export async function stageGrid(maps: readonly TransportMap[], x: tf.Tensor4D, y: tf.Tensor4D, noiseStd: number, seed: number): Promise<Buffer> {
  const [n, h, w, c] = x.shape;
  const rows = tf.tidy(() => {
    // Each row is the next stage applied to the row above, so a stack of n stages costs n applications.
    const depths: tf.Tensor[] = [];
    maps.reduce<tf.Tensor>((input, map, k) => {
      const output = pushForward(map, input, { std: noiseStd, seed: seed + k });
      depths.push(output);
      return output;
    }, x);
    return tf.concat([x, ...depths, y], 0);
  });
  const values = await rows.data();
  rows.dispose();
  return imageGrid(values, rows.shape[0], h, w, c, { columns: n, scale: h < 64 ? 2 : 1 });
}

/** The validation metric by depth (0: the untranslated source), the selected depth ringed. */
export function metricByDepthPlot(metric: string, source: StackEvaluation | null, reports: readonly StageReport[]): Buffer {
  const points = [...(source ? [[0, source.value]] : []), ...reports.filter((r) => r.value !== null).map((r) => [r.stage, r.value as number])];
  const flat = points.flat();
  const selected = reports.find((r) => r.selected);
  const values = points.map((p) => p[1]).filter(Number.isFinite);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.1;
  const label = metric === 'fid' ? 'FID' : 'classifier FD';
  return scatterPlot({
    width: 560,
    height: 360,
    title: `${label} by depth (0 = source)`,
    equalAspect: false,
    // Headroom at the top for the legend.
    bounds: { xMin: -0.3, xMax: Math.max(1, reports.length) + 0.3, yMin: lo - pad, yMax: hi + 3 * pad },
    segments: [{ from: flat.slice(0, -2), to: flat.slice(2), color: PLOT_COLORS.blue, alpha: 0.8 }],
    layers: [
      { points: flat, color: PLOT_COLORS.blue, radius: 4, alpha: 1, label },
      ...(selected?.value != null ? [{ points: [selected.stage, selected.value], color: PLOT_COLORS.orange, radius: 7, alpha: 0.6, label: `selected: depth ${selected.stage}` }] : []),
    ],
  });
}
