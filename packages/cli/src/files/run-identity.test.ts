import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunRecord, compareRuns, describeApplied, flagOf, resumeRefusal, sha256File, sha256Files } from './run-identity';

describe('run identity', () => {
  it('hashes file contents with SHA-256 (FIPS 180-2 test vector), and sets of files by their parts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-identity-'));
    const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    expect(sha256File(file('abc', 'abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // The same bytes split differently over two files are another input.
    expect(sha256Files([file('ab', 'ab'), file('c', 'c')])).not.toBe(sha256Files([file('a', 'a'), file('bc', 'bc')]));
    expect(sha256Files([join(dir, 'ab'), join(dir, 'c')])).toBe(sha256Files([join(dir, 'ab'), join(dir, 'c')]));
  });

  it('refuses differences in what defines a run and applies those in the adjustable settings known on both sides', () => {
    const stored: RunRecord = { identity: { settings: { seed: 1, tIters: 3 }, inputs: { first: 'a'.repeat(64) } }, adjustable: { steps: 10, backend: 'wasm' } };
    const asked: RunRecord = { identity: { settings: { seed: 2, tIters: 3 }, inputs: { first: 'b'.repeat(64) } }, adjustable: { steps: 20, threads: 2 } };
    const { refused, applied } = compareRuns(stored, asked);
    expect(refused.map((d) => d.path)).toEqual(['settings.seed', 'inputs.first']);
    expect(applied).toEqual([{ path: 'steps', stored: 10, asked: 20 }]);
    const name = (path: string) => flagOf(path.replace(/^(settings|inputs)\./, ''));
    expect(resumeRefusal('train', 'runs/x', refused, name).message).toBe(
      'train --resume: runs/x holds another run than the one asked for (stored → asked):\n' +
        '  --seed: 1 → 2\n  --first: sha256 aaaaaaaaaaaa… → sha256 bbbbbbbbbbbb…\n' +
        "Nothing in runs/x was changed. To start afresh, add --restart (deletes this run's files in runs/x first) or choose another --out.",
    );
    expect(describeApplied('runs/x', applied, name)).toBe('resuming runs/x with changed settings: --steps 10 → 20');
    expect([flagOf('tIters'), flagOf('beta2'), flagOf('steps', { steps: 'stage-steps' })]).toEqual(['--t-iters', '--adam-beta2', '--stage-steps']);
  });
});
