// NumPy's .npy format (numpy.lib.format), written from its specification:
//   6 bytes   magic "\x93NUMPY"
//   2 bytes   major, minor version (1.0, 2.0 or 3.0)
//   2 or 4    header length, little-endian (u16 in 1.0, u32 in 2.0 and 3.0)
//   header    a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces
//             and ending in '\n'; latin-1 in 1.0/2.0, UTF-8 in 3.0
//   data      the array's values, C order
// Pure functions on bytes, so they run in a browser too; file IO belongs to the caller.

/** NumPy dtypes that {@link readNpy} reads (the name of the file's dtype). */
export type NpyDtype = 'float16' | 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'bool';

/**
 * An array read from a .npy file. `dtype` is the file's dtype; `data` holds the values in C order, converted where
 * JavaScript has no exact array type: float16 → Float32Array; int8, int16, uint16 → Int32Array; int64 and uint32 →
 * Int32Array when every value fits (an error otherwise); bool → Uint8Array of 0/1. float64 stays Float64Array.
 */
export interface NpyArray {
  /** The dtype stored in the file, before any conversion of `data`. */
  dtype: NpyDtype;
  /** Dimensions from the header; [] for a scalar. The product of its entries is `data.length`. */
  shape: number[];
  /** The values in C (row-major) order, converted as described above. */
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
  /** Always false: Fortran-ordered files are refused. */
  fortranOrder: false;
}

/** Typed arrays that {@link writeNpy} writes: float32 '<f4', float64 '<f8', int32 '<i4', uint8 '|u1'. */
export type NpyWritable = Float32Array | Float64Array | Int32Array | Uint8Array;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** descr without the byte-order character → [dtype, bytes per value]. */
const TYPES: Record<string, [NpyDtype, number]> = {
  f2: ['float16', 2],
  f4: ['float32', 4],
  f8: ['float64', 8],
  i1: ['int8', 1],
  i2: ['int16', 2],
  i4: ['int32', 4],
  i8: ['int64', 8],
  u1: ['uint8', 1],
  u2: ['uint16', 2],
  u4: ['uint32', 4],
  b1: ['bool', 1],
};

/** Reads a .npy file (format 1.0, 2.0 or 3.0); throws naming what is wrong for anything it cannot read faithfully. */
export function readNpy(bytes: Uint8Array): NpyArray {
  const fn = 'readNpy';
  if (!(bytes instanceof Uint8Array)) throw new Error(`${fn}: bytes must be a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error(`${fn}: not a .npy file: expected the magic "\\x93NUMPY" at the start, got ${bytes.length < 6 ? `only ${bytes.length} bytes` : 'other bytes'}`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new Error(`${fn}: format version ${major}.${minor} is not supported; expected 1.0, 2.0 or 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new Error(`${fn}: truncated file: ${bytes.length} bytes end inside the header length`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new Error(`${fn}: truncated file: the header says it is ${headerLength} bytes, but only ${bytes.length - 8 - lengthBytes} follow`);
  }
  const headerBytes = bytes.subarray(8 + lengthBytes, dataStart);
  let text = '';
  if (major === 3) text = new TextDecoder('utf-8').decode(headerBytes);
  else for (const b of headerBytes) text += String.fromCharCode(b); // latin-1
  const header = parseHeader(text);

  const descr = header.descr;
  if (typeof descr !== 'string') {
    throw new Error(`${fn}: structured dtypes are not supported; got descr ${formatValue(descr)} (save a plain array instead)`);
  }
  const order = descr[0];
  const code = descr.slice(1);
  if (code === 'O') throw new Error(`${fn}: object arrays (descr "${descr}") are not supported; save a numeric array`);
  const type = TYPES[code];
  if (!type || !'<>|='.includes(order)) {
    throw new Error(`${fn}: dtype "${descr}" is not supported; expected one of ${Object.keys(TYPES).map((c) => `<${c}`).join(', ')}`);
  }
  const [dtype, size] = type;
  if (order === '>' && size > 1) throw new Error(`${fn}: big-endian dtype "${descr}" is not supported; save with .astype('<${code}')`);
  if (order === '=' && size > 1) throw new Error(`${fn}: native-order dtype "${descr}" is ambiguous; expected an explicit little-endian "<${code}"`);
  if (header.fortran_order !== false) {
    throw new Error(`${fn}: fortran_order ${formatValue(header.fortran_order)} is not supported; save a C-ordered array (np.ascontiguousarray)`);
  }
  const shape = header.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${fn}: header shape must be a tuple of integers >= 0, got ${formatValue(shape)}`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const dataLength = bytes.length - dataStart;
  if (dataLength < count * size) {
    throw new Error(`${fn}: truncated data: shape (${shape.join(', ')}) of ${dtype} needs ${count * size} bytes, but the file has ${dataLength}`);
  }
  if (dataLength > count * size) {
    throw new Error(`${fn}: ${dataLength - count * size} unexpected bytes after the data of shape (${shape.join(', ')}) of ${dtype}`);
  }
  const raw = bytes.slice(dataStart, dataStart + count * size); // a copy at offset 0, aligned for any typed array
  return { dtype, shape: [...(shape as number[])], data: convert(dtype, raw, count), fortranOrder: false };
}

function convert(dtype: NpyDtype, raw: Uint8Array, count: number): NpyArray['data'] {
  const view = new DataView(raw.buffer);
  const ints = (read: (i: number) => number | bigint): Int32Array => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = read(i);
      if (v < -2147483648 || v > 2147483647) throw new Error(`readNpy: ${dtype} value ${v} at index ${i} does not fit in int32`);
      out[i] = Number(v);
    }
    return out;
  };
  switch (dtype) {
    case 'float16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'int8':
      return Int32Array.from(new Int8Array(raw.buffer));
    case 'int16':
      return ints((i) => view.getInt16(2 * i, true));
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'int64':
      return ints((i) => view.getBigInt64(8 * i, true));
    case 'uint8':
      return raw;
    case 'uint16':
      return ints((i) => view.getUint16(2 * i, true));
    case 'uint32':
      return ints((i) => view.getUint32(4 * i, true));
    case 'bool': {
      const bad = raw.findIndex((v) => v > 1);
      if (bad >= 0) throw new Error(`readNpy: bool value byte ${raw[bad]} at index ${bad}; expected 0 or 1`);
      return raw;
    }
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Writes a C-ordered array as .npy (format 1.0, or 2.0 when the header needs more than 65535 bytes). The header is
 * padded so the data starts at a multiple of 64 bytes, as NumPy does.
 */
export function writeNpy(data: NpyWritable, shape: readonly number[]): Uint8Array {
  const fn = 'writeNpy';
  let descr: string;
  if (data instanceof Float32Array) descr = '<f4';
  else if (data instanceof Float64Array) descr = '<f8';
  else if (data instanceof Int32Array) descr = '<i4';
  else if (data instanceof Uint8Array) descr = '|u1';
  else throw new Error(`${fn}: data must be a Float32Array, Float64Array, Int32Array or Uint8Array, got ${describe(data)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${fn}: shape must be an array of integers >= 0, got ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`${fn}: shape [${shape}] holds ${count} values, but data has ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  let major = 1;
  let prefix = 10;
  let padded = pad(dict, prefix);
  if (padded.length > 0xffff) {
    major = 2;
    prefix = 12;
    padded = pad(dict, prefix);
  }
  const out = new Uint8Array(prefix + padded.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  const start = prefix + padded.length;
  if (data instanceof Uint8Array) out.set(data, start);
  else {
    const put =
      data instanceof Float32Array
        ? (i: number) => view.setFloat32(start + 4 * i, data[i], true)
        : data instanceof Float64Array
          ? (i: number) => view.setFloat64(start + 8 * i, data[i], true)
          : (i: number) => view.setInt32(start + 4 * i, data[i], true);
    for (let i = 0; i < data.length; i++) put(i);
  }
  return out;
}

/** Pads the header with spaces and a final newline so that prefix + header is a multiple of 64. */
function pad(dict: string, prefix: number): string {
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  return dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// The header: a Python literal made of dicts, tuples, lists, strings, integers, True/False/None.

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

function parseHeader(text: string): { descr?: PyValue; fortran_order?: PyValue; shape?: PyValue } {
  let value: PyValue;
  try {
    const parser = new LiteralParser(text);
    value = parser.value();
    parser.end();
  } catch (error) {
    throw new Error(`readNpy: the header is not a Python dict literal (${(error as Error).message}): ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`readNpy: the header must be a dict, got ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in value)) throw new Error(`readNpy: the header has no '${key}' key: ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  return value;
}

class LiteralParser {
  private at = 0;
  constructor(private readonly text: string) {}

  value(): PyValue {
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|-?\d+L?)/.exec(this.text.slice(this.at));
    if (!word) throw new Error(`unexpected ${c === undefined ? 'end' : JSON.stringify(c)} at ${this.at}`);
    this.at += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  }

  end(): void {
    this.space();
    if (this.at !== this.text.length) throw new Error(`unexpected ${JSON.stringify(this.text[this.at])} at ${this.at}`);
  }

  private dict(): { [key: string]: PyValue } {
    const out: { [key: string]: PyValue } = {};
    this.at++;
    for (;;) {
      this.space();
      if (this.eat('}')) return out;
      const key = this.value();
      if (typeof key !== 'string') throw new Error(`dict keys must be strings, got ${JSON.stringify(key)}`);
      this.space();
      if (!this.eat(':')) throw new Error(`expected ':' at ${this.at}`);
      out[key] = this.value();
      this.space();
      if (!this.eat(',')) {
        this.space();
        if (!this.eat('}')) throw new Error(`expected ',' or '}' at ${this.at}`);
        return out;
      }
    }
  }

  private sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.at++;
    for (;;) {
      this.space();
      if (this.eat(close)) return out;
      out.push(this.value());
      this.space();
      if (!this.eat(',')) {
        this.space();
        if (!this.eat(close)) throw new Error(`expected ',' or '${close}' at ${this.at}`);
        return out;
      }
    }
  }

  private string(): string {
    const quote = this.text[this.at++];
    let out = '';
    while (this.at < this.text.length && this.text[this.at] !== quote) {
      if (this.text[this.at] === '\\') this.at++;
      out += this.text[this.at++];
    }
    if (!this.eat(quote)) throw new Error('unterminated string');
    return out;
  }

  private space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }

  private eat(c: string): boolean {
    if (this.text[this.at] !== c) return false;
    this.at++;
    return true;
  }
}

function formatValue(value: PyValue | undefined): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return JSON.stringify(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
