import { describe, expect, it } from 'vitest';
import { escapeXml, lineChart } from './svg-chart';

/** The subpaths of every series path: lists of [x, y] pixel points. */
function subpaths(svg: string): [number, number][][][] {
  return [...svg.matchAll(/<path d="([^"]*)"/g)].map(([, d]) =>
    d.split('M').filter(Boolean).map((part) => part.trim().split(' L').map((p) => p.trim().split(',').map(Number) as [number, number])));
}

describe('lineChart', () => {
  it('maps data to pixels linearly, x left to right and y upwards, one subpath per finite run', () => {
    const svg = lineChart({ title: 't', xLabel: 'step', width: 400, height: 200, series: [{ name: 'a', points: [[0, 0], [1, 1], [2, Number.NaN], [3, 3], [4, 4]] }] });
    const [[first, second]] = subpaths(svg);
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    const all = [...first, ...second];
    // x: equal steps in data are equal steps in pixels; y: equal steps too, and larger values higher up (smaller y).
    const dx = all[1][0] - all[0][0];
    expect(dx).toBeGreaterThan(0);
    expect(all[3][0] - all[2][0]).toBeCloseTo(dx, 0);
    expect(all[2][0] - all[1][0]).toBeCloseTo(2 * dx, 0);
    const dy = all[0][1] - all[1][1];
    expect(dy).toBeGreaterThan(0);
    expect(all[2][1] - all[3][1]).toBeCloseTo(dy, 0);
    // Every point inside the plot frame.
    for (const [x, y] of all) expect(x >= 64 && x <= 384 && y >= 28 && y <= 160).toBe(true);
  });

  it('draws ticks at round values, markers with tooltips, and escapes text', () => {
    const svg = lineChart({
      title: 'loss <T> & "f"', xLabel: 'step', series: [{ name: 'T & f', points: [[0, -0.4], [100, 2.3]] }],
      markers: [{ x: 50, label: 'step 50: mapLoss is NaN' }, { x: 500, label: 'outside' }],
    });
    expect(svg).toContain('aria-label="loss &lt;T&gt; &amp; &quot;f&quot;"');
    expect(svg).toContain('data-series="T &amp; f"');
    const ticks = [...svg.matchAll(/class="tick">([^<]*)</g)].map(([, t]) => t);
    expect(ticks).toEqual(expect.arrayContaining(['0', '20', '40', '60', '80', '100', '-0.5', '0.5', '1.0', '1.5', '2.0']));
    expect(svg.match(/class="marker"/g)).toHaveLength(1);
    expect(svg).toContain('<title>step 50: mapLoss is NaN</title>');
  });

  it('says when there is nothing to draw', () => {
    expect(lineChart({ title: 't', xLabel: 'x', series: [{ name: 'a', points: [[1, Number.NaN]] }] })).toContain('>no data<');
    expect(escapeXml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });
});
