import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from './idx';
import { DEBIAN_FASHION_MNIST_DIR, datasetsPackageRoot, openFashionMnist } from './fashion-mnist';

/** A 28×28 image whose pixels all hold `v` except a marker `tag` in the top-left corner. */
function image(v: number, tag: number): Uint8Array {
  const img = new Uint8Array(28 * 28).fill(v);
  img[0] = tag;
  return img;
}

/** Writes train and t10k IDX files (the train pair gzip-compressed, the t10k pair raw) with the given labels. */
function writeFixture(train: number[], test: number[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'not-fmnist-'));
  const write = (split: string, labels: number[], gzip: boolean, tagBase: number) => {
    const images = new Uint8Array(labels.length * 784);
    labels.forEach((l, i) => images.set(image(10 * l + 1, tagBase + i), i * 784));
    const ext = gzip ? '.gz' : '';
    writeFileSync(join(dir, `${split}-images-idx3-ubyte${ext}`), encodeIdx(images, [labels.length, 28, 28], { gzip }));
    writeFileSync(join(dir, `${split}-labels-idx1-ubyte${ext}`), encodeIdx(Uint8Array.from(labels), [labels.length], { gzip }));
  };
  write('train', train, true, 100);
  write('t10k', test, false, 200);
  return dir;
}

describe('openFashionMnist (embedded subset)', () => {
  it('serves 3000 bags as 32×32×1 uint8 with a 2-pixel zero border', () => {
    const bags = openFashionMnist({ classes: 'bag' });
    expect(bags).toMatchObject({ name: 'fashion-mnist:bag', count: 3000, height: 32, width: 32, channels: 1, resize: 'bilinear', embedded: true });
    expect(bags.classes).toEqual([8]);
    expect(bags.labels.every((l) => l === 8)).toBe(true);
    const x = bags.read([0, 2999, 0]);
    expect(x).toBeInstanceOf(Uint8Array);
    expect(x.length).toBe(3 * 32 * 32);
    for (let k = 0; k < 3; k++) {
      let border = 0;
      let inner = 0;
      for (let y = 0; y < 32; y++) {
        for (let xx = 0; xx < 32; xx++) {
          const v = x[k * 1024 + y * 32 + xx];
          if (y < 2 || y >= 30 || xx < 2 || xx >= 30) border += v;
          else inner += v;
        }
      }
      expect(border).toBe(0);
      expect(inner).toBeGreaterThan(0);
    }
    expect(Array.from(x.subarray(2048))).toEqual(Array.from(x.subarray(0, 1024)));
    bags.close();
  });

  it('serves 3000 shoes (sandals, sneakers, ankle boots in file order) and single shoe classes', () => {
    const shoes = openFashionMnist({ classes: 'shoes' });
    expect(shoes).toMatchObject({ name: 'fashion-mnist:shoes', count: 3000 });
    expect(shoes.classes).toEqual([5, 7, 9]);
    const perClass = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    shoes.labels.forEach((l) => perClass[l]++);
    expect(perClass[5] + perClass[7] + perClass[9]).toBe(3000);
    expect(Math.min(perClass[5], perClass[7], perClass[9])).toBeGreaterThan(900);
    const sandals = openFashionMnist({ classes: 'sandal' });
    expect(sandals.count).toBe(perClass[5]);
    const two = openFashionMnist({ classes: [9, 5, 9] });
    expect(two.name).toBe('fashion-mnist:sandal,ankle-boot');
    expect(two.count).toBe(perClass[5] + perClass[9]);
    // Filtering keeps file order: the sandals are the 5s of the shoes, in order.
    const fromShoes = [...shoes.labels.keys()].filter((i) => shoes.labels[i] === 5).slice(0, 5);
    expect(Array.from(sandals.read([0, 1, 2, 3, 4]))).toEqual(Array.from(shoes.read(fromShoes)));
  });

  it('says which classes it lacks and names bad arguments', () => {
    expect(() => openFashionMnist({ classes: 't-shirt' })).toThrow(
      'openFashionMnist: classes: the embedded subset holds only sandal, sneaker, bag, ankle-boot, got t-shirt; pass path',
    );
    expect(() => openFashionMnist({ classes: 'hat' as never })).toThrow(/openFashionMnist: classes must be 'shoes', a class name or .* \(t-shirt, .*\), got "hat"/);
    expect(() => openFashionMnist({ classes: [10] })).toThrow(/openFashionMnist: classes must be .*, got 10 in it/);
    expect(() => openFashionMnist({ classes: [] })).toThrow('non-empty array');
    const bags = openFashionMnist({ classes: 'bag' });
    expect(() => bags.read([3000])).toThrow('fashion-mnist:bag: read: index must be an integer in [0, 3000), got 3000 at position 0');
    expect(() => bags.read([1.5])).toThrow('got 1.5');
    bags.close();
    expect(() => bags.read([0])).toThrow('fashion-mnist:bag: read after close');
  });

  it('finds its data from the package root', () => {
    const root = datasetsPackageRoot();
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(existsSync(join(root, 'data', 'fashion-mnist-subset-images.idx.gz'))).toBe(true);
  });
});

describe('openFashionMnist (IDX files in a directory)', () => {
  it('reads train then t10k, each in file order, filtered by class', () => {
    const dir = writeFixture([8, 0, 8, 5, 8], [5, 8, 1]);
    const bags = openFashionMnist({ classes: 'bag', path: dir });
    expect(bags).toMatchObject({ name: `fashion-mnist:bag:${dir}`, count: 4, embedded: false });
    const x = bags.read([0, 1, 2, 3]);
    // Tags sit at (2, 2) of each padded image: train indices 0, 2, 4, then t10k index 1.
    expect([0, 1, 2, 3].map((k) => x[k * 1024 + 2 * 32 + 2])).toEqual([100, 102, 104, 201]);
    expect(x[2 * 32 + 3]).toBe(81);
    const all = openFashionMnist({ classes: [0, 1, 5], path: dir });
    expect(Array.from(all.labels)).toEqual([0, 5, 5, 1]);
    expect(() => openFashionMnist({ classes: 'trouser', path: writeFixture([8], [8]) })).toThrow(
      'openFashionMnist: classes: no images of trouser in',
    );
  });

  it('names missing directories, missing files and wrong shapes', () => {
    expect(() => openFashionMnist({ classes: 'bag', path: '/nonexistent/fmnist' })).toThrow(
      'openFashionMnist: path: expected a directory holding the Fashion-MNIST IDX files, got /nonexistent/fmnist (not found)',
    );
    const empty = mkdtempSync(join(tmpdir(), 'not-fmnist-'));
    expect(() => openFashionMnist({ classes: 'bag', path: empty })).toThrow(
      `openFashionMnist: path: expected ${empty} to hold train-images-idx3-ubyte.gz (or train-images-idx3-ubyte), found neither`,
    );
    const dir = writeFixture([8, 8], [8]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx(Uint8Array.from([8, 8]), [2], { gzip: false }));
    expect(() => openFashionMnist({ classes: 'bag', path: dir })).toThrow(`openFashionMnist: t10k files in ${dir}: expected 1 labels of shape [1], got [2]`);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx(new Uint8Array(2 * 16), [2, 4, 4], { gzip: false }));
    expect(() => openFashionMnist({ classes: 'bag', path: dir })).toThrow('expected images of shape [N, 28, 28], got [2, 4, 4]');
  });

  it.skipIf(!existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))(
    "reads Debian's files, whose first 3000 bags are the embedded ones",
    () => {
      const full = openFashionMnist({ classes: 'bag', path: DEBIAN_FASHION_MNIST_DIR });
      expect(full.count).toBe(7000);
      const shoes = openFashionMnist({ classes: 'shoes', path: DEBIAN_FASHION_MNIST_DIR });
      expect(shoes.count).toBe(21000);
      const embedded = openFashionMnist({ classes: 'bag' });
      const idx = [0, 1234, 2999];
      expect(Array.from(full.read(idx))).toEqual(Array.from(embedded.read(idx)));
    },
  );
});
