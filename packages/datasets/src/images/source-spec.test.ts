import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageSource } from './image-source';
import { openImageSource, parseSourceSpec } from './source-spec';
import { openIganHdf5 } from './igan-hdf5';
import { openImageFolder } from './image-folder';
import { openCelebA } from './celeba';

// The openers are tested beside their own files; here they are stand-ins that record how they were called.
const stub = (name: string): ImageSource => ({
  name,
  count: 1,
  height: 1,
  width: 1,
  channels: 3,
  resize: 'bilinear',
  read: () => new Uint8Array(3),
  close() {},
});
vi.mock('./igan-hdf5', () => ({ openIganHdf5: vi.fn(async (path: string) => stub(`igan:${path}`)) }));
vi.mock('./image-folder', () => ({ openImageFolder: vi.fn(async (dir: string) => stub(`folder:${dir}`)) }));
vi.mock('./celeba', () => ({ openCelebA: vi.fn(async (dir: string) => stub(`celeba:${dir}`)) }));

beforeEach(() => vi.clearAllMocks());

describe('parseSourceSpec', () => {
  it('reads Fashion-MNIST specs', () => {
    expect(parseSourceSpec('fashion-mnist:bag')).toEqual({ kind: 'fashion-mnist', classes: 'bag' });
    expect(parseSourceSpec('fashion-mnist:shoes')).toEqual({ kind: 'fashion-mnist', classes: 'shoes' });
    expect(parseSourceSpec('fashion-mnist:ankle-boot')).toEqual({ kind: 'fashion-mnist', classes: 'ankle-boot' });
    expect(parseSourceSpec('fashion-mnist:sneaker,sandal')).toEqual({ kind: 'fashion-mnist', classes: [5, 7] });
    expect(parseSourceSpec('fashion-mnist:bag, shoes')).toEqual({ kind: 'fashion-mnist', classes: [5, 7, 8, 9] });
    expect(parseSourceSpec('fashion-mnist:0,1,t-shirt')).toEqual({ kind: 'fashion-mnist', classes: [0, 1] });
    expect(parseSourceSpec('fashion-mnist:bag:/usr/share/datasets/fashion-mnist')).toEqual({
      kind: 'fashion-mnist',
      classes: 'bag',
      path: '/usr/share/datasets/fashion-mnist',
    });
    // The path runs to the end of the spec, colons included.
    expect(parseSourceSpec('fashion-mnist:shoes:C:\\data\\fmnist')).toEqual({ kind: 'fashion-mnist', classes: 'shoes', path: 'C:\\data\\fmnist' });
    expect(parseSourceSpec('fashion-mnist:sandal,bag:rel/dir')).toEqual({ kind: 'fashion-mnist', classes: [5, 8], path: 'rel/dir' });
  });

  it('reads iGAN, folder and CelebA specs', () => {
    expect(parseSourceSpec('igan:/data/shoes_64.hdf5')).toEqual({ kind: 'igan', path: '/data/shoes_64.hdf5' });
    expect(parseSourceSpec('igan:odd:name.hdf5')).toEqual({ kind: 'igan', path: 'odd:name.hdf5' });
    expect(parseSourceSpec('folder:./anime')).toEqual({ kind: 'folder', path: './anime' });
    expect(parseSourceSpec('celeba:/d/img_align_celeba:male')).toEqual({ kind: 'celeba', path: '/d/img_align_celeba', gender: 'male' });
    expect(parseSourceSpec('celeba:imgs:female:/d/attrs.txt')).toEqual({ kind: 'celeba', path: 'imgs', gender: 'female', attributeFile: '/d/attrs.txt' });
    expect(parseSourceSpec('celeba:C:\\celeba:female')).toEqual({ kind: 'celeba', path: 'C:\\celeba', gender: 'female' });
    expect(parseSourceSpec('celeba:male:male')).toEqual({ kind: 'celeba', path: 'male', gender: 'male' });
  });

  it('rejects malformed specs, listing the accepted forms', () => {
    const forms = 'accepted forms: fashion-mnist:bag, fashion-mnist:shoes, fashion-mnist:<class>[,<class>…], ' +
      'fashion-mnist:<classes>:<idx-dir>, igan:<file.hdf5>, folder:<dir>, celeba:<dir>:male|female[:<attr-file>]';
    expect(() => parseSourceSpec('mnist:3')).toThrow(`parseSourceSpec: unknown source kind "mnist", got "mnist:3"; ${forms}`);
    expect(() => parseSourceSpec('')).toThrow('parseSourceSpec: unknown source kind "", got ""');
    expect(() => parseSourceSpec('/data/shoes.hdf5')).toThrow('unknown source kind "/data/shoes.hdf5"');
    expect(() => parseSourceSpec('Fashion-MNIST:bag')).toThrow('unknown source kind "Fashion-MNIST"');
    expect(() => parseSourceSpec('fashion-mnist')).toThrow('parseSourceSpec: fashion-mnist needs classes');
    expect(() => parseSourceSpec('fashion-mnist:')).toThrow('parseSourceSpec: fashion-mnist needs classes');
    expect(() => parseSourceSpec('fashion-mnist:bags')).toThrow('parseSourceSpec: fashion-mnist: unknown class "bags" (expected shoes, t-shirt,');
    expect(() => parseSourceSpec('fashion-mnist:bag,')).toThrow('unknown class ""');
    expect(() => parseSourceSpec('fashion-mnist:10')).toThrow('unknown class "10"');
    expect(() => parseSourceSpec('fashion-mnist:bag:')).toThrow('needs a directory after the second colon');
    expect(() => parseSourceSpec('igan:')).toThrow('parseSourceSpec: igan needs a path (igan:<file.hdf5>)');
    expect(() => parseSourceSpec('folder')).toThrow('parseSourceSpec: folder needs a path (folder:<dir>)');
    expect(() => parseSourceSpec('celeba:/d')).toThrow('parseSourceSpec: celeba needs a directory and a gender');
    expect(() => parseSourceSpec('celeba:/d:men')).toThrow('celeba needs a directory and a gender');
    expect(() => parseSourceSpec('celeba:male')).toThrow('celeba needs a directory and a gender');
    expect(() => parseSourceSpec('celeba::female')).toThrow('celeba needs a directory before the gender');
    expect(() => parseSourceSpec('celeba:/d:male:')).toThrow('needs an attribute file after the last colon');
    expect(() => parseSourceSpec(42 as never)).toThrow('parseSourceSpec: spec must be a string, got number');
  });
});

describe('openImageSource', () => {
  it('opens the embedded Fashion-MNIST subset', async () => {
    const source = await openImageSource('fashion-mnist:sneaker,ankle-boot');
    expect(source.name).toBe('fashion-mnist:sneaker,ankle-boot');
    expect(source).toMatchObject({ height: 32, width: 32, channels: 1, resize: 'bilinear' });
    source.close();
    await expect(openImageSource('fashion-mnist:coat')).rejects.toThrow('openFashionMnist: classes: the embedded subset holds only');
  });

  it('hands iGAN and folder paths to their openers', async () => {
    expect((await openImageSource('igan:/x/shoes_64.hdf5')).name).toBe('igan:/x/shoes_64.hdf5');
    expect(openIganHdf5).toHaveBeenCalledWith('/x/shoes_64.hdf5');
    expect((await openImageSource('folder:imgs')).name).toBe('folder:imgs');
    expect(openImageFolder).toHaveBeenCalledWith('imgs');
  });

  it('finds the CelebA attribute file in or next to the image directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'not-celeba-'));
    const images = join(root, 'img_align_celeba');
    mkdirSync(images);
    await expect(openImageSource(`celeba:${images}:male`)).rejects.toThrow(
      `openImageSource: celeba: expected an attribute file at ${join(images, 'list_attr_celeba.txt')} or ${join(root, 'list_attr_celeba.txt')}, found neither`,
    );
    writeFileSync(join(root, 'list_attr_celeba.txt'), '');
    await openImageSource(`celeba:${images}:male`);
    expect(openCelebA).toHaveBeenLastCalledWith(images, join(root, 'list_attr_celeba.txt'), 'male');
    writeFileSync(join(images, 'list_attr_celeba.txt'), '');
    await openImageSource(`celeba:${images}:female`);
    expect(openCelebA).toHaveBeenLastCalledWith(images, join(images, 'list_attr_celeba.txt'), 'female');
    await openImageSource(`celeba:${images}:female:/elsewhere/attrs.txt`);
    expect(openCelebA).toHaveBeenLastCalledWith(images, '/elsewhere/attrs.txt', 'female');
  });
});
