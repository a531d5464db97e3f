import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImageSource } from './image-source';

type H5wasmNode = typeof import('h5wasm/node');
type H5Lib = H5wasmNode['default'];
type H5Module = Awaited<H5wasmNode['ready']>;
type H5File = InstanceType<H5Lib['File']>;

/**
 * HDF5 filters that h5wasm decodes correctly: deflate (gzip), shuffle and fletcher32 are built into libhdf5. Any other
 * filter is refused: h5wasm 0.10.3 ships no plugins, and reading such a dataset through `Dataset.slice` returns
 * whatever was in its buffer (it ignores H5Dread's failure).
 */
const DECODABLE_FILTERS = new Set([1, 2, 3]);

const FILTER_NAMES: Record<number, string> = {
  1: 'deflate (gzip)',
  2: 'shuffle',
  3: 'fletcher32',
  4: 'szip',
  5: 'nbit',
  6: 'scaleoffset',
  307: 'bzip2',
  32000: 'LZF',
  32001: 'Blosc',
  32004: 'LZ4',
  32008: 'bitshuffle',
  32013: 'zfp',
  32015: 'Zstandard',
  32017: 'SZ',
  32019: 'JPEG',
};

/** HDF5 datatype classes (H5T_class_t) for messages. */
const TYPE_CLASSES = ['integer', 'float', 'time', 'string', 'bitfield', 'opaque', 'compound', 'reference', 'enum', 'vlen', 'array'];

/** The most bytes one H5Dread fills (the wasm heap is capped at 2 GiB). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

let h5wasmPromise: Promise<{ lib: H5Lib; module: H5Module }> | undefined;

/** Loads h5wasm's Node build once, on first use: it reads the host file system directly (NODERAWFS), by position. */
function loadH5wasm(): Promise<{ lib: H5Lib; module: H5Module }> {
  h5wasmPromise ??= import('h5wasm/node').then(async (m) => {
    const lib = m.default;
    const module = await lib.ready;
    return { lib, module };
  });
  return h5wasmPromise;
}

/**
 * Opens an iGAN HDF5 file (`handbag_64.hdf5`, `shoes_128.hdf5`, `outdoor_64.hdf5`, `church_64.hdf5`, …) as the
 * reference does: the **first** entry of the root group (in HDF5's name order, as h5py lists it; `imgs` in the iGAN
 * files), a uint8 N×H×W×3 (or ×1) dataset. Images are read lazily, by hyperslab, so a multi-gigabyte file is never
 * loaded whole; contiguous, chunked, gzip- and shuffle-filtered datasets are supported, any other filter (LZF, szip,
 * Blosc, …) is refused. The reference resizes these images with PyTorch's bilinear interpolation (`resize` is
 * `'bilinear'`).
 *
 * Reads sort the indices and read each run of consecutive images with one hyperslab. Random reads of a contiguous
 * dataset cost about 0.5 ms per 64×64 image; in a compressed dataset every read decompresses the chunks it touches
 * (h5wasm closes the dataset, and with it HDF5's chunk cache, after each read), so chunks of one image suit random
 * access best.
 */
export async function openIganHdf5(path: string): Promise<ImageSource> {
  const file = resolve(path);
  checkHdf5File(file, path);
  const { lib, module } = await loadH5wasm();
  let h5: H5File;
  try {
    h5 = new lib.File(file, 'r');
  } catch (error) {
    throw new Error(`openIganHdf5: ${path} could not be opened by HDF5: ${messageOf(error)}`);
  }
  if (h5.file_id < 0n) {
    throw new Error(
      `openIganHdf5: ${path} has an HDF5 signature but HDF5 could not open it (a corrupt or incomplete file?); ` +
        `HDF5's own report is on stderr`,
    );
  }
  try {
    return describeDataset(h5, lib, module, file, path);
  } catch (error) {
    h5.close();
    throw error;
  }
}

function describeDataset(h5: H5File, lib: H5Lib, module: H5Module, file: string, path: string): ImageSource {
  const expected = 'expected a uint8 N×H×W×3 dataset (such as "imgs" in the iGAN files) as its first entry';
  let keys: string[];
  try {
    keys = h5.keys();
  } catch (error) {
    throw new Error(`openIganHdf5: ${path}: HDF5 could not list the root group: ${messageOf(error)}`);
  }
  if (keys.length === 0) throw new Error(`openIganHdf5: ${path} holds no dataset; ${expected}, got an empty file`);
  const key = keys[0];
  const entity = h5.get(key);
  if (!(entity instanceof lib.Dataset)) {
    const kind = entity === null ? 'an unreadable object' : `a ${entity.constructor.name}`;
    throw new Error(`openIganHdf5: ${path} holds no dataset first; ${expected}, got "${key}", ${kind}`);
  }
  const where = `openIganHdf5: ${path} dataset "${key}"`;
  const meta = entity.metadata;
  const dtype = describeType(meta.type, meta.size, meta.signed);
  if (dtype !== 'uint8') throw new Error(`${where} has dtype ${dtype}, expected uint8`);
  const shape = meta.shape;
  if (shape === null || shape.length !== 4 || (shape[3] !== 3 && shape[3] !== 1) || shape.some((s) => s < 1)) {
    throw new Error(
      `${where} has shape ${shape === null ? 'null (an empty dataspace)' : `[${shape.join(', ')}]`}, ` +
        `expected N×H×W×3 (RGB) or N×H×W×1 (grayscale) with N, H, W ≥ 1`,
    );
  }
  for (const filter of entity.filters) {
    if (!DECODABLE_FILTERS.has(filter.id)) {
      const name = FILTER_NAMES[filter.id] ?? (filter.name || 'unknown');
      throw new Error(
        `${where} uses the ${name} filter (id ${filter.id}), which h5wasm cannot decode; re-save it with gzip, ` +
          `e.g. h5repack -f GZIP=4 -l CHUNK=1x${shape[1]}x${shape[2]}x${shape[3]} in.hdf5 out.hdf5 ` +
          `(h5repack must find the ${name} plugin through HDF5_PLUGIN_PATH), or with h5py: ` +
          `create_dataset("${key}", data=src["${key}"][:], chunks=(1, ${shape[1]}, ${shape[2]}, ${shape[3]}), ` +
          `compression="gzip")`,
      );
    }
  }
  return new IganHdf5Source(h5, module, entity.path, file, path, shape as [number, number, number, number]);
}

class IganHdf5Source implements ImageSource {
  readonly name: string;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly resize = 'bilinear' as const;
  private h5: H5File | null;
  private readonly imageBytes: number;

  constructor(
    h5: H5File,
    private readonly module: H5Module,
    private readonly datasetPath: string,
    file: string,
    private readonly path: string,
    shape: [number, number, number, number],
  ) {
    this.h5 = h5;
    this.name = `igan:${file}`;
    [this.count, this.height, this.width, this.channels] = shape;
    this.imageBytes = this.height * this.width * this.channels;
  }

  read(indices: readonly number[]): Uint8Array {
    const where = `openIganHdf5(${this.path}).read`;
    if (this.h5 === null) throw new Error(`${where}: the source is closed`);
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.count) {
        throw new Error(`${where}: index ${i} is out of range, expected an integer in [0, ${this.count})`);
      }
    }
    const out = new Uint8Array(indices.length * this.imageBytes);
    // Positions in `indices`, ordered by image index, so that runs of consecutive images are read with one hyperslab.
    const order = Array.from(indices.keys()).sort((a, b) => indices[a] - indices[b]);
    const maxRun = Math.max(1, Math.floor(MAX_READ_BYTES / this.imageBytes));
    let p = 0;
    while (p < order.length) {
      const start = indices[order[p]];
      let q = p + 1;
      while (q < order.length) {
        const index = indices[order[q]];
        if (index - indices[order[q - 1]] > 1 || index - start >= maxRun) break;
        q++;
      }
      const stop = indices[order[q - 1]] + 1;
      const run = this.readRun(start, stop, where);
      for (let k = p; k < q; k++) {
        const offset = (indices[order[k]] - start) * this.imageBytes;
        out.set(run.subarray(offset, offset + this.imageBytes), order[k] * this.imageBytes);
      }
      p = q;
    }
    return out;
  }

  /** Images start..stop-1 with one H5Dread, checking its status (h5wasm's `Dataset.slice` does not). */
  private readRun(start: number, stop: number, where: string): Uint8Array {
    const m = this.module;
    const nbytes = (stop - start) * this.imageBytes;
    const ptr = m._malloc(nbytes);
    if (ptr === 0) throw new Error(`${where}: could not allocate ${nbytes} bytes in h5wasm's heap`);
    try {
      const status = m.get_dataset_data(
        this.h5!.file_id,
        this.datasetPath,
        [BigInt(stop - start), BigInt(this.height), BigInt(this.width), BigInt(this.channels)],
        [BigInt(start), 0n, 0n, 0n],
        [1n, 1n, 1n, 1n],
        BigInt(ptr),
      );
      if (status < 0) {
        throw new Error(
          `${where}: HDF5 could not read images ${start}..${stop - 1} of ${this.path} (a damaged chunk or a ` +
            `truncated file?); HDF5's own report is on stderr`,
        );
      }
      // HEAPU8 is looked up after the read: the heap may have grown (and the old view detached) meanwhile.
      return m.HEAPU8.slice(ptr, ptr + nbytes);
    } finally {
      m._free(ptr);
    }
  }

  close(): void {
    if (this.h5 !== null) {
      this.h5.close();
      this.h5 = null;
    }
  }
}

function describeType(typeClass: number, size: number, signed: boolean): string {
  if (typeClass === 0) return `${signed ? 'int' : 'uint'}${size * 8}`;
  if (typeClass === 1) return `float${size * 8}`;
  return `${TYPE_CLASSES[typeClass] ?? `class ${typeClass}`} (${size} bytes)`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Checks, with plain reads, what HDF5 would only report on stderr: that the file exists, carries the HDF5 signature
 * (at byte 0, 512, 1024, 2048, … as a user block allows), and is not shorter than the end-of-file address its
 * superblock records (an interrupted download).
 */
function checkHdf5File(file: string, path: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error(`openIganHdf5: ${path} is a directory, expected an HDF5 file`);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`openIganHdf5: ${path} does not exist (expected an iGAN HDF5 file such as handbag_64.hdf5)`);
    }
    if (error instanceof Error && error.message.startsWith('openIganHdf5:')) throw error;
    throw new Error(`openIganHdf5: cannot read ${path}: ${messageOf(error)}`);
  }
  const fd = openSync(file, 'r');
  try {
    const read = (position: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      const n = readSync(fd, buffer, 0, length, position);
      return buffer.subarray(0, n);
    };
    let base = -1;
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      const head = read(at, 8);
      if (SIGNATURE.every((b, i) => head[i] === b)) {
        base = at;
        break;
      }
    }
    if (base < 0) {
      throw new Error(
        `openIganHdf5: ${path} is not an HDF5 file: expected the HDF5 signature \\x89HDF\\r\\n\\x1a\\n at byte 0 ` +
          `(or 512, 1024, …), got ${size < 8 ? `a ${size}-byte file` : `"${describeBytes(read(0, 8))}"`}`,
      );
    }
    const storedEof = superblockEof(read(base, 96));
    if (storedEof !== undefined && BigInt(size) < storedEof) {
      throw new Error(
        `openIganHdf5: ${path} is truncated: it has ${size} bytes but its HDF5 superblock says the file ends at ` +
          `byte ${storedEof}; download or copy it again`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** The end-of-file address recorded in a superblock (versions 0–3), or undefined when it cannot be told. */
function superblockEof(sb: Buffer): bigint | undefined {
  if (sb.length < 13) return undefined;
  const version = sb[8];
  let offsetSize: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    offsetSize = sb[13];
    eofAt = (version === 0 ? 24 : 28) + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    offsetSize = sb[9];
    eofAt = 12 + 2 * offsetSize;
  } else {
    return undefined;
  }
  if (![2, 4, 8].includes(offsetSize) || eofAt + offsetSize > sb.length) return undefined;
  let value = 0n;
  let undefinedAddress = true;
  for (let i = offsetSize - 1; i >= 0; i--) {
    value = (value << 8n) | BigInt(sb[eofAt + i]);
    if (sb[eofAt + i] !== 0xff) undefinedAddress = false;
  }
  return undefinedAddress ? undefined : value;
}

function describeBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}
