import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readNpy } from '@not/datasets';
import { buildProgram } from './program';
import { runCli } from './testing/run-cli';

const run = (args: string[]) => runCli(buildProgram(), args);

afterEach(() => vi.restoreAllMocks());

describe('not bench w2', () => {
  it('prints one JSON line and maps --eval-points into --eval-out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-w2-'));
    writeFileSync(join(dir, 'pair.json'), JSON.stringify({ m1: [0, 0], S1: [[1, 0], [0, 1]], m2: [1, 2], S2: [[2, 0.5], [0.5, 1]] }));
    writeFileSync(join(dir, 'in.json'), JSON.stringify([[0, 0], [1, 1], [-1, 2]]));
    const { stdout, stderr } = await run([
      'bench', 'w2', '--dim', '2', '--steps', '3', '--batch-size', '32', '--pair', join(dir, 'pair.json'),
      '--eval-points', join(dir, 'in.json'), '--eval-out', join(dir, 'out.json'), '--json', '--backend', 'wasm',
    ]);
    const line = JSON.parse(stdout.trim());
    expect(Object.keys(line)).toEqual(['dim', 'steps', 'l2uvp', 'bw2uvp', 'seconds', 'backend']);
    expect(line).toMatchObject({ dim: 2, steps: 3, backend: 'wasm' });
    expect(Number.isFinite(line.l2uvp) && Number.isFinite(line.bw2uvp)).toBe(true);
    expect(stderr).toMatch(/backend wasm/);
    const mapped = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(mapped).toHaveLength(3);
    expect(mapped.every((p: number[]) => p.length === 2 && p.every(Number.isFinite))).toBe(true);
  });

  it('explains bad options', async () => {
    await expect(run(['bench', 'w2', '--dim', '0'])).rejects.toThrow(/--dim must be an integer >= 1, got "0"/);
    await expect(run(['bench', 'w2', '--dim', '2', '--threads', '0'])).rejects.toThrow(/--threads must be an integer >= 1, got "0"/);
    await expect(run(['bench', 'w2', '--dim', '2', '--eval-points', 'x.json'])).rejects.toThrow('bench w2: --eval-points needs --eval-out');
    await expect(run(['bench', 'w2', '--dim', '2', '--pair', '/nonexistent/pair.json'])).rejects.toThrow(/--pair \/nonexistent\/pair.json: cannot read JSON/);
  });

  it('has --help on every command', async () => {
    const program = buildProgram();
    const all = [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)];
    for (const command of all) expect(command.helpInformation()).toMatch(/-h, --help/);
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['train', 'translate', 'data', 'nets', 'toy', 'bench']));
  });
});

describe('not train and not translate', () => {
  it('trains on the embedded data, then translates held-out images with the saved map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-train-cli-'));
    const runDir = join(dir, 'run');
    const tiny = ['--size', '16', '--batch-size', '4', '--t-iters', '1', '--base', '4', '--filters', '4', '--max-filters', '8', '--backend', 'cpu'];
    const { stdout, stderr } = await run([
      'train', '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', '--steps', '2', '--out', runDir, '--json', ...tiny,
    ]);
    expect(JSON.parse(stdout.trim())).toMatchObject({ step: 2, interrupted: false });
    expect(stderr).toMatch(/cpu preset on cpu: size 16 \(reference 64\)/);
    expect(stderr).toMatch(/fashion-mnist:bag: \d+ images 32×32×1, seen as 16×16×1/);
    expect(stderr).toMatch(/channels 1 \(reference 3\)/);
    const out = join(dir, 'translated');
    await run(['translate', '--checkpoint', runDir, '--input', 'fashion-mnist:bag', '--split', 'test', '--count', '3', '--out', out, '--npy', '--backend', 'cpu']);
    expect(readdirSync(out).sort()).toEqual(['00000.png', '00001.png', '00002.png', 'grid.png', 'translated.npy']);
    expect(readNpy(readFileSync(join(out, 'translated.npy'))).shape).toEqual([3, 16, 16, 1]);
    const evaluated = JSON.parse((await run(['eval', '--checkpoint', runDir, '--metrics', 'cost', '--count', '20', '--json', '--backend', 'cpu'])).stdout);
    expect(evaluated).toMatchObject({ source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes', split: 'test', count: 20 });
    expect(evaluated.cost).toBeGreaterThan(0);
    await expect(run(['eval', '--checkpoint', runDir, '--metrics', 'cost,psnr', '--backend', 'cpu'])).rejects.toThrow(/--metrics must list some of classifier, fid, kid, lpips, cost, got "cost,psnr"/);
    await expect(run(['translate', '--checkpoint', runDir, '--input', 'fashion-mnist:bag', '--draws', '2', '--out', out, '--backend', 'cpu'])).rejects.toThrow(
      /--draws 2 needs a stochastic map/,
    );
    await expect(run(['translate', '--checkpoint', join(dir, 'none'), '--input', 'fashion-mnist:bag', '--out', out, '--backend', 'cpu'])).rejects.toThrow(/does not exist/);
  });
});
