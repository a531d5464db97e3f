import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, isGzip, parseIdx, readIdx } from './idx';

const values = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);

describe('parseIdx / encodeIdx', () => {
  it('round-trips raw and gzip-compressed files', () => {
    const raw = encodeIdx(values, [2, 3, 4], { gzip: false });
    expect(Array.from(raw.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    expect(Array.from(raw.subarray(4, 16))).toEqual([0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const gz = encodeIdx(values, [2, 3, 4]);
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    for (const bytes of [raw, gz]) {
      const idx = parseIdx(bytes);
      expect(idx.dims).toEqual([2, 3, 4]);
      expect(Array.from(idx.data)).toEqual(Array.from(values));
    }
  });

  it('reads a hand-written label file', () => {
    const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 7, 9]);
    expect(parseIdx(bytes)).toMatchObject({ dims: [3] });
    expect(Array.from(parseIdx(bytes).data)).toEqual([5, 7, 9]);
  });

  it('names truncated and corrupt files', () => {
    const raw = encodeIdx(values, [2, 3, 4], { gzip: false });
    expect(() => parseIdx(raw.subarray(0, raw.length - 5), 'x.idx')).toThrow(
      'parseIdx: x.idx: expected 24 values for dimensions [2, 3, 4], got 19 (truncated file)',
    );
    expect(() => parseIdx(raw.subarray(0, 10), 'x.idx')).toThrow('parseIdx: x.idx: expected a 16-byte header for 3 dimensions, got 10 bytes (truncated file)');
    expect(() => parseIdx(raw.subarray(0, 2), 'x.idx')).toThrow('expected an IDX header of at least 4 bytes, got 2 (truncated file)');
    expect(() => parseIdx(Uint8Array.from([...raw, 1, 2]), 'x.idx')).toThrow('got 26 (2 trailing bytes: corrupt file)');
    const gz = encodeIdx(values, [2, 3, 4]);
    expect(() => parseIdx(gz.subarray(0, gz.length - 8), 'x.gz')).toThrow(/parseIdx: x.gz: expected a readable gzip stream, got a corrupt or truncated one/);
    // gzip of a truncated IDX body: the stream is fine, the contents are short.
    expect(() => parseIdx(gzipSync(raw.subarray(0, 20)), 'y.gz')).toThrow('got 4 (truncated file)');
  });

  it('names a wrong magic number and unsupported types', () => {
    expect(() => parseIdx(new TextEncoder().encode('PNG\n....'), 'a.png')).toThrow(
      'parseIdx: a.png: expected the IDX magic number 00 00 <type> <ndims>, got 50 4e 47 0a (not an IDX file)',
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]), 'b')).toThrow('expected an IDX type code (08, 09, 0b, 0c, 0d, 0e), got 42');
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'c')).toThrow(
      'parseIdx: c: expected unsigned byte values (type 08), got float32 (type 0d)',
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 0]), 'd')).toThrow('expected at least 1 dimension, got 0');
  });

  it('reads files from disk and names missing ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-idx-'));
    writeFileSync(join(dir, 'a.gz'), encodeIdx(values, [24]));
    expect(readIdx(join(dir, 'a.gz')).dims).toEqual([24]);
    expect(() => readIdx(join(dir, 'missing'))).toThrow(`readIdx: path: cannot read ${join(dir, 'missing')} (ENOENT)`);
  });

  it('checks what it encodes', () => {
    expect(() => encodeIdx(values, [5, 5])).toThrow('encodeIdx: data must hold product(dims) = 25 values for [5, 5], got 24');
    expect(() => encodeIdx(values, [])).toThrow('encodeIdx: dims must have 1 to 255 entries, got 0');
  });
});
