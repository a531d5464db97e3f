import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openIganHdf5 } from './igan-hdf5';

// Written by fixtures/make-hdf5-fixtures.py (h5py); expected.json holds each good file's dataset as base64.
const DIR = fileURLToPath(new URL('../../fixtures/hdf5/', import.meta.url));
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  { shape: number[]; data: string }
>;

function truth(name: string): { shape: number[]; data: Uint8Array } {
  const { shape, data } = expected[name];
  return { shape, data: new Uint8Array(Buffer.from(data, 'base64')) };
}

/** The images at `indices` cut out of the numpy array. */
function pick(all: Uint8Array, imageBytes: number, indices: readonly number[]): Uint8Array {
  const out = new Uint8Array(indices.length * imageBytes);
  indices.forEach((i, k) => out.set(all.subarray(i * imageBytes, (i + 1) * imageBytes), k * imageBytes));
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'igan-hdf5-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('openIganHdf5', () => {
  const good = [
    'contiguous.h5',
    'chunked.h5',
    'gzip.h5',
    'gzip-shuffle.h5',
    'gzip-shuffle-fletcher32.h5',
    'gray.h5',
    'two-datasets.h5',
  ];
  for (const name of good) {
    it(`reads ${name} exactly as h5py wrote it, in any index order`, async () => {
      const { shape, data } = truth(name);
      const source = await openIganHdf5(join(DIR, name));
      try {
        expect([source.count, source.height, source.width, source.channels]).toEqual(shape);
        expect(source.resize).toBe('bilinear');
        expect(source.name).toBe(`igan:${join(DIR, name)}`);
        const imageBytes = shape[1] * shape[2] * shape[3];
        const all = Array.from({ length: shape[0] }, (_, i) => i);
        expect(source.read(all)).toEqual(data);
        // Shuffled, repeated, single and runs crossing chunk boundaries.
        for (const indices of [[3], [shape[0] - 1, 0], [2, 1, 2, 3, 0, 3], [1, 2, 3], [], all.slice().reverse()]) {
          expect(source.read(indices)).toEqual(pick(data, imageBytes, indices));
        }
      } finally {
        source.close();
      }
    });
  }

  it('takes the first entry in name order, as h5py lists it', async () => {
    const source = await openIganHdf5(join(DIR, 'two-datasets.h5'));
    expect(source.count).toBe(7);
    source.close();
  });

  it('refuses an LZF dataset, naming file, dataset and filter', async () => {
    const file = join(DIR, 'lzf.h5');
    await expect(openIganHdf5(file)).rejects.toThrow(
      `openIganHdf5: ${file} dataset "imgs" uses the LZF filter (id 32000), which h5wasm cannot decode; re-save it with gzip`,
    );
  });

  it('refuses wrong dtype, rank and channel count', async () => {
    await expect(openIganHdf5(join(DIR, 'float.h5'))).rejects.toThrow(
      /openIganHdf5: .*float\.h5 dataset "imgs" has dtype float32, expected uint8/,
    );
    await expect(openIganHdf5(join(DIR, 'rank3.h5'))).rejects.toThrow(
      /openIganHdf5: .*rank3\.h5 dataset "imgs" has shape \[7, 6, 8\], expected N×H×W×3 \(RGB\) or N×H×W×1/,
    );
    await expect(openIganHdf5(join(DIR, 'four-channels.h5'))).rejects.toThrow(
      /dataset "imgs" has shape \[7, 6, 8, 4\], expected N×H×W×3/,
    );
  });

  it('says when the file holds no dataset first', async () => {
    await expect(openIganHdf5(join(DIR, 'no-dataset.h5'))).rejects.toThrow(
      /openIganHdf5: .*no-dataset\.h5 holds no dataset first; expected a uint8 N×H×W×3 dataset .*, got "meta", a Group/,
    );
  });

  it('gives clear errors for missing, non-HDF5, truncated and corrupt files', async () => {
    await expect(openIganHdf5(join(DIR, 'absent.h5'))).rejects.toThrow(/openIganHdf5: .*absent\.h5 does not exist/);
    await expect(openIganHdf5(DIR)).rejects.toThrow(/openIganHdf5: .* is a directory, expected an HDF5 file/);
    await expect(openIganHdf5(join(DIR, 'not-hdf5.h5'))).rejects.toThrow(
      /openIganHdf5: .*not-hdf5\.h5 is not an HDF5 file: expected the HDF5 signature .* got "this is /,
    );
    const empty = join(scratch, 'empty.h5');
    writeFileSync(empty, '');
    await expect(openIganHdf5(empty)).rejects.toThrow(/is not an HDF5 file: .*got a 0-byte file/);
    await expect(openIganHdf5(join(DIR, 'truncated.h5'))).rejects.toThrow(
      /openIganHdf5: .*truncated\.h5 is truncated: it has 2692 bytes but its HDF5 superblock says the file ends at byte 5384/,
    );
    await expect(openIganHdf5(join(DIR, 'bad-superblock.h5'))).rejects.toThrow(
      /openIganHdf5: .*bad-superblock\.h5 has an HDF5 signature but HDF5 could not open it/,
    );
  });

  it('fails a read of a damaged gzip chunk instead of returning stale memory', async () => {
    const source = await openIganHdf5(join(DIR, 'corrupt-chunk.h5'));
    const { data } = truth('gzip.h5');
    const imageBytes = 6 * 8 * 3;
    // Chunk 0 (images 0, 1) and chunk 2 (4, 5) are intact; chunk 1 (images 2, 3) is damaged.
    expect(source.read([0, 1, 4, 5])).toEqual(pick(data, imageBytes, [0, 1, 4, 5]));
    expect(() => source.read([2])).toThrow(/openIganHdf5\(.*corrupt-chunk\.h5\)\.read: HDF5 could not read images 2\.\.2/);
    source.close();
  });

  it('checks indices and refuses reads after close', async () => {
    const source = await openIganHdf5(join(DIR, 'gzip.h5'));
    expect(() => source.read([7])).toThrow(/read: index 7 is out of range, expected an integer in \[0, 7\)/);
    expect(() => source.read([-1])).toThrow(/index -1 is out of range/);
    expect(() => source.read([1.5])).toThrow(/index 1\.5 is out of range/);
    source.close();
    source.close();
    expect(() => source.read([0])).toThrow(/read: the source is closed/);
  });
});
