import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { escapeXml } from '../render/svg-chart';
import { PLOT_COLOR_CYCLE } from '../render/palette';
import { ticks } from '../render/ticks';
import { STACK_FILES } from '../stack/stack-run';
import { RUN_FILES } from '../train/train-run';
import { rankRuns, rankValue } from '../sweep/run-sweep';
import type { SweepEntry, SweepFile } from '../sweep/sweep-record';
import { SELF_CHECK } from './self-check';

/**
 * A sweep's page (`not report DIR` on a folder with sweep.json), self-contained like a run's: the runs ranked by
 * their test metric with their swept flags, the metric against each swept flag (a dot per run, a line through the
 * means), each run's picture (a train run's latest sample grid, a stack run's stages), and the spec.
 */
export function sweepHtml(file: SweepFile, dir: string): string {
  const ranked = rankRuns(file.runs);
  const swept = [...new Set(file.runs.flatMap((r) => Object.keys(r.swept)))];
  const metric = ranked.find((r) => r.metric)?.metric ?? 'metric';
  const counts = { done: 0, failed: 0, running: 0, pending: 0 };
  for (const r of file.runs) counts[r.status]++;
  const plots = swept.map((flag) => metricPlot(flag, metric, file.runs.filter((r) => r.status === 'done' && r.test !== null && r.swept[flag] !== undefined)));
  const pictures = ranked.map((r) => runPicture(r, dir)).filter(Boolean);
  return `<!doctype html>
<html lang="en" data-images="0" data-broken-images="0">
<head>
<meta charset="utf-8">
<title>${escapeXml(`${basename(dir)}: NOT sweep`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(basename(dir))} <small>not sweep</small></h1>
<p class="meta">${escapeXml(dir)} · ${file.runs.length} runs: ${counts.done} done, ${counts.failed} failed, ${counts.running} running, ${counts.pending} waiting · updated ${escapeXml(file.updated.replace('T', ' ').slice(0, 19))} UTC</p>
<h2>Runs, best first</h2>
${rankedTable(ranked, swept, metric)}
<h2>${escapeXml(metric)} on the test split against each swept flag</h2>
${plots.length ? `<div class="charts">${plots.join('')}</div>` : '<p>Nothing is swept.</p>'}
<h2>Each run's grid</h2>
${pictures.length ? `<div class="pictures">${pictures.join('')}</div>` : '<p>No pictures written yet.</p>'}
<h2>Spec</h2>
<pre>${escapeXml(JSON.stringify(file.spec, null, 2))}</pre>
<script>${SELF_CHECK}</script>
</body>
</html>
`;
}

function rankedTable(ranked: SweepEntry[], swept: string[], metric: string): string {
  const head = ['rank', 'run', 'status', ...swept, `${metric} (validation)`, `${metric} (test)`, 'target share', 'depth / step', 'minutes', 'worker', 'error'];
  let rank = 0;
  const rows = ranked.map((r) => {
    const ranked = r.status === 'done' && rankValue(r) !== null ? String(++rank) : '';
    const cells = [
      ranked,
      r.id,
      r.status,
      ...swept.map((f) => (r.swept[f] !== undefined ? String(r.swept[f]) : '')),
      number(r.validation),
      number(r.test),
      r.details.targetShare !== undefined ? `${(100 * r.details.targetShare).toFixed(1)}%` : '–',
      r.details.depth !== undefined ? `depth ${r.details.depth}` : r.details.step !== undefined ? `step ${r.details.step}` : '–',
      r.minutes !== null ? r.minutes.toFixed(1) : '–',
      r.worker ?? '',
      r.error ?? '',
    ];
    return `<tr class="${r.status}">${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  return `<table class="ranked"><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

/** The metric against one flag: the flag's values evenly spaced (sorted), a dot per run, a line through the means. */
function metricPlot(flag: string, metric: string, runs: SweepEntry[]): string {
  const width = 420;
  const height = 260;
  const m = { left: 64, right: 16, top: 28, bottom: 40 };
  const title = `${metric} by ${flag}`;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}"><text x="${m.left}" y="18" class="chart-title">${escapeXml(title)}</text>`;
  if (runs.length === 0) return `<figure class="chart-box">${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no finished run with a metric</text></svg></figure>`;
  const values = [...new Set(runs.map((r) => r.swept[flag]))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  const ys = runs.map((r) => r.test!);
  let [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  if (lo === hi) [lo, hi] = [lo - Math.max(1, Math.abs(lo)) / 2, hi + Math.max(1, Math.abs(hi)) / 2];
  const pad = (hi - lo) * 0.08;
  [lo, hi] = [lo - pad, hi + pad];
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const px = (i: number) => m.left + ((i + 0.5) / values.length) * plotW;
  const py = (y: number) => m.top + (1 - (y - lo) / (hi - lo)) * plotH;
  const f = (v: number) => v.toFixed(1);
  const parts = [head];
  const yt = ticks(lo, hi, 5);
  yt.values.forEach((v, i) => {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${f(py(v))}" y2="${f(py(v))}" class="grid"/><text x="${m.left - 6}" y="${f(py(v) + 4)}" text-anchor="end">${yt.labels[i]}</text>`);
  });
  values.forEach((v, i) => parts.push(`<text x="${f(px(i))}" y="${height - m.bottom + 16}" text-anchor="middle">${escapeXml(String(v))}</text>`));
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" class="frame"/><text x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(flag)}</text>`);
  const color = `rgb(${PLOT_COLOR_CYCLE[0].join(',')})`;
  const means = values.map((v, i) => {
    const at = runs.filter((r) => r.swept[flag] === v).map((r) => r.test!);
    return `${i ? 'L' : 'M'}${f(px(i))},${f(py(at.reduce((a, b) => a + b, 0) / at.length))}`;
  });
  if (values.length > 1) parts.push(`<path d="${means.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5" class="means"/>`);
  for (const r of runs) {
    const i = values.indexOf(r.swept[flag]);
    parts.push(`<circle cx="${f(px(i))}" cy="${f(py(r.test!))}" r="3.5" fill="${color}" class="run" data-run="${escapeXml(r.id)}"><title>${escapeXml(`${r.id}: ${r.test}`)}</title></circle>`);
  }
  parts.push('</svg>');
  return `<figure class="chart-box">${parts.join('')}</figure>`;
}

/** A run's picture as a data URI: a train run's latest sample grid, a stack run's stages grid. */
function runPicture(run: SweepEntry, dir: string): string {
  const path = join(dir, run.dir, run.command === 'train' ? join(RUN_FILES.samples, 'latest.png') : STACK_FILES.grid);
  if (!existsSync(path)) return '';
  const caption = `${run.id}${run.test !== null ? `: ${run.metric} ${number(run.test)}` : ` (${run.status})`}`;
  return `<figure class="picture"><img alt="${escapeXml(caption)}" src="data:image/png;base64,${readFileSync(path).toString('base64')}"><figcaption>${escapeXml(caption)}</figcaption></figure>`;
}

function number(value: number | null): string {
  return value !== null && Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '–';
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1340px; padding: 0 16px; color: #222; }
h1 small { font-weight: normal; color: #777; font-size: 60%; }
.meta { color: #666; }
.charts, .pictures { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.chart-box, .picture { margin: 0; }
.chart text { font: 11px system-ui, sans-serif; fill: #444; }
.chart .chart-title { font-size: 13px; font-weight: 600; fill: #222; }
.chart .grid { stroke: #eee; } .chart .frame { fill: none; stroke: #999; }
.picture img { image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }
.picture figcaption { color: #555; font-size: 12px; }
.broken { color: #c33; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
tr.failed td { color: #a22; } tr.pending td, tr.running td { color: #888; }
pre { background: #f6f6f6; padding: 8px; font-size: 12px; }
`;

