import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from './npy';

// fixtures/npy/*.npy are written by NumPy (fixtures/make-npy-fixtures.py); expected.json holds their values.
const dir = new URL('../../fixtures/npy/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.npy`, dir)));
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')).files as Record<string, { dtype: string; shape: number[]; values: number[] }>;

describe('readNpy on files written by NumPy', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`reads ${name}.npy (${want.dtype}, shape [${want.shape}])`, () => {
      const got = readNpy(load(name));
      expect(got.dtype).toBe(want.dtype);
      expect(got.shape).toEqual(want.shape);
      expect(got.fortranOrder).toBe(false);
      const float = want.dtype.startsWith('float');
      expect(Array.from(got.data)).toEqual(want.values.map((v) => (float && want.dtype !== 'float64' ? Math.fround(v) : v)));
    });
  }

  it('returns the typed arrays it documents', () => {
    expect(readNpy(load('f4_nhwc')).data).toBeInstanceOf(Float32Array);
    expect(readNpy(load('f8')).data).toBeInstanceOf(Float64Array);
    expect(readNpy(load('f2')).data).toBeInstanceOf(Float32Array);
    expect(readNpy(load('u1')).data).toBeInstanceOf(Uint8Array);
    expect(readNpy(load('i8')).data).toBeInstanceOf(Int32Array);
    expect(readNpy(load('b1')).data).toBeInstanceOf(Uint8Array);
    expect(readNpy(load('scalar')).shape).toEqual([]);
  });

  it('reads a file that sits at an odd offset of a larger buffer', () => {
    const bytes = load('f4_nhwc');
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    expect(readNpy(padded.subarray(1)).data).toEqual(readNpy(bytes).data);
  });
});

describe('readNpy refuses what it cannot read faithfully', () => {
  it('fortran order, big-endian, object and structured dtypes, int64 past int32', () => {
    expect(() => readNpy(load('fortran'))).toThrow('readNpy: fortran_order True is not supported; save a C-ordered array (np.ascontiguousarray)');
    expect(() => readNpy(load('big_endian'))).toThrow(`readNpy: big-endian dtype ">f4" is not supported; save with .astype('<f4')`);
    expect(() => readNpy(load('object'))).toThrow('readNpy: object arrays (descr "|O") are not supported; save a numeric array');
    expect(() => readNpy(load('structured'))).toThrow(/readNpy: structured dtypes are not supported; got descr \[\["x","<f4"\],\["y","<i4"\]\]/);
    expect(() => readNpy(load('i8_too_big'))).toThrow('readNpy: int64 value 1099511627776 at index 1 does not fit in int32');
  });

  it('truncated files and bad headers', () => {
    const bytes = load('f4_nhwc');
    expect(() => readNpy(bytes.subarray(0, bytes.length - 4))).toThrow(
      'readNpy: truncated data: shape (2, 3, 4, 3) of float32 needs 288 bytes, but the file has 284',
    );
    expect(() => readNpy(bytes.subarray(0, 40))).toThrow('readNpy: truncated file: the header says it is 118 bytes, but only 30 follow');
    expect(() => readNpy(bytes.subarray(0, 4))).toThrow('readNpy: not a .npy file: expected the magic "\\x93NUMPY" at the start, got only 4 bytes');
    expect(() => readNpy(new TextEncoder().encode('PK\x03\x04 a zip file, maybe an .npz'))).toThrow(/not a .npy file.*got other bytes/);
    const withExtra = new Uint8Array(bytes.length + 2);
    withExtra.set(bytes);
    expect(() => readNpy(withExtra)).toThrow('readNpy: 2 unexpected bytes after the data of shape (2, 3, 4, 3) of float32');
    const future = bytes.slice();
    future[6] = 4;
    expect(() => readNpy(future)).toThrow('readNpy: format version 4.0 is not supported; expected 1.0, 2.0 or 3.0');
    const header = (dict: string) => {
      const out = writeNpy(new Float32Array(2), [2]);
      const text = dict.padEnd(out[8] + 256 * out[9] - 1) + '\n';
      for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
      return out;
    };
    expect(() => readNpy(header("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"))).toThrow(/readNpy: dtype "<c8" is not supported; expected one of <f2, <f4/);
    expect(() => readNpy(header("{'descr': '<f4', 'shape': (2,), }"))).toThrow(/the header has no 'fortran_order' key/);
    expect(() => readNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,"))).toThrow(/readNpy: the header is not a Python dict literal \(unexpected end at \d+\)/);
    expect(() => readNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }"))).toThrow("readNpy: header shape must be a tuple of integers >= 0, got [-2]");
  });
});

describe('writeNpy', () => {
  it('writes the same bytes as numpy.save', () => {
    for (const name of ['f4_nhwc', 'u1', 'i4', 'one_dim', 'scalar', 'empty', 'f8']) {
      const { data, shape } = readNpy(load(name));
      expect(Array.from(writeNpy(data, shape)), name).toEqual(Array.from(load(name)));
    }
  });

  it('round-trips through readNpy, with the data 64-byte aligned', () => {
    const data = new Float32Array([1, -2, 3.5, 0, 1e-30, -0]);
    const bytes = writeNpy(data, [3, 1, 2]);
    expect((10 + bytes[8] + 256 * bytes[9]) % 64).toBe(0);
    expect(readNpy(bytes)).toEqual({ dtype: 'float32', shape: [3, 1, 2], data, fortranOrder: false });
  });

  it('switches to format 2.0 when the header outgrows 64 KiB', () => {
    const shape = [...Array(25000).fill(1), 2];
    const bytes = writeNpy(new Int32Array([4, 5]), shape);
    expect(bytes[6]).toBe(2);
    expect(readNpy(bytes)).toMatchObject({ dtype: 'int32', shape, data: new Int32Array([4, 5]) });
  });

  it('explains bad arguments', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow('writeNpy: shape [2,3] holds 6 values, but data has 5');
    expect(() => writeNpy(new Float32Array(1), [1.5])).toThrow('writeNpy: shape must be an array of integers >= 0, got [1.5]');
    expect(() => writeNpy(new Int16Array(1) as never, [1])).toThrow('writeNpy: data must be a Float32Array, Float64Array, Int32Array or Uint8Array, got Int16Array');
  });
});
