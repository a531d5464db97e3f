import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIdx, type IdxArray } from './idx';
import type { ImageSource } from './image-source';
import { FASHION_MNIST_CLASSES, fashionMnistClassIds, type FashionMnistClasses } from './fashion-mnist-classes';

/** Options of {@link openFashionMnist}. */
export interface FashionMnistOptions {
  /** The classes to keep; images of the others are skipped. */
  classes: FashionMnistClasses;
  /**
   * A directory holding the four IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each gzip-compressed with `.gz` or raw), such as Debian's
   * {@link DEBIAN_FASHION_MNIST_DIR}. Without it, the subset embedded in this package is read.
   */
  path?: string;
}

/** Where Debian's package `dataset-fashion-mnist` installs the IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The classes held by the embedded subset: the first 3000 bags and the first 3000 shoes of the training file. */
export const EMBEDDED_FASHION_MNIST_CLASSES: readonly number[] = [5, 7, 8, 9];

/** A Fashion-MNIST image source: 32×32 grayscale (the 28×28 images padded by 2 background pixels on each side). */
export interface FashionMnistSource extends ImageSource {
  /** The kept class numbers, ascending. */
  readonly classes: readonly number[];
  /** Class number of every image, in source order. */
  readonly labels: Uint8Array;
  /** True when the images come from the subset embedded in the package. */
  readonly embedded: boolean;
}

const STORED = 28;
const PAD = 2;
const SIZE = STORED + 2 * PAD;

/**
 * Opens Fashion-MNIST, keeping only `classes`. With `path`, reads the full data set: the training file then the t10k
 * file, each in file order, filtered by class. Without it, reads the embedded subset (6000 images of the training file:
 * 3000 bags and 3000 shoes, in file order), which holds bags, sandals, sneakers and ankle boots only.
 *
 * Images are served as 32×32×1 uint8 (zero padding around the 28×28 originals, as the NOT demos use); the reference
 * resize for them is PyTorch's bilinear interpolation.
 *
 * Fashion-MNIST: Xiao, Rasul, Vollgraf, Zalando Research, 2017 (arXiv:1708.07747), MIT license.
 *
 * @example
 * const bags = openFashionMnist({ classes: 'bag' });            // embedded subset
 * const shoes = openFashionMnist({ classes: 'shoes', path: DEBIAN_FASHION_MNIST_DIR });
 */
export function openFashionMnist(options: FashionMnistOptions): FashionMnistSource {
  const fn = 'openFashionMnist';
  if (options === null || typeof options !== 'object') {
    throw new Error(`${fn}: options must be an object { classes, path? }, got ${options === null ? 'null' : typeof options}`);
  }
  const classes = fashionMnistClassIds(options.classes, fn);
  const { path } = options;
  let parts: { images: IdxArray; labels: IdxArray; name: string }[];
  if (path === undefined) {
    const missing = classes.filter((c) => !EMBEDDED_FASHION_MNIST_CLASSES.includes(c));
    if (missing.length > 0) {
      throw new Error(
        `${fn}: classes: the embedded subset holds only ${EMBEDDED_FASHION_MNIST_CLASSES.map(className).join(', ')}, ` +
          `got ${missing.map(className).join(', ')}; pass path (a directory with the Fashion-MNIST IDX files) for the others`,
      );
    }
    const dir = join(datasetsPackageRoot(), 'data');
    parts = [
      {
        images: readIdx(join(dir, 'fashion-mnist-subset-images.idx.gz')),
        labels: readIdx(join(dir, 'fashion-mnist-subset-labels.idx.gz')),
        name: 'embedded subset',
      },
    ];
  } else {
    if (typeof path !== 'string' || path === '') throw new Error(`${fn}: path must be a directory path, got ${JSON.stringify(path)}`);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new Error(`${fn}: path: expected a directory holding the Fashion-MNIST IDX files, got ${path} (${existsSync(path) ? 'not a directory' : 'not found'})`);
    }
    parts = (['train', 't10k'] as const).map((split) => ({
      images: readIdx(findIdxFile(path, `${split}-images`, 'idx3-ubyte')),
      labels: readIdx(findIdxFile(path, `${split}-labels`, 'idx1-ubyte')),
      name: `${split} files in ${path}`,
    }));
  }

  const keep = new Uint8Array(10);
  for (const c of classes) keep[c] = 1;
  const pixels = STORED * STORED;
  let total = 0;
  for (const { images, labels, name } of parts) {
    const [n, h, w] = images.dims;
    if (images.dims.length !== 3 || h !== STORED || w !== STORED) {
      throw new Error(`${fn}: ${name}: expected images of shape [N, 28, 28], got [${images.dims.join(', ')}]`);
    }
    if (labels.dims.length !== 1 || labels.dims[0] !== n) {
      throw new Error(`${fn}: ${name}: expected ${n} labels of shape [${n}], got [${labels.dims.join(', ')}]`);
    }
    for (let i = 0; i < n; i++) {
      const label = labels.data[i];
      if (label > 9) throw new Error(`${fn}: ${name}: expected labels 0..9, got ${label} at index ${i}`);
      total += keep[label];
    }
  }
  if (total === 0) {
    throw new Error(`${fn}: classes: no images of ${classes.map(className).join(', ')} in ${path ?? 'the embedded subset'}`);
  }

  let store: Uint8Array | null = new Uint8Array(total * pixels);
  const labelsOut = new Uint8Array(total);
  let k = 0;
  for (const { images, labels } of parts) {
    const n = labels.dims[0];
    for (let i = 0; i < n; i++) {
      if (!keep[labels.data[i]]) continue;
      store.set(images.data.subarray(i * pixels, (i + 1) * pixels), k * pixels);
      labelsOut[k++] = labels.data[i];
    }
  }

  const name = `fashion-mnist:${describeClasses(options.classes, classes)}${path === undefined ? '' : `:${path}`}`;
  return {
    name,
    count: total,
    height: SIZE,
    width: SIZE,
    channels: 1,
    resize: 'bilinear',
    classes,
    labels: labelsOut,
    embedded: path === undefined,
    read(indices: readonly number[]): Uint8Array {
      if (store === null) throw new Error(`${name}: read after close`);
      const out = new Uint8Array(indices.length * SIZE * SIZE);
      for (let j = 0; j < indices.length; j++) {
        const i = indices[j];
        if (!(Number.isInteger(i) && i >= 0 && i < total)) {
          throw new Error(`${name}: read: index must be an integer in [0, ${total}), got ${i} at position ${j}`);
        }
        const base = j * SIZE * SIZE;
        for (let y = 0; y < STORED; y++) {
          const from = (i * STORED + y) * STORED;
          out.set(store.subarray(from, from + STORED), base + (y + PAD) * SIZE + PAD);
        }
      }
      return out;
    },
    close(): void {
      store = null;
    },
  };
}

function className(c: number): string {
  return FASHION_MNIST_CLASSES[c] ?? String(c);
}

function describeClasses(given: FashionMnistClasses, ids: readonly number[]): string {
  return typeof given === 'string' ? given : ids.map(className).join(',');
}

/** `<dir>/<stem>-<suffix>[.gz]`, or the original site's `<stem>.<suffix>[.gz]` spelling. */
function findIdxFile(dir: string, stem: string, suffix: string): string {
  const names = [`${stem}-${suffix}.gz`, `${stem}-${suffix}`, `${stem}.${suffix}.gz`, `${stem}.${suffix}`];
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  throw new Error(`openFashionMnist: path: expected ${dir} to hold ${stem}-${suffix}.gz (or ${stem}-${suffix}), found neither`);
}

let packageRoot: string | null = null;

/**
 * The directory of @not/datasets' package.json, found by walking up from this module's file: src/images/ when run from
 * source, dist/ when run from the bundle.
 */
export function datasetsPackageRoot(): string {
  if (packageRoot !== null) return packageRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === '@not/datasets') return (packageRoot = dir);
      } catch {
        // An unreadable package.json is not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(`datasetsPackageRoot: expected a package.json named @not/datasets above ${start}, found none (embedded data not found)`);
    }
  }
}
