import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImageDataset, readNpy } from '@not/datasets';
import { openFashionMnist } from '@not/datasets/node';
import { registerData } from './data';
import { programWith, runCli } from '../testing/run-cli';

const run = (args: string[]) => runCli(programWith(registerData), args);

afterEach(() => vi.restoreAllMocks());

describe('not data inspect', () => {
  it('describes the embedded bags as JSON', async () => {
    const { stdout } = await run(['data', 'inspect', 'fashion-mnist:bag', '--json']);
    const line = JSON.parse(stdout.trim());
    expect(line).toMatchObject({
      name: 'fashion-mnist:bag',
      count: 3000,
      stored: { shape: [32, 32, 1], dtype: 'uint8' },
      seen: { shape: [32, 32, 3], dtype: 'float32' },
      size: 32,
      resize: 'none',
      split: { train: 2400, validation: 300, test: 300 },
    });
    expect(line.samples.indices).toHaveLength(8);
    expect(line.samples.min).toBe(-1);
    expect(line.samples.max).toBeLessThanOrEqual(1);
    expect(line.samples.max).toBeGreaterThan(0);
  });

  it('prints a readable summary, resizing with --size', async () => {
    const { stdout } = await run(['data', 'inspect', 'fashion-mnist:shoes', '--size', '16']);
    expect(stdout).toContain('fashion-mnist:shoes\n');
    expect(stdout).toMatch(/images +3000/);
    expect(stdout).toMatch(/stored +32×32×1 uint8/);
    expect(stdout).toMatch(/seen +16×16×3 float32 in \[-1, 1\] \(size 16, resize bilinear\)/);
    expect(stdout).toMatch(/split +train 2400, validation 300 \(.*\), test 300/);
  });

  it('explains bad specs and options', async () => {
    await expect(run(['data', 'inspect', 'mnist:digits'])).rejects.toThrow(/data inspect: parseSourceSpec: unknown source kind "mnist".*accepted forms: fashion-mnist:bag/);
    await expect(run(['data', 'inspect', 'fashion-mnist:hat'])).rejects.toThrow(/unknown class "hat"/);
    await expect(run(['data', 'inspect', 'fashion-mnist:bag', '--size', '0'])).rejects.toThrow('--size must be an integer >= 1, got "0"');
  });
});

describe('not data sample', () => {
  it('writes the chosen images as float32 NHWC .npy, and a PNG grid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-data-'));
    const out = join(dir, 'x.npy');
    const png = join(dir, 'grid.png');
    const { stdout } = await run(['data', 'sample', 'fashion-mnist:shoes', '--indices', '0,5,17', '--split', 'test', '--out', out, '--png', png]);
    expect(stdout).toContain(`→ ${out} [3, 32, 32, 3] float32`);
    const npy = readNpy(new Uint8Array(readFileSync(out)));
    expect(npy.dtype).toBe('float32');
    expect(npy.shape).toEqual([3, 32, 32, 3]);
    const expected = new ImageDataset(openFashionMnist({ classes: 'shoes' }), { size: 32 }).images('test', [0, 5, 17]);
    expect(Array.from(npy.data)).toEqual(Array.from(expected));
    expect(Array.from(readFileSync(png).subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('resizes with --size and checks indices and paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-data-'));
    const out = join(dir, 'y.npy');
    await run(['data', 'sample', 'fashion-mnist:bag', '--indices', '1', '--size', '8', '--out', out]);
    expect(readNpy(new Uint8Array(readFileSync(out))).shape).toEqual([1, 8, 8, 3]);
    await expect(run(['data', 'sample', 'fashion-mnist:bag', '--indices', '300', '--split', 'test', '--out', out])).rejects.toThrow(
      'ImageDataset.images: indices must be integers in [0, 300) (the test split), got 300 at position 0',
    );
    await expect(run(['data', 'sample', 'fashion-mnist:bag', '--indices', '0,-1', '--out', out])).rejects.toThrow('--indices must be an integer >= 0, got "-1"');
    const missing = join(dir, 'no', 'z.npy');
    await expect(run(['data', 'sample', 'fashion-mnist:bag', '--indices', '0', '--out', missing])).rejects.toThrow(`data sample: --out ${missing}: directory`);
    expect(existsSync(missing)).toBe(false);
    await expect(run(['data', 'sample', 'fashion-mnist:bag', '--out', out])).rejects.toThrow(/--indices/);
  });
});
