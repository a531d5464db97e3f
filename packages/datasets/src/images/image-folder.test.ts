import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCodePoints, listImageFiles, openImageFolder } from './image-folder';

// Written by fixtures/make-image-folder-fixtures.py with Pillow 9.4.
const DIR = fileURLToPath(new URL('../../fixtures/image-folder/', import.meta.url));
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/image-folder.json', import.meta.url), 'utf8')) as {
  height: number;
  width: number;
  order: string[];
  images: Record<string, { mode: string; rgb: string; jpeg: boolean; pil?: string }>;
};
const pil = (rel: string): Uint8Array => new Uint8Array(Buffer.from(fixture.images[rel].rgb, 'base64'));

const scratch = mkdtempSync(join(tmpdir(), 'image-folder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
/** A fresh folder under the scratch directory. */
function folder(): string {
  const dir = join(scratch, `f${folders++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function png(width: number, height: number, seed = 1): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 31 + seed * 7) % 256;
  return PNG.sync.write(image);
}

describe('listImageFiles', () => {
  it("walks in torchvision ImageFolder's order (root images first)", () => {
    expect(listImageFiles(DIR)).toEqual(fixture.order);
  });

  it('sorts by code point like Python, and follows links to folders without looping', () => {
    expect(['b', 'a', '\u{1F600}', '\uFF01', 'B'].sort(compareCodePoints)).toEqual(['B', 'a', 'b', '\uFF01', '\u{1F600}']);
    const dir = folder();
    mkdirSync(join(dir, 'c/sub'), { recursive: true });
    writeFileSync(join(dir, 'c/sub/x.png'), png(2, 2));
    symlinkSync(join(dir, 'c'), join(dir, 'c/sub/loop'));
    symlinkSync(join(dir, 'c/sub'), join(dir, 'linked'));
    expect(listImageFiles(dir)).toEqual(['c/sub/x.png', 'linked/x.png']);
  });

  it('refuses image formats it cannot decode instead of skipping them', () => {
    const dir = folder();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a/x.png'), png(2, 2));
    writeFileSync(join(dir, 'a/y.WebP'), 'RIFF');
    expect(() => listImageFiles(dir)).toThrow(/openImageFolder: .*a\/y\.WebP is an image format this package cannot decode/);
  });
});

describe('openImageFolder', () => {
  it("decodes every PNG flavour as PIL's convert('RGB'), exactly", async () => {
    const source = await openImageFolder(DIR);
    expect([source.count, source.height, source.width, source.channels]).toEqual([
      fixture.order.length,
      fixture.height,
      fixture.width,
      3,
    ]);
    expect(source.resize).toBe('pil-bilinear');
    expect(source.files).toEqual(fixture.order);
    const imageBytes = fixture.height * fixture.width * 3;
    const all = source.read(fixture.order.map((_, i) => i));
    fixture.order.forEach((rel, i) => {
      if (fixture.images[rel].jpeg) return;
      expect({ rel, rgb: Array.from(all.subarray(i * imageBytes, (i + 1) * imageBytes)) }).toEqual({
        rel,
        rgb: Array.from(pil(rel)),
      });
    });
  });

  it('decodes JPEGs within 3 grey levels of PIL (libjpeg), 0.5 on average', async () => {
    const source = await openImageFolder(DIR);
    const imageBytes = fixture.height * fixture.width * 3;
    fixture.order.forEach((rel, i) => {
      if (!fixture.images[rel].jpeg) return;
      const ours = source.read([i]);
      const theirs = pil(rel);
      let worst = 0;
      let total = 0;
      for (let k = 0; k < imageBytes; k++) {
        worst = Math.max(worst, Math.abs(ours[k] - theirs[k]));
        total += Math.abs(ours[k] - theirs[k]);
      }
      expect({ rel, worst, close: total / imageBytes < 0.5 }).toEqual({ rel, worst: expect.toSatisfy((w: number) => w <= 3), close: true });
    });
  });

  it('reads in the order asked, repeats included', async () => {
    const source = await openImageFolder(DIR);
    const imageBytes = fixture.height * fixture.width * 3;
    const out = source.read([3, 0, 3]);
    expect(out.subarray(0, imageBytes)).toEqual(pil(fixture.order[3]));
    expect(out.subarray(imageBytes, 2 * imageBytes)).toEqual(pil(fixture.order[0]));
    expect(out.subarray(2 * imageBytes)).toEqual(pil(fixture.order[3]));
    expect(source.read([]).length).toBe(0);
  });

  it('takes an explicit file list, in its order', async () => {
    const files = ['birds/photo.jpg', 'animals/rgb.png', 'top.png'];
    const source = await openImageFolder(DIR, { files, name: 'mine' });
    expect(source.files).toEqual(files);
    expect(source.name).toBe('mine');
    expect(source.count).toBe(3);
    const imageBytes = fixture.height * fixture.width * 3;
    expect(source.read([2])).toEqual(pil('top.png'));
    expect(source.read([1]).length).toBe(imageBytes);
    await expect(openImageFolder(DIR, { files: ['top.png', 'nope.png'] })).rejects.toThrow(
      /openImageFolder: cannot open image .*nope\.png: no such file/,
    );
  });

  it('names both files and sizes when sizes differ', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.png'), png(4, 3));
    writeFileSync(join(dir, 'b.jpg'), encodeJpeg({ width: 5, height: 3, data: Buffer.alloc(5 * 3 * 4, 128) }, 90).data);
    await expect(openImageFolder(dir)).rejects.toThrow(
      `openImageFolder: ${dir}: every image must have the same size, but ${join(dir, 'a.png')} is 4×3 (W×H) and ` +
        `${join(dir, 'b.jpg')} is 5×3`,
    );
  });

  it('gives clear errors for a missing, empty or non-folder path', async () => {
    await expect(openImageFolder(join(scratch, 'absent'))).rejects.toThrow(/openImageFolder: .*absent does not exist/);
    const dir = folder();
    writeFileSync(join(dir, 'readme.txt'), 'hi');
    await expect(openImageFolder(dir)).rejects.toThrow(`openImageFolder: ${dir} holds no PNG or JPEG images`);
    await expect(openImageFolder(join(dir, 'readme.txt'))).rejects.toThrow(/openImageFolder: .*readme\.txt is not a folder/);
  });

  it('names the file that is not an image or is corrupt, on open or on read', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.png'), png(4, 3));
    writeFileSync(join(dir, 'b.png'), 'hello, not a png');
    await expect(openImageFolder(dir)).rejects.toThrow(
      `openImageFolder: ${join(dir, 'b.png')} is neither a PNG nor a JPEG file (it starts with 68 65 6c 6c 6f 2c 20 6e)`,
    );
    writeFileSync(join(dir, 'b.png'), '');
    await expect(openImageFolder(dir)).rejects.toThrow(/b\.png is neither a PNG nor a JPEG file \(it starts with nothing/);

    // Headers intact, image data damaged: found when the image is decoded.
    const good = png(4, 3, 2);
    writeFileSync(join(dir, 'b.png'), good.subarray(0, good.length - 20));
    const jpeg = encodeJpeg({ width: 4, height: 3, data: Buffer.alloc(4 * 3 * 4, 90) }, 90).data;
    writeFileSync(join(dir, 'c.jpg'), jpeg.subarray(0, jpeg.length - 30));
    const source = await openImageFolder(dir);
    expect(source.read([0]).length).toBe(4 * 3 * 3);
    expect(() => source.read([1])).toThrow(new RegExp(`openImageFolder\\(.*\\)\\.read: cannot decode ${join(dir, 'b.png')}: `));
    expect(() => source.read([2])).toThrow(new RegExp(`cannot decode ${join(dir, 'c.jpg')}: `));
    expect(() => source.read([3])).toThrow(/index 3 is out of range, expected an integer in \[0, 3\)/);
    source.close();
    expect(() => source.read([0])).toThrow(/read: the source is closed/);
  });

  it('finds a JPEG frame header behind large APP segments', async () => {
    const dir = folder();
    const jpeg = Buffer.from(encodeJpeg({ width: 7, height: 2, data: Buffer.alloc(7 * 2 * 4, 200) }, 90).data);
    const app = Buffer.alloc(4 + 60000, 0x41);
    app.writeUInt16BE(0xffe1, 0);
    app.writeUInt16BE(60002, 2);
    writeFileSync(join(dir, 'x.jpg'), Buffer.concat([jpeg.subarray(0, 2), app, app, jpeg.subarray(2)]));
    const source = await openImageFolder(dir);
    expect([source.width, source.height]).toEqual([7, 2]);
    for (const v of source.read([0])) expect(Math.abs(v - 200)).toBeLessThanOrEqual(1);
  });
});
