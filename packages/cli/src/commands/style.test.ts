import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PNG } from 'pngjs';
import { useBackend } from '@not/backends';
import { decodeImageFile } from '@not/datasets/node';
import { registerStyle } from './style';
import { programWith, runCli } from '../testing/run-cli';

const run = (args: string[]) => runCli(programWith(registerStyle), args);
const dir = mkdtempSync(join(tmpdir(), 'not-style-'));
// A narrow random-weight VGG16 made by PyTorch (packages/style/fixtures/make-fixtures.py).
const narrowVgg = ['--weights', fileURLToPath(new URL('../../../style/fixtures/vgg16-narrow.pth', import.meta.url)), '--vgg-widths', '4,8,16,32,32'];

/** Writes a width×height PNG whose pixels come from `colour(x, y)`. */
function writePng(name: string, width: number, height: number, colour: (x: number, y: number) => [number, number, number]): string {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      png.data.set([...colour(x, y), 255], (y * width + x) * 4);
    }
  }
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

const content = writePng('content.png', 48, 36, (x, y) => (x > 24 ? [220, 200, 40] : [30, 60, 40 + 4 * y]));
const style = writePng('style.png', 40, 40, (x, y) => ((x + y) % 8 < 4 ? [200, 30, 30] : [20, 20, 160]));

beforeAll(async () => {
  await useBackend('cpu');
});

afterEach(() => vi.restoreAllMocks());

describe('not style', () => {
  it('writes the pastiche at --size and one line of losses per step', async () => {
    const out = join(dir, 'out', 'pastiche.png');
    const { stderr } = await run(['style', '--content', content, '--style', style, '--out', out, '--size', '40', '--scales', '1', '--steps', '4', '--samples', '64', '--style-samples', '64', ...narrowVgg]);
    expect(stderr).toContain(`wrote ${out} (40×30)`);
    const image = decodeImageFile(out);
    expect([image.width, image.height]).toEqual([40, 30]);
    const lines = readFileSync(join(dir, 'out', 'pastiche.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    for (const line of lines) {
      expect(line).toMatchObject({ scale: 1, height: 30, width: 40 });
      for (const key of ['content', 'moments', 'remd', 'palette', 'total']) expect(Number.isFinite(line[key])).toBe(true);
    }
  });

  it('sweeps several α into one captioned grid, each pastiche beside it', async () => {
    const out = join(dir, 'sweep', 'sweep.png');
    const { stderr } = await run(['style', '--content', content, '--style', style, '--out', out, '--alpha', '0.5,2', '--size', '40', '--scales', '1', '--steps', '2', '--samples', '32', '--style-samples', '32', ...narrowVgg]);
    expect(stderr).toContain(`wrote ${out}: content, style, then the pastiche for each α`);
    for (const alpha of ['0.5', '2']) {
      expect(decodeImageFile(join(dir, 'sweep', `sweep-alpha${alpha}.png`))).toMatchObject({ width: 40, height: 30 });
      expect(readFileSync(join(dir, 'sweep', `sweep-alpha${alpha}.jsonl`), 'utf8').trim().split('\n')).toHaveLength(2);
    }
    // Four 40×30 panels with 4 pixels of padding, and a caption strip under the row.
    const grid = decodeImageFile(out);
    expect([grid.width, grid.height]).toEqual([4 * 40 + 5 * 4, 30 + 13 + 2 * 4]);
    // Each panel's caption strip holds dark text pixels on white.
    for (let panel = 0; panel < 4; panel++) {
      const strip = Array.from({ length: 13 * 40 }, (_, i) => grid.rgb[((4 + 30 + Math.floor(i / 40)) * grid.width + 4 + panel * 44 + (i % 40)) * 3]);
      expect(Math.min(...strip)).toBeLessThan(100);
      expect(Math.max(...strip)).toBe(255);
    }
  });

  it('says how to obtain the weights when they are missing and downloads are off', async () => {
    vi.stubEnv('NOT_CACHE_DIR', join(dir, 'empty-cache'));
    vi.stubEnv('TORCH_HOME', join(dir, 'no-torch'));
    const args = ['style', '--content', content, '--style', style, '--out', join(dir, 'x.png'), '--no-download'];
    await expect(run(args)).rejects.toThrow(/not style: loadVgg16Features: vgg16-397923af\.pth is not in .* and downloading is off[\s\S]*download https:\/\/download\.pytorch\.org\/models\/vgg16-397923af\.pth \(528 MB\).*--weights vgg16-397923af\.pth.*No conversion is needed/);
    vi.unstubAllEnvs();
  });

  it('names a bad image and bad options', async () => {
    const broken = join(dir, 'broken.png');
    writeFileSync(broken, 'not a png');
    await expect(run(['style', '--content', broken, '--style', style, '--out', join(dir, 'y.png'), ...narrowVgg])).rejects.toThrow(/not style: .*broken\.png/);
    await expect(run(['style', '--content', content, '--style', style, '--out', join(dir, 'y.png'), '--alpha', 'much'])).rejects.toThrow('--alpha must be a number, got "much"');
    await expect(run(['style', '--content', content, '--style', style, '--out', join(dir, 'y.png'), '--alpha', '-1', ...narrowVgg])).rejects.toThrow('styleTransfer: alpha must be a finite number > 0, got -1');
  });
});
