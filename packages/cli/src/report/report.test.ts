import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '@not/backends';
import { type Divergence, DivergenceGuard, type StepReport } from '@not/ot-core';
import { buildProgram } from '../program';
import { runCli } from '../testing/run-cli';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { RUN_FILES, runTraining } from '../train/train-run';

// `not report` on a real (tiny) run: the page must hold the curves, every picture and the run's facts, and a browser
// must show it: headless Chromium (Debian's `chromium`; .ci/run installs it) loads it and finds every picture decoded.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const dir = mkdtempSync(join(tmpdir(), 'not-report-'));
const run = join(dir, 'run');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A guard that judges step 3 diverged, once: the run then has an event to show. */
class DivergesAtStep3 extends DivergenceGuard {
  private fired = false;
  override inspect(report: StepReport): Divergence | null {
    if (report.step !== 3 || this.fired) return super.inspect(report);
    this.fired = true;
    return { step: 3, loss: 'mapLoss', value: 1e9, reason: 'mapLoss 1.000e+9 is far off' };
  }
}

beforeAll(async () => {
  await useBackend('wasm', { threads: 1 });
  await runTraining({ flags: { ...TINY_TRAIN_FLAGS, steps: 6, sampleEvery: 2 }, preset: 'cpu', out: run, guard: new DivergesAtStep3() });
}, 120_000);

describe('not report', () => {
  it('writes one self-contained page with the curves, every sample grid as a PNG, the event, timings and configuration', async () => {
    const { stderr } = await runCli(buildProgram(), ['report', run]);
    const page = join(run, 'report.html');
    expect(stderr).toBe(`wrote ${page}\n`);
    const html = readFileSync(page, 'utf8');
    // Nothing is fetched: no external URLs or files.
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    // Losses, cost, diversity, seconds per step, learning-rate scale (halved by the event).
    const titles = [...html.matchAll(/<svg [^>]*aria-label="([^"]*)"/g)].map(([, t]) => t);
    expect(titles).toEqual(['Losses', 'Transport cost of T', "Diversity of T&#39;s outputs (spread across the batch, relative to the target&#39;s)", 'Seconds per step', 'Learning-rate scale (lowered after each divergence)']);
    // Each curve has a point per logged step (6), the event's marker on every chart.
    const losses = html.slice(html.indexOf('aria-label="Losses"'), html.indexOf('</svg>', html.indexOf('aria-label="Losses"')));
    for (const name of ['T loss', 'f loss']) {
      const d = new RegExp(`<path d="([^"]*)"[^>]*data-series="${name}"`).exec(losses)?.[1] ?? '';
      expect(d.split(/[ML]/).filter((p) => p.trim())).toHaveLength(6);
    }
    expect(html.match(/class="marker"/g)).toHaveLength(5);
    expect(html).toContain('step 3: mapLoss 1.000e+9 is far off; back to step 2, learning rates × 0.5');
    // The grids of steps 0, 2, 4, 6 as PNG data.
    const images = [...html.matchAll(/<img alt="([^"]*)" src="data:image\/png;base64,([^"]*)"/g)];
    expect(images.map(([, alt]) => alt)).toEqual(['step 0', 'step 2', 'step 4', 'step 6']);
    for (const [, , data] of images) expect(Buffer.from(data, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(Buffer.from(images[3][2], 'base64')).toEqual(readFileSync(join(run, RUN_FILES.samples, 'step-000006.png')));
    expect(html).toMatch(/<tr><td>all steps<\/td><td>6<\/td>/);
    expect(html).toContain('<tr><th>source</th><td>fashion-mnist:bag</td></tr>');
  });

  it.skipIf(!CHROMIUM)('opens in headless Chromium with every picture decoded and every chart drawn', async () => {
    const page = join(dir, 'shown.html');
    await runCli(buildProgram(), ['report', run, '--out', page]);
    const dom = execFileSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', `file://${page}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    // The page's own check ran after load: four pictures, none broken.
    expect(/<html[^>]*data-images="(\d+)"/.exec(dom)?.[1]).toBe('4');
    expect(/<html[^>]*data-broken-images="(\d+)"/.exec(dom)?.[1]).toBe('0');
    expect(dom.match(/<svg /g)).toHaveLength(5);
    expect(dom.includes('<p class="broken">'), 'a picture marked broken').toBe(false);
    // And a picture that cannot be decoded is flagged, on the page and in the count.
    writeFileSync(page, readFileSync(page, 'utf8').replace(/src="data:image\/png;base64,[^"]{40}/, 'src="data:image/png;base64,AAAA'));
    const broken = execFileSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', `file://${page}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    expect(/<html[^>]*data-broken-images="(\d+)"/.exec(broken)?.[1]).toBe('1');
    expect(broken.match(/<p class="broken">this picture could not be shown<\/p>/g)).toHaveLength(1);
  }, 120_000);

  it('lays a stack run\'s stages end to end, marks where each starts, and tabulates the stack', async () => {
    const stack = join(dir, 'stack');
    mkdirSync(stack);
    writeFileSync(join(stack, 'config.json'), JSON.stringify({ stages: [{ steps: 3 }, { steps: 2 }], metric: 'classifier' }));
    const line = (stage: number, step: number) => ({ stage, step, mapLoss: stage + step / 10, potentialLoss: -1, cost: 0.5, diversity: 1, seconds: 2 });
    writeFileSync(join(stack, 'metrics.jsonl'), [line(1, 1), line(1, 2), line(1, 3), line(2, 1), line(2, 2)].map((l) => `${JSON.stringify(l)}\n`).join(''));
    writeFileSync(join(stack, 'summary.json'), JSON.stringify({ metric: 'classifier', depth: 2, source: { value: 900 }, stages: [{ stage: 1, value: 500, cost: 0.4, seconds: 6 }, { stage: 2, value: 300, cost: 0.2, seconds: 4, selected: true }] }));
    writeFileSync(join(stack, 'stages.png'), readFileSync(join(run, RUN_FILES.samples, 'step-000002.png')));
    await runCli(buildProgram(), ['report', stack]);
    const html = readFileSync(join(stack, 'report.html'), 'utf8');
    const losses = html.slice(html.indexOf('aria-label="Losses"'), html.indexOf('</svg>', html.indexOf('aria-label="Losses"')));
    const xs = [...(/<path d="([^"]*)"[^>]*data-series="T loss"/.exec(losses)?.[1] ?? '').matchAll(/[ML]([\d.]+),/g)].map(([, x]) => Number(x));
    // Steps 1, 2, 3 of stage 1 then 1, 2 of stage 2 at 4, 5: evenly spaced.
    expect(xs).toHaveLength(5);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 0);
    expect(losses).toContain('<title>stage 2 starts</title>');
    expect(html).toContain('Depth 2 selected by classifier (the source itself: 900).');
    expect(html).toContain('<tr><td>2</td><td>300</td><td>0.2</td><td>4</td><td>selected</td></tr>');
    expect(html).toMatch(/<tr><td>stage 1<\/td><td>3<\/td><td>6\.0 s<\/td>/);
    expect([...html.matchAll(/<img alt="([^"]*)"/g)].map(([, alt]) => alt)).toEqual(['each stage on test images: x, T1(x), T2∘T1(x), …']);
  });

  it('says what is wrong with a folder that is not a run', async () => {
    await expect(runCli(buildProgram(), ['report', join(dir, 'nothing')])).rejects.toThrow(`report: ${join(dir, 'nothing')} is not a folder (expected a run directory of not train or not stack)`);
    await expect(runCli(buildProgram(), ['report', dir])).rejects.toThrow(`report: ${dir} holds no config.json; expected a run directory of not train or not stack`);
  });
});
