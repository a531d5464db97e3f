import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadTorchStateDict, readTorchCheckpoint } from './torch-checkpoint';
import { crc32 } from './zip-entries';

// The fixtures are written by Debian's PyTorch 1.13 (fixtures/make-torch-checkpoint-fixture.py); the JSON holds what
// torch.load returns for them.
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
const zip = fixture('torch-checkpoint-zip.pth');
const legacy = fixture('torch-checkpoint-legacy.pth');
const expected = JSON.parse(new TextDecoder().decode(fixture('torch-checkpoint.json'))) as {
  order: string[];
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A stored zip of `files` (local headers, central directory, end record), as torch.save lays one out. */
function zipOf(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = new TextEncoder().encode(name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint32(14, crc32(data), true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint32(16, crc32(data), true);
    entry.setUint32(20, data.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, nameBytes.length, true);
    entry.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, data);
    central.push(new Uint8Array(entry.buffer), nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, Object.keys(files).length, true);
  end.setUint16(10, Object.keys(files).length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('readTorchCheckpoint', () => {
  for (const [format, bytes] of [['zip', zip], ['legacy', legacy]] as const) {
    it(`reads every tensor of the ${format} fixture as torch.load does`, () => {
      const tensors = readTorchCheckpoint(bytes);
      expect(Object.keys(tensors)).toEqual(expected.order);
      for (const [key, want] of Object.entries(expected.tensors)) {
        const got = tensors[key];
        expect(got.dtype, key).toBe(want.dtype);
        expect(got.shape, key).toEqual(want.shape);
        const values = Array.from(got.data as ArrayLike<number>);
        if (want.dtype === 'bool') expect(values, key).toEqual(want.values.map(Number));
        else expect(values, key).toEqual(want.values.map((v) => (got.data instanceof Float32Array ? Math.fround(v) : v)));
      }
      // Types for TensorFlow.js: floats as float32, integers as int32, bytes and booleans as bytes.
      expect(tensors['dtypes.double'].data).toBeInstanceOf(Float32Array);
      expect(tensors['dtypes.half'].data).toBeInstanceOf(Float32Array);
      expect(tensors['dtypes.long'].data).toBeInstanceOf(Int32Array);
      expect(tensors['dtypes.bool'].data).toBeInstanceOf(Uint8Array);
    });
  }

  it("reads an OrderedDict pickled with its items as an argument (Python 2-era files such as lpips' weights)", () => {
    const tensors = readTorchCheckpoint(fixture('torch-checkpoint-py2dict.pth'));
    expect(Object.keys(tensors)).toEqual(['lin.weight', 'lin.bias']);
    expect(tensors['lin.weight'].shape).toEqual([1, 2]);
    expect(Array.from(tensors['lin.weight'].data as Float32Array)).toEqual([0.5, -1]);
    expect(Array.from(tensors['lin.bias'].data as Float32Array)).toEqual([2]);
  });

  it('gathers non-contiguous views (a transpose and a strided slice of one shared storage)', () => {
    const t = readTorchCheckpoint(zip);
    const base = Array.from(t['views.base'].data);
    expect(t['views.transposed'].shape).toEqual([4, 3]);
    expect(Array.from(t['views.transposed'].data)).toEqual([0, 1, 2, 3].flatMap((j) => [0, 1, 2].map((i) => base[i * 4 + j])));
    expect(Array.from(t['views.strided'].data)).toEqual([0, 1, 2].flatMap((i) => [base[i * 4], base[i * 4 + 2]]));
    expect(Array.from(t['views.slice'].data)).toEqual(base.slice(5, 10));
  });

  it('gives tf tensors of the expected dtypes', () => {
    const before = tf.memory().numTensors;
    const state = loadTorchStateDict(zip);
    expect(state['0.weight'].dtype).toBe('float32');
    expect(state['0.weight'].shape).toEqual([3, 2, 1, 2]);
    expect(state['1.num_batches_tracked'].dtype).toBe('int32');
    expect(state['1.num_batches_tracked'].dataSync()[0]).toBe(7);
    expect(state['dtypes.uint8'].dtype).toBe('int32');
    expect(state['dtypes.bool'].dtype).toBe('bool');
    for (const t of Object.values(state)) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a pickled module and a pickle that calls posix.system, naming the global', () => {
    expect(() => readTorchCheckpoint(fixture('torch-checkpoint-module.pth'))).toThrow(/refuses the global torch\.nn\.modules\.linear\.Linear/);
    expect(() => readTorchCheckpoint(fixture('torch-checkpoint-evil.pth'))).toThrow(/refuses the global posix\.system/);
  });

  it('says what is wrong with truncated or corrupt files', () => {
    expect(() => readTorchCheckpoint(zip.subarray(0, zip.length - 10))).toThrow(/truncated or not a zip/);
    expect(() => readTorchCheckpoint(zip.subarray(0, 1000))).toThrow(/truncated or not a zip/);
    expect(() => readTorchCheckpoint(legacy.subarray(0, legacy.length - 3))).toThrow(/truncated file: storage "\d+" needs \d+ bytes/);
    expect(() => readTorchCheckpoint(legacy.subarray(0, 200))).toThrow(/truncated pickle/);
    expect(() => readTorchCheckpoint(new Uint8Array(0))).toThrow(/the file is empty/);
    expect(() => readTorchCheckpoint(new TextEncoder().encode('hello world'))).toThrow(/not a PyTorch checkpoint/);
    // A flipped byte inside a storage entry fails the zip CRC check.
    const names = new TextDecoder('latin1').decode(zip);
    const corrupt = zip.slice();
    const at = names.indexOf('torch-checkpoint-zip/data/0') + 'torch-checkpoint-zip/data/0'.length;
    // The entry's data is 64-byte aligned after its local header; flip a byte a little further on.
    corrupt[at + 70] ^= 0xff;
    expect(() => readTorchCheckpoint(corrupt)).toThrow(/is corrupt: CRC-32/);
  });

  it('fails with its own message, never a stray RangeError, for every truncation and for single flipped bytes', () => {
    const outcomes = new Set<string>();
    for (const bytes of [zip, legacy]) {
      for (let n = 0; n < bytes.length; n++) {
        try {
          readTorchCheckpoint(bytes.subarray(0, n));
          outcomes.add('read');
        } catch (error) {
          expect((error as Error).message, `prefix of ${n} bytes`).toMatch(/^readTorchCheckpoint: /);
        }
      }
      for (let at = 0; at < bytes.length; at += 7) {
        const flipped = bytes.slice();
        flipped[at] ^= 0x5a;
        try {
          readTorchCheckpoint(flipped);
        } catch (error) {
          expect((error as Error).message, `byte ${at} flipped`).toMatch(/^readTorchCheckpoint: /);
        }
      }
    }
    // No prefix of either file is a readable checkpoint.
    expect(outcomes.has('read')).toBe(false);
  });

  it('refuses compressed entries, TorchScript archives and unknown opcodes clearly', () => {
    const pickle = new Uint8Array([0x80, 0x02, 0x7d, 0x2e]); // PROTO 2, EMPTY_DICT, STOP
    expect(readTorchCheckpoint(zipOf({ 'a/data.pkl': pickle }))).toEqual({});
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': pickle, 'a/constants.pkl': pickle }))).toThrow(/TorchScript/);
    const deflated = zipOf({ 'a/data.pkl': pickle });
    deflated[8] = 8; // the local header's method; the central directory's is at its own offset
    const cd = deflated.length - 22 - 46 - 10;
    deflated[cd + 10] = 8;
    expect(() => readTorchCheckpoint(deflated)).toThrow(/compressed \(method 8\)/);
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': new Uint8Array([0x80, 0x02, 0xff]) }))).toThrow(/unknown pickle opcode 0xff/);
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': new Uint8Array([0x80, 0x02, 0x8f, 0x2e]) }))).toThrow(/unsupported pickle opcode EMPTY_SET/);
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': new Uint8Array([0x80, 0x02, 0x4b, 0x01, 0x2e]) }))).toThrow(/holds number, expected a dict/);
  });

  it('checks that offsets and strides stay inside the storage', () => {
    // A hand-written data.pkl: {"t": _rebuild_tensor_v2(storage("0", float32, 2 elements), offset, (2,), (stride,), False, OrderedDict())}.
    const pickle = (offset: number, stride: number) => {
      const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
      const unicode = (s: string) => [0x58, s.length, 0, 0, 0, ...ascii(s)];
      return new Uint8Array([
        0x80, 0x02, 0x7d, ...unicode('t'),
        0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'), 0x28,
        0x28, ...unicode('storage'), 0x63, ...ascii('torch\nFloatStorage\n'), ...unicode('0'), ...unicode('cpu'), 0x4b, 2, 0x74, 0x51,
        0x4b, offset, 0x4b, 2, 0x85, 0x4b, stride, 0x85, 0x89, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52,
        0x74, 0x52, 0x73, 0x2e,
      ]);
    };
    const storage = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    const read = (offset: number, stride: number) => readTorchCheckpoint(zipOf({ 'a/data.pkl': pickle(offset, stride), 'a/data/0': storage }));
    expect(Array.from(read(0, 1).t.data)).toEqual([1.5, -2]);
    expect(() => read(0, 3)).toThrow(/tensor "t": offset 0, size \[2\] and stride \[3\] reach element 3 of a storage with 2/);
    expect(() => read(1, 1)).toThrow(/reach element 2 of a storage with 2/);
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': pickle(0, 1) }))).toThrow(/storage "0" has no entry "a\/data\/0"/);
    expect(() => readTorchCheckpoint(zipOf({ 'a/data.pkl': pickle(0, 1), 'a/data/0': storage.subarray(0, 6) }))).toThrow(/needs 8 bytes, the file holds 6/);
  });
});
