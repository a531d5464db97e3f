import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImageFile, readImageSize } from './decode-image';
import type { ImageSource } from './image-source';

/** Options of {@link openImageFolder}. */
export interface ImageFolderOptions {
  /**
   * The images to use, in this order, as paths relative to the folder (or absolute). Without it, the folder is walked
   * as torchvision's `ImageFolder` does (see {@link listImageFiles}).
   */
  files?: readonly string[];
  /** The source's name in messages and reports; `folder:<dir>` by default. */
  name?: string;
}

/** An image folder: {@link ImageSource} plus the files behind its indices. */
export interface ImageFolderSource extends ImageSource {
  /** The folder, resolved. */
  readonly dir: string;
  /** The image of each index, relative to `dir` (or absolute where `files` gave an absolute path). */
  readonly files: readonly string[];
}

/** Extensions torchvision's ImageFolder takes as images (lower case); only PNG and JPEG are decoded here. */
const DECODED_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const OTHER_IMAGE_EXTENSIONS = ['.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

/**
 * Opens a folder of PNG and JPEG images as torchvision's `ImageFolder(path, Resize(...))` reads it for the reference
 * (CelebA, anime faces, textures): every image is converted to RGB (grayscale replicated, alpha dropped, palettes
 * expanded, 16-bit samples reduced to their high byte), all must share one size (checked on open from the file
 * headers), and images are decoded only when read. The reference resizes them with PIL (`resize` is
 * `'pil-bilinear'`).
 *
 * Decoding follows PIL (see decode-image.ts): PNGs match it value for value (except 16-bit grayscale, reduced to its
 * high byte where PIL clips at 255); JPEGs use libjpeg's chroma upsampling and colour conversion on top of jpeg-js and
 * differ from PIL's by the IDCT only (at most 3 grey levels, 0.15 on average, in the tests).
 */
export async function openImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderSource> {
  const root = resolve(dir);
  let stat: Stats;
  try {
    stat = statSync(root);
  } catch {
    throw new Error(`openImageFolder: ${dir} does not exist (expected a folder of PNG or JPEG images)`);
  }
  if (!stat.isDirectory()) throw new Error(`openImageFolder: ${dir} is not a folder (expected a folder of images)`);
  const files = options.files !== undefined ? [...options.files] : listImageFiles(root);
  if (files.length === 0) {
    throw new Error(
      options.files !== undefined
        ? `openImageFolder: ${dir}: the files option is empty, expected at least one image`
        : `openImageFolder: ${dir} holds no PNG or JPEG images (searched it and its subfolders for .png, .jpg, .jpeg)`,
    );
  }
  let first: { width: number; height: number } | undefined;
  for (const file of files) {
    const path = resolve(root, file);
    const size = readImageSize(path, 'openImageFolder');
    if (first === undefined) {
      first = size;
    } else if (size.width !== first.width || size.height !== first.height) {
      throw new Error(
        `openImageFolder: ${dir}: every image must have the same size, but ${resolve(root, files[0])} is ` +
          `${first.width}×${first.height} (W×H) and ${path} is ${size.width}×${size.height}`,
      );
    }
  }
  return new FolderSource(root, files, first!.width, first!.height, options.name ?? `folder:${root}`);
}

class FolderSource implements ImageFolderSource {
  readonly count: number;
  readonly channels = 3;
  readonly resize = 'pil-bilinear' as const;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly files: readonly string[],
    readonly width: number,
    readonly height: number,
    readonly name: string,
  ) {
    this.count = files.length;
  }

  read(indices: readonly number[]): Uint8Array {
    const where = `openImageFolder(${this.dir}).read`;
    if (this.closed) throw new Error(`${where}: the source is closed`);
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.count) {
        throw new Error(`${where}: index ${i} is out of range, expected an integer in [0, ${this.count})`);
      }
    }
    const imageBytes = this.height * this.width * 3;
    const out = new Uint8Array(indices.length * imageBytes);
    indices.forEach((index, k) => {
      const path = resolve(this.dir, this.files[index]);
      const image = decodeImageFile(path, where);
      if (image.width !== this.width || image.height !== this.height) {
        throw new Error(
          `${where}: ${path} decodes to ${image.width}×${image.height} (W×H), expected ${this.width}×${this.height} ` +
            `like the other images`,
        );
      }
      out.set(image.rgb, k * imageBytes);
    });
    return out;
  }

  close(): void {
    this.closed = true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Walking the folder.

/**
 * The PNG and JPEG files under `dir`, relative to it, in torchvision `ImageFolder`'s order: class folders (the
 * subfolders of `dir`) in sorted order, and within each, `sorted(os.walk(class_dir, followlinks=True))` — folders
 * by path, files by name, in code-point order. Images directly in `dir` (which `ImageFolder` would ignore) come first.
 * Extensions are matched case-insensitively; other files are skipped, but an image format that `ImageFolder` reads
 * and this package cannot (BMP, TIFF, WebP, PPM/PGM) is an error rather than a silent omission.
 */
export function listImageFiles(dir: string): string[] {
  const root = resolve(dir);
  const out: string[] = [];
  const top = readFolder(root, '');
  out.push(...top.files);
  for (const sub of top.folders) {
    // Every folder of this class with its files, then sorted by path as Python sorts os.walk's tuples.
    const perFolder: Array<[string, string[]]> = [];
    const collect = (rel: string, ancestors: readonly string[]): void => {
      const real = realpathSync(join(root, rel));
      if (ancestors.includes(real)) return; // a link back up the tree (os.walk would loop until ELOOP)
      const { files, folders } = readFolder(join(root, rel), rel);
      perFolder.push([rel, files]);
      for (const child of folders) collect(child, [...ancestors, real]);
    };
    collect(sub, [realpathSync(root)]);
    perFolder.sort((a, b) => compareCodePoints(a[0], b[0]));
    for (const [, files] of perFolder) out.push(...files);
  }
  return out;
}

/** One folder's image files and subfolders (paths relative to the walk's root), each sorted. */
function readFolder(abs: string, rel: string): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = statSync(join(abs, entry.name)).isDirectory();
      } catch {
        isDir = false; // a broken link: kept as a file, so that reading it names it
      }
    }
    if (isDir) {
      folders.push(relPath);
      continue;
    }
    const lower = entry.name.toLowerCase();
    if (DECODED_EXTENSIONS.some((e) => lower.endsWith(e))) {
      files.push(relPath);
    } else if (OTHER_IMAGE_EXTENSIONS.some((e) => lower.endsWith(e))) {
      throw new Error(
        `openImageFolder: ${join(abs, entry.name)} is an image format this package cannot decode (only PNG and ` +
          `JPEG are); convert it, or pass the images to use with the files option`,
      );
    }
  }
  files.sort(compareCodePoints);
  folders.sort(compareCodePoints);
  return { files, folders };
}

/** Orders strings by Unicode code point, as Python's `sorted` does (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (U+D800–DFFF, parts of code points above U+FFFF) above U+E000–FFFF. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
