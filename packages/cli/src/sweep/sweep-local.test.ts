import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program';
import { readJsonLines } from '../files/json-lines';
import { runCli } from '../testing/run-cli';
import { runSweep } from './run-sweep';
import { SWEEP_FILES } from './sweep-record';

// A local sweep on two worker processes: a tree of train runs with a stack run on each, one train run failing (its
// data does not exist), so its stack run cannot start. Real runs (tiny networks, 32×32 for the classifier).

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const dir = mkdtempSync(join(tmpdir(), 'not-sweep-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'sweep');
const spec = {
  command: 'train' as const,
  flags: { target: 'fashion-mnist:shoes', size: 32, steps: 2, 'batch-size': 4, 't-iters': 2, base: 4, filters: 4, 'max-filters': 8, 'sample-every': 2, 'checkpoint-every': 1, 'eval-every': 2, seed: 3, backend: 'wasm' },
  grid: { source: ['fashion-mnist:bag', 'folder:/nonexistent-sweep-data'] },
  then: { command: 'stack' as const, flags: { stages: 2, 'stage-steps': 2, 'eval-every': 0, margin: 0 } },
};
const good = 'source=fashion-mnist:bag';
const bad = 'source=folder:_nonexistent-sweep-data';

describe('not sweep on this machine', () => {
  it('runs every run in its own process, two at a time, records each once, fails what must fail and goes on', async () => {
    const lines: string[] = [];
    const stream = Object.assign(Object.create(process.stderr), { isTTY: false, write: (s: string) => (lines.push(s), true) });
    const record = await runSweep({ spec: { ...spec, random: null, then: { ...spec.then, grid: {}, random: null } } as never, out, workers: 2, stream });
    const byId = Object.fromEntries(record.runs.map((r) => [r.id, r]));
    expect(Object.keys(byId)).toEqual([good, `${good}+stack`, bad, `${bad}+stack`]);
    expect(record.runs.map((r) => r.status)).toEqual(['done', 'done', 'failed', 'failed']);
    // The two train runs ran at once, on the two workers.
    expect(new Set([byId[good].worker, byId[bad].worker]).size).toBe(2);
    // Metrics as the runs wrote them: the train run's best map, the stack's selected depth, chosen on validation and
    // measured on the test split.
    const best = JSON.parse(readFileSync(join(out, 'runs', good, 'best', 'best.json'), 'utf8'));
    expect(byId[good]).toMatchObject({ metric: 'classifier', validation: best.value, test: best.test.value, details: { step: best.step, targetShare: best.test.classifier.targetShare } });
    const summary = JSON.parse(readFileSync(join(out, 'runs', `${good}+stack`, 'summary.json'), 'utf8'));
    const selected = summary.stages.find((s: { selected: boolean }) => s.selected);
    expect(byId[`${good}+stack`]).toMatchObject({ metric: 'classifier', validation: selected.value, test: summary.test.value, details: { depth: summary.depth } });
    // The stack run's first stage is the train run of the tree.
    expect(JSON.parse(readFileSync(join(out, 'runs', `${good}+stack`, 'config.json'), 'utf8')).first).toBe(resolve(out, 'runs', good));
    expect(byId[bad].error).toMatch(/^exited with code 1: .*nonexistent-sweep-data/);
    expect(byId[`${bad}+stack`].error).toBe(`its first stage, run ${bad}, failed`);
    for (const r of record.runs.filter((r) => r.status === 'done')) expect(r.minutes).toBeGreaterThan(0);
    // Progress: plain lines (no terminal), every run's end, and the bar's count at the end.
    const text = lines.join('');
    expect(text).toMatch(new RegExp(`run ${good.replace(/[+]/g, '\\+')}: done in [\\d.]+ min: classifier [\\d.]+ on the test split`));
    expect(text).toContain('sweep 4/4  done 2  failed 2  running 0');
    // Each run ended once in the record's log.
    const events = readJsonLines<{ id: string; status: string }>(join(out, SWEEP_FILES.events), 'test');
    for (const id of Object.keys(byId)) expect(events.filter((e) => e.id === id && (e.status === 'done' || e.status === 'failed'))).toHaveLength(1);
  }, 240_000);

  it('again on the same folder: skips what is done, tries the failed runs once more', async () => {
    const quiet = Object.assign(Object.create(process.stderr), { isTTY: false, write: () => true });
    const record = await runSweep({ spec: { ...spec, random: null, then: { ...spec.then, grid: {}, random: null } } as never, out, workers: 2, stream: quiet });
    const events = readJsonLines<{ id: string; status: string; attempt: number }>(join(out, SWEEP_FILES.events), 'test');
    expect(events.filter((e) => e.id === good && e.status === 'running')).toHaveLength(1);
    expect(record.entry(bad)).toMatchObject({ status: 'failed', attempt: 2 });
    expect(events.filter((e) => e.id === bad && e.status === 'running').map((e) => e.attempt)).toEqual([1, 2]);
  }, 120_000);

  it('not report renders the sweep page: the ranked table, a plot per swept flag, each run\'s grid', async () => {
    await runCli(buildProgram(), ['report', out]);
    const html = readFileSync(join(out, SWEEP_FILES.report), 'utf8');
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    const rows = [...html.matchAll(/<tr class="(\w+)"><td>(\d*)<\/td><td>([^<]*)<\/td>/g)].map(([, status, rank, id]) => [status, rank, id.replace(/&amp;/g, '&')]);
    const record = JSON.parse(readFileSync(join(out, SWEEP_FILES.record), 'utf8'));
    const done = record.runs.filter((r: { status: string }) => r.status === 'done').sort((a: { test: number }, b: { test: number }) => a.test - b.test);
    expect(rows).toEqual([...done.map((r: { id: string }, i: number) => ['done', String(i + 1), r.id]), ['failed', '', bad], ['failed', '', `${bad}+stack`]]);
    expect(html).toContain('aria-label="classifier by source"');
    expect(html.match(/<circle [^>]*class="run"/g)).toHaveLength(1);
    const captions = [...html.matchAll(/<img alt="([^"]*)"/g)].map(([, alt]) => alt);
    expect(captions).toEqual(done.map((r: { id: string; test: number }) => `${r.id}: classifier ${Number(r.test.toPrecision(4))}`));
    expect(existsSync(join(out, 'runs', good, 'samples', 'latest.png'))).toBe(true);
  });

  it.skipIf(!CHROMIUM)('the sweep page opens in headless Chromium with every picture decoded', () => {
    const dom = execFileSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', `file://${join(out, SWEEP_FILES.report)}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    expect(/<html[^>]*data-images="(\d+)"/.exec(dom)?.[1]).toBe('2');
    expect(/<html[^>]*data-broken-images="(\d+)"/.exec(dom)?.[1]).toBe('0');
  }, 120_000);
});
