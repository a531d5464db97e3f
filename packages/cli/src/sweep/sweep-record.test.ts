import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLines } from '../files/json-lines';
import { planSweep } from './sweep-plan';
import { type RunOutcome, SWEEP_FILES, SweepRecord } from './sweep-record';
import { parseSweepSpec } from './sweep-spec';

const dir = mkdtempSync(join(tmpdir(), 'not-sweep-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raw = { command: 'train', flags: { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes' }, grid: { seed: [1, 2, 3] } };
const spec = parseSweepSpec(raw);
const outcome = (id: string, attempt: number, status: RunOutcome['status'], test: number | null = 5): RunOutcome => ({
  id, attempt, status, test, metric: 'classifier', validation: null, details: { step: 25 }, error: status === 'failed' ? 'boom' : null, worker: 'w', minutes: 1, started: '', finished: '',
});

describe('sweep.json', () => {
  it('records a run done once: a second report, or one of an earlier attempt, changes nothing', () => {
    const out = join(dir, 'once');
    const record = SweepRecord.open(out, spec, planSweep(spec));
    expect(record.runs.map((r) => [r.id, r.status, r.attempt, r.dir])).toEqual([1, 2, 3].map((s) => [`seed=${s}`, 'pending', 1, join('runs', `seed=${s}`)]));
    record.running('seed=1', 'w1');
    expect(record.finish(outcome('seed=1', 1, 'done', 3))).toBe(true);
    expect(record.finish(outcome('seed=1', 1, 'done', 4))).toBe(false);
    expect(record.finish(outcome('seed=1', 1, 'failed'))).toBe(false);
    expect(record.fail('seed=1', 'late')).toBe(false);
    record.running('seed=1', 'w2');
    expect(record.entry('seed=1')).toMatchObject({ status: 'done', test: 3, worker: 'w', error: null });
    // An interrupted attempt waits again; it records nothing.
    record.running('seed=2', 'w1');
    expect(record.finish(outcome('seed=2', 1, 'interrupted'))).toBe(false);
    expect(record.entry('seed=2').status).toBe('pending');
    expect(record.finish(outcome('seed=3', 1, 'failed'))).toBe(true);
    // What is on disk is what the record holds.
    const file = JSON.parse(readFileSync(join(out, SWEEP_FILES.record), 'utf8'));
    expect(file.runs.map((r: { status: string }) => r.status)).toEqual(['done', 'pending', 'failed']);
    const events = readJsonLines<{ id: string; status: string }>(join(out, SWEEP_FILES.events), 'test');
    expect(events.filter((e) => e.id === 'seed=1').map((e) => e.status)).toEqual(['running', 'done']);

    // Opened again: done stays done, failed waits for a new attempt (whose job id differs), new runs are added.
    const more = parseSweepSpec({ ...raw, grid: { seed: [1, 2, 3, 4] } });
    const again = SweepRecord.open(out, more, planSweep(more));
    expect(again.file.id).toBe(file.id);
    expect(again.runs.map((r) => [r.id, r.status, r.attempt])).toEqual([['seed=1', 'done', 1], ['seed=2', 'pending', 1], ['seed=3', 'pending', 2], ['seed=4', 'pending', 1]]);
    // The outcome of the failed first attempt, read again from its folder, is not the new attempt's.
    expect(again.finish(outcome('seed=3', 1, 'failed'))).toBe(false);
    expect(again.finish(outcome('seed=3', 2, 'done'))).toBe(true);
  });

  it('refuses a folder whose runs had other flags', () => {
    const out = join(dir, 'changed');
    SweepRecord.open(out, spec, planSweep(spec));
    const other = parseSweepSpec({ ...raw, flags: { ...raw.flags, steps: 10 } });
    expect(() => SweepRecord.open(out, other, planSweep(other))).toThrow(`sweep: ${join(out, 'sweep.json')} holds run seed=1 with other flags`);
  });
});
