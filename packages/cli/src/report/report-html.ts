import { readFileSync } from 'node:fs';
import { type ChartMarker, type ChartSeries, escapeXml, lineChart } from '../render/svg-chart';
import type { LogLine, Picture, RunRecord } from './run-record';
import { SELF_CHECK } from './self-check';

/** What the report plots of a step line: key, and the name its curve gets. */
const STEP_CURVES: { title: string; keys: [string, string][] }[] = [
  { title: 'Losses', keys: [['mapLoss', 'T loss'], ['potentialLoss', 'f loss']] },
  { title: 'Transport cost of T', keys: [['cost', 'cost']] },
  { title: "Diversity of T's outputs (spread across the batch, relative to the target's)", keys: [['diversity', 'diversity']] },
  { title: 'Seconds per step', keys: [['seconds', 'seconds']] },
  { title: 'Learning-rate scale (lowered after each divergence)', keys: [['learningRateScale', 'scale']] },
];

/**
 * A run's report as one self-contained HTML page: curves as inline SVG, pictures as data URIs, the configuration,
 * timings and events. A small script marks any picture the browser could not show (and counts them on <html>).
 */
export function reportHtml(record: RunRecord): string {
  const x = stepAxis(record);
  const markers = eventMarkers(record, x);
  const charts = STEP_CURVES.map(({ title, keys }) => {
    const series: ChartSeries[] = keys
      .map(([key, name]) => ({ name, points: record.metrics.filter((m) => typeof m[key] === 'number').map((m): [number, number] => [x(m), m[key] as number]) }))
      .filter((s) => s.points.length > 0);
    // A constant learning-rate scale says nothing: its chart is left out.
    if (series.length === 0 || (keys[0][0] === 'learningRateScale' && series[0].points.every(([, v]) => v === 1))) return '';
    return figure(lineChart({ title, xLabel: axisLabel(record), series, markers }));
  });
  const evalSeries = new Map<string, [number, number][]>();
  for (const e of record.evals) {
    if (typeof e.value !== 'number') continue;
    const name = String(e.metric ?? 'value');
    evalSeries.set(name, [...(evalSeries.get(name) ?? []), [x(e), e.value]]);
  }
  if (evalSeries.size > 0) {
    const series = [...evalSeries].map(([name, points]) => ({ name, points }));
    charts.splice(1, 0, figure(lineChart({ title: 'Evaluation on the validation split (lower is better)', xLabel: axisLabel(record), series, markers })));
  }
  const steps = record.metrics.length;
  const target = record.kind === 'train' ? Number(record.config.steps) : null;
  return `<!doctype html>
<html lang="en" data-images="0" data-broken-images="0">
<head>
<meta charset="utf-8">
<title>${escapeXml(`${record.name}: NOT ${record.kind} run`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(record.name)} <small>${record.kind === 'train' ? 'not train' : 'not stack'} run</small></h1>
<p class="meta">${escapeXml(record.dir)} · configuration written ${escapeXml(record.modified.toISOString().replace('T', ' ').slice(0, 19))} UTC · ${steps} step${steps === 1 ? '' : 's'} logged${target ? ` of ${target}` : ''}${record.events.length ? ` · ${record.events.length} event${record.events.length === 1 ? '' : 's'}` : ''}</p>
${outcomeSection(record)}
<h2>Curves</h2>
<div class="charts">${charts.join('')}</div>
<h2>Pictures</h2>
${record.pictures.length ? `<div class="pictures">${record.pictures.map(pictureFigure).join('')}</div>` : '<p>No pictures written yet.</p>'}
${eventsSection(record)}
<h2>Timings</h2>
${timingsTable(record)}
<h2>Configuration</h2>
${keyValueTable(record.config)}
<script>${SELF_CHECK}</script>
</body>
</html>
`;
}

/** The x of a log line: its step, or for a stack run the step counted from the first stage's start. */
function stepAxis(record: RunRecord): (line: LogLine) => number {
  if (record.kind === 'train') return (line) => line.step;
  const offsets = stageOffsets(record);
  return (line) => (offsets.get(line.stage ?? 1) ?? 0) + line.step;
}

/** Steps before each stage of a stack run (from the steps each stage logged, else its configured steps). */
function stageOffsets(record: RunRecord): Map<number, number> {
  const stages = (record.config.stages as { steps?: number }[] | undefined) ?? [];
  const offsets = new Map<number, number>();
  let offset = 0;
  stages.forEach((stage, i) => {
    offsets.set(i + 1, offset);
    const logged = record.metrics.filter((m) => m.stage === i + 1).map((m) => m.step);
    offset += logged.length ? Math.max(...logged) : (stage.steps ?? 0);
  });
  return offsets;
}

function axisLabel(record: RunRecord): string {
  return record.kind === 'train' ? 'outer step' : 'outer step, stages one after another';
}

function eventMarkers(record: RunRecord, x: (line: LogLine) => number): ChartMarker[] {
  const markers = record.events.map((e) => ({ x: x(e), label: describeEvent(e) }));
  if (record.kind === 'stack') {
    for (const [stage, offset] of stageOffsets(record)) if (stage > 1) markers.push({ x: offset, label: `stage ${stage} starts` });
  }
  return markers;
}

function describeEvent(e: LogLine): string {
  const where = `${e.stage ? `stage ${e.stage}, ` : ''}step ${e.step}`;
  if (e.kind === 'divergence') return `${where}: ${e.reason}; back to step ${e.restoredStep}, learning rates × ${e.learningRateScale}`;
  return `${where}: ${e.reason}`;
}

function figure(svg: string): string {
  return `<figure class="chart-box">${svg}</figure>`;
}

function pictureFigure(picture: Picture): string {
  const bytes = readFileSync(picture.path);
  return `<figure class="picture"><img alt="${escapeXml(picture.caption)}" src="data:image/png;base64,${bytes.toString('base64')}"><figcaption>${escapeXml(picture.caption)}</figcaption></figure>`;
}

function outcomeSection(record: RunRecord): string {
  const o = record.outcome;
  if (!o) return '';
  if (record.kind === 'train') {
    return `<h2>Best map</h2><p>Step ${escapeXml(String(o.step))}: ${escapeXml(String(o.metric))} ${formatNumber(o.value)} (saved in best/).</p>`;
  }
  const stages = (o.stages as Record<string, unknown>[] | undefined) ?? [];
  const rows = stages.map((s) => `<tr><td>${s.stage}</td><td>${formatNumber(s.value)}</td><td>${formatNumber(s.cost)}</td><td>${formatNumber(s.seconds)}</td><td>${s.selected ? 'selected' : ''}</td></tr>`);
  return `<h2>Stack</h2><p>Depth ${escapeXml(String(o.depth))} selected by ${escapeXml(String(o.metric))}${o.source ? ` (the source itself: ${formatNumber((o.source as { value?: number }).value)})` : ''}.</p>` +
    `<table><tr><th>stage</th><th>${escapeXml(String(o.metric))}</th><th>cost</th><th>seconds</th><th></th></tr>${rows.join('')}</table>`;
}

function eventsSection(record: RunRecord): string {
  if (record.events.length === 0) return '';
  const rows = record.events.map((e) => `<tr><td>${escapeXml(String(e.kind))}</td><td>${escapeXml(describeEvent(e))}</td></tr>`);
  return `<h2>Events</h2><table class="events"><tr><th>kind</th><th>what happened</th></tr>${rows.join('')}</table>`;
}

function timingsTable(record: RunRecord): string {
  const groups = record.kind === 'train' ? [['all steps', record.metrics] as const] : [...groupBy(record.metrics, (m) => m.stage ?? 1)].map(([stage, lines]) => [`stage ${stage}`, lines] as const);
  if (record.metrics.length === 0) return '<p>No steps logged yet.</p>';
  const rows = groups.map(([label, lines]) => {
    const seconds = lines.map((m) => Number(m.seconds)).filter(Number.isFinite);
    const total = seconds.reduce((a, b) => a + b, 0);
    return `<tr><td>${escapeXml(label)}</td><td>${lines.length}</td><td>${formatDuration(total)}</td><td>${formatNumber(median(seconds))} s</td></tr>`;
  });
  return `<table><tr><th></th><th>steps</th><th>training time</th><th>median per step</th></tr>${rows.join('')}</table>`;
}

function keyValueTable(values: Record<string, unknown>): string {
  const rows = Object.entries(values).map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`);
  return `<table class="config">${rows.join('')}</table>`;
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '–';
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${Math.round(seconds - 60 * minutes)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1340px; padding: 0 16px; color: #222; }
h1 small { font-weight: normal; color: #777; font-size: 60%; }
.meta { color: #666; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.chart-box, .picture { margin: 0; }
.chart text { font: 11px system-ui, sans-serif; fill: #444; }
.chart .chart-title { font-size: 13px; font-weight: 600; fill: #222; }
.chart .grid { stroke: #eee; } .chart .grid.zero { stroke: #bbb; }
.chart .frame { fill: none; stroke: #999; } .chart .axis { stroke: #999; }
.chart .marker { stroke: #c33; stroke-dasharray: 4 3; }
.pictures { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.picture img { image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }
.picture figcaption { color: #555; font-size: 12px; }
.broken { color: #c33; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.config td { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
`;

