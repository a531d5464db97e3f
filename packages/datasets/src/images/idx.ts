import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The IDX format (LeCun's MNIST files, also Fashion-MNIST): two zero bytes, a type code, the number of dimensions,
 * then each dimension as a big-endian uint32, then the values in row-major order. Only unsigned bytes (type 0x08) are
 * read; the other type codes are recognised so that errors can name them.
 */
export interface IdxArray {
  /** Dimensions, outermost first, e.g. [60000, 28, 28] for an image file, [60000] for a label file. */
  readonly dims: readonly number[];
  /** The values, row-major: product(dims) bytes. */
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const UBYTE = 0x08;

/** True when `bytes` starts with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an IDX file held in memory, gzip-compressed or raw (told apart by the gzip magic number). `name` (a path,
 * usually) is used in error messages. Throws for a bad gzip stream, a wrong magic number, a type other than unsigned
 * byte, a header or body shorter than the header says (truncated file), or trailing bytes after the values.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const fn = 'parseIdx';
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${fn}: ${name}: expected a readable gzip stream, got a corrupt or truncated one (${(e as Error).message})`);
    }
  }
  if (raw.length < 4) {
    throw new Error(`${fn}: ${name}: expected an IDX header of at least 4 bytes, got ${raw.length} (truncated file)`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    const magic = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${fn}: ${name}: expected the IDX magic number 00 00 <type> <ndims>, got ${magic} (not an IDX file)`);
  }
  const type = raw[2];
  const ndims = raw[3];
  if (!(type in TYPE_NAMES)) {
    throw new Error(`${fn}: ${name}: expected an IDX type code (08, 09, 0b, 0c, 0d, 0e), got ${hex(type)} (not an IDX file)`);
  }
  if (type !== UBYTE) {
    throw new Error(`${fn}: ${name}: expected unsigned byte values (type 08), got ${TYPE_NAMES[type]} (type ${hex(type)})`);
  }
  if (ndims < 1) throw new Error(`${fn}: ${name}: expected at least 1 dimension, got 0`);
  const headerBytes = 4 + 4 * ndims;
  if (raw.length < headerBytes) {
    throw new Error(`${fn}: ${name}: expected a ${headerBytes}-byte header for ${ndims} dimensions, got ${raw.length} bytes (truncated file)`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const body = raw.length - headerBytes;
  if (body < count) {
    throw new Error(
      `${fn}: ${name}: expected ${count} values for dimensions [${dims.join(', ')}], got ${body} (truncated file)`,
    );
  }
  if (body > count) {
    throw new Error(
      `${fn}: ${name}: expected ${count} values for dimensions [${dims.join(', ')}], got ${body} (${body - count} trailing bytes: corrupt file)`,
    );
  }
  return { dims, data: raw.subarray(headerBytes) };
}

/** Reads an IDX file (gzip-compressed or raw) from disk; errors as {@link parseIdx}, plus unreadable files. */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readIdx: path: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseIdx(bytes, path);
}

/**
 * Encodes unsigned bytes as an IDX file (gzip-compressed unless `gzip` is false). The inverse of {@link parseIdx};
 * used to write the embedded subset and test fixtures.
 */
export function encodeIdx(data: Uint8Array, dims: readonly number[], options: { gzip?: boolean } = {}): Uint8Array {
  const fn = 'encodeIdx';
  if (dims.length < 1 || dims.length > 255) throw new Error(`${fn}: dims must have 1 to 255 entries, got ${dims.length}`);
  let count = 1;
  for (const d of dims) {
    if (!(Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) throw new Error(`${fn}: dims must be uint32 values, got ${d}`);
    count *= d;
  }
  if (data.length !== count) {
    throw new Error(`${fn}: data must hold product(dims) = ${count} values for [${dims.join(', ')}], got ${data.length}`);
  }
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return options.gzip === false ? out : new Uint8Array(gzipSync(out, { level: 9 }));
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
