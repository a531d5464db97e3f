import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import { decodeSafetensors } from './safetensors-decode';
import { encodeSafetensors } from './safetensors-encode';
import { float16BitsToFloat32 } from './float16';
import { loadStateDictFile } from './state-dict-file';

// fixture.safetensors is written byte by byte by fixtures/make-safetensors-fixture.py (numpy, not the safetensors package).
const fixtureBytes = new Uint8Array(readFileSync(new URL('../fixtures/fixture.safetensors', import.meta.url)));
const expected = JSON.parse(readFileSync(new URL('../fixtures/fixture.safetensors.json', import.meta.url), 'utf8')) as {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
  headerLength: number;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A file made from a header object and a buffer, for corrupt-input tests. */
function file(header: unknown, buffer: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const text = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + text.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(buffer, 8 + text.length);
  return out;
}

describe('decodeSafetensors on a file written by an independent (numpy) writer', () => {
  it('reads every dtype, the scalar, the empty tensor and the metadata', () => {
    const { tensors, metadata } = decodeSafetensors(fixtureBytes);
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors)).toEqual(expected.order); // data order, not header order
    for (const [name, want] of Object.entries(expected.tensors)) {
      const got = tensors[name];
      expect(got.dtype, name).toBe(want.dtype);
      expect(got.shape, name).toEqual(want.shape);
      expect(Array.from(got.data), name).toEqual(want.values.map((v) => (want.dtype.startsWith('F') || want.dtype === 'BF16' ? Math.fround(v) : v)));
    }
    expect(tensors['scale'].shape).toEqual([]);
    expect(tensors['half'].data).toBeInstanceOf(Float32Array);
    expect(tensors['bn.num_batches_tracked'].data).toBeInstanceOf(Int32Array);
    expect(tensors['flags'].data).toBeInstanceOf(Uint8Array);
  });

  it('loads it as a state dict with tfjs dtypes', () => {
    const state = loadStateDictFile(fixtureBytes);
    expect(state['inc.double_conv.0.weight'].shape).toEqual([4, 3, 3, 3]);
    expect(state['inc.double_conv.0.weight'].dtype).toBe('float32');
    expect(state['bn.num_batches_tracked'].dtype).toBe('int32');
    expect(state['bytes'].dtype).toBe('int32');
    expect(state['flags'].dtype).toBe('bool');
    expect(state['scale'].dataSync()[0]).toBe(3.25);
    expect(Array.from(state['bytes'].dataSync())).toEqual([0, 127, 255]);
    Object.values(state).forEach((t) => t.dispose());
  });
});

describe('encodeSafetensors', () => {
  it('round-trips through decodeSafetensors, in the given order, with an 8-byte aligned buffer', () => {
    const bytes = encodeSafetensors(
      {
        w: { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 1e-8, -0, 7]) },
        s: { shape: [], data: new Float32Array([0.25]) },
        n: { dtype: 'I64', shape: [2], data: new Int32Array([-5, 2147483647]) },
        big: { shape: [1], data: new BigInt64Array([-3n]) },
        d: { shape: [2], data: new Float64Array([1 / 3, 2]) },
        h: { dtype: 'F16', shape: [3], data: new Float32Array([0.5, 1 / 3, 70000]) },
        i: { shape: [2], data: new Int32Array([-1, 1]) },
        u: { shape: [2], data: new Uint8Array([0, 255]) },
        b: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
        z: { shape: [0, 4], data: new Float32Array(0) },
      },
      { format: 'pt', epoch: '3' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', epoch: '3' });
    expect(Object.keys(tensors)).toEqual(['w', 's', 'n', 'big', 'd', 'h', 'i', 'u', 'b', 'z']);
    expect(Array.from(tensors.w.data)).toEqual([1, -2, 3.5, Math.fround(1e-8), -0, 7]);
    expect(tensors.s).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([0.25]) });
    expect(tensors.n).toEqual({ dtype: 'I64', shape: [2], data: new Int32Array([-5, 2147483647]) });
    expect(tensors.big.data).toEqual(new Int32Array([-3]));
    expect(tensors.d.dtype).toBe('F64');
    expect(Array.from(tensors.d.data)).toEqual([Math.fround(1 / 3), 2]);
    expect(Array.from(tensors.h.data)).toEqual([0.5, float16BitsToFloat32(0x3555), Infinity]);
    expect(tensors.i.data).toEqual(new Int32Array([-1, 1]));
    expect(tensors.u).toEqual({ dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) });
    expect(tensors.b).toEqual({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) });
    expect(tensors.z).toEqual({ dtype: 'F32', shape: [0, 4], data: new Float32Array(0) });
  });

  it("reads a Node Buffer (whose slice() is a view) like any Uint8Array", () => {
    const bytes = encodeSafetensors({ w: { shape: [2], data: new Float32Array([1.5, -2]) }, i: { shape: [1], data: new Int32Array([7]) } });
    // Inside a larger pool, at an offset: the situation readFileSync produces for small files.
    const pool = Buffer.alloc(bytes.length + 16, 0xff);
    pool.set(bytes, 8);
    const { tensors } = decodeSafetensors(pool.subarray(8, 8 + bytes.length));
    expect(Array.from(tensors.w.data)).toEqual([1.5, -2]);
    expect(Array.from(tensors.i.data)).toEqual([7]);
  });

  it('writes the same bytes for the fixture tensors as the independent writer (apart from header order and padding)', () => {
    const { tensors } = decodeSafetensors(fixtureBytes);
    const conv = tensors['inc.double_conv.0.weight'];
    const mine = decodeSafetensors(encodeSafetensors({ conv: { shape: conv.shape, data: conv.data as Float32Array } }));
    const start = 8 + expected.headerLength;
    const raw = fixtureBytes.subarray(start, start + conv.data.length * 4);
    const minePayload = encodeSafetensors({ conv: { shape: conv.shape, data: conv.data as Float32Array } });
    expect(Array.from(minePayload.subarray(minePayload.length - raw.length))).toEqual(Array.from(raw));
    expect(mine.tensors.conv.data).toEqual(conv.data);
  });

  it('explains bad input', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      'encodeSafetensors: tensor "w" has 3 values but shape [2,2] needs 4',
    );
    expect(() => encodeSafetensors({ w: { shape: [-1], data: new Float32Array(3) } })).toThrow(/shape must hold integers >= 0, got \[-1\]/);
    expect(() => encodeSafetensors({ w: { dtype: 'I32', shape: [1], data: new Float32Array([0.5]) } })).toThrow(
      /value 0.5 at index 0 is not representable as I32/,
    );
    expect(() => encodeSafetensors({ w: { shape: [1], data: new Uint16Array(1) } })).toThrow(/needs an explicit dtype for a Uint16Array/);
    expect(() => encodeSafetensors({ w: { dtype: 'X' as never, shape: [1], data: new Float32Array(1) } })).toThrow(/dtype must be one of/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => encodeSafetensors({}, { a: 1 as never })).toThrow('encodeSafetensors: metadata "a" must be a string, got number');
  });
});

describe('decodeSafetensors on corrupt input', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  it('truncated file and header length', () => {
    expect(() => decodeSafetensors(new Uint8Array(5))).toThrow('decodeSafetensors: truncated file: 5 bytes, expected at least 8 (the header length)');
    expect(() => decodeSafetensors(fixtureBytes.subarray(0, 100))).toThrow(/header length \d+ runs past the end of the file \(100 bytes, so at most 92\)/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/header length 18446744073709551615 runs past the end/);
    // Cutting off the end of the data buffer.
    expect(() => decodeSafetensors(fixtureBytes.subarray(0, fixtureBytes.length - 3))).toThrow(/run past the end of the \d+-byte data buffer \(truncated file\?\)/);
  });

  it('bad JSON and a header of the wrong kind', () => {
    expect(() => decodeSafetensors(file(null, undefined, '{"w": {'))).toThrow(/the 7-byte header is not valid UTF-8 JSON/);
    expect(() => decodeSafetensors(file([1, 2]))).toThrow('decodeSafetensors: the header must be a JSON object, got an array');
    const latin1 = file(null, undefined, '{}');
    latin1[8] = 0xff;
    expect(() => decodeSafetensors(latin1)).toThrow(/not valid UTF-8 JSON/);
    expect(() => decodeSafetensors(file({ w: 3 }))).toThrow('decodeSafetensors: tensor "w" must be an object, got number 3');
    expect(() => decodeSafetensors(file({ __metadata__: { a: 1 } }))).toThrow('decodeSafetensors: "__metadata__"."a" must be a string, got number 1');
  });

  it('dtype, shape and offsets', () => {
    const entry = (over: object) => file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...over } }, f32(2));
    expect(decodeSafetensors(entry({})).tensors.w.shape).toEqual([2]);
    expect(() => decodeSafetensors(entry({ dtype: 'F12' }))).toThrow(/tensor "w" has unknown dtype "F12"; expected one of F64, F32, F16, BF16/);
    expect(() => decodeSafetensors(entry({ dtype: 'U64' }))).toThrow(/tensor "w" has unsupported dtype "U64"/);
    expect(() => decodeSafetensors(entry({ dtype: undefined }))).toThrow('decodeSafetensors: tensor "w" needs a string "dtype", got nothing');
    expect(() => decodeSafetensors(entry({ shape: [2.5] }))).toThrow(/tensor "w" "shape" must be an array of integers >= 0, got \[2.5\]/);
    expect(() => decodeSafetensors(entry({ data_offsets: [0] }))).toThrow(/"data_offsets" must be \[begin, end\]/);
    expect(() => decodeSafetensors(entry({ data_offsets: [8, 0] }))).toThrow('data_offsets [8, 0] end before they begin');
    expect(() => decodeSafetensors(entry({ data_offsets: [0, 12] }))).toThrow('tensor "w" data_offsets [0, 12] run past the end of the 8-byte data buffer');
    expect(() => decodeSafetensors(entry({ shape: [3] }))).toThrow(
      'decodeSafetensors: tensor "w" data_offsets [0, 8] span 8 bytes, but shape [3] of F32 needs 12',
    );
    expect(() => decodeSafetensors(entry({ dtype: 'F64' }))).toThrow(/span 8 bytes, but shape \[2\] of F64 needs 16/);
  });

  it('overlaps, holes and left-over bytes', () => {
    const two = (a: number[], b: number[], size: number) =>
      file({ a: { dtype: 'F32', shape: [1], data_offsets: a }, b: { dtype: 'F32', shape: [1], data_offsets: b } }, new Uint8Array(size));
    expect(decodeSafetensors(two([4, 8], [0, 4], 8)).tensors).toHaveProperty('b');
    expect(() => decodeSafetensors(two([0, 4], [0, 4], 8))).toThrow('decodeSafetensors: tensor "b" data_offsets [0, 4] overlap tensor "a" (which ends at 4)');
    expect(() => decodeSafetensors(two([0, 4], [8, 12], 12))).toThrow('data buffer bytes [4, 8) belong to no tensor (a hole before tensor "b")');
    expect(() => decodeSafetensors(two([0, 4], [4, 8], 10))).toThrow('the data buffer has 10 bytes but the tensors cover 8; 2 bytes are left over');
  });

  it('values that do not convert', () => {
    const i64 = new Uint8Array(16);
    new DataView(i64.buffer).setBigInt64(8, 3_000_000_000n, true);
    expect(() => decodeSafetensors(file({ n: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, i64))).toThrow(
      'decodeSafetensors: tensor "n" (I64) holds 3000000000 at index 1, which does not fit in int32',
    );
    expect(() => decodeSafetensors(file({ b: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2])))).toThrow(
      'tensor "b" (BOOL) holds byte 2 at index 1; expected 0 or 1',
    );
  });

  it('reads a file whose buffer sits at an odd byte offset of a larger array', () => {
    const padded = new Uint8Array(fixtureBytes.length + 3);
    padded.set(fixtureBytes, 3);
    const { tensors } = decodeSafetensors(padded.subarray(3));
    expect(tensors['scale'].data[0]).toBe(3.25);
  });
});
