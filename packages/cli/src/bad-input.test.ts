import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeNpy } from '@not/datasets';
import { decodeSafetensors, encodeSafetensors } from '@not/nets';
import { buildProgram } from './program';
import { runCli } from './testing/run-cli';
import { RUN_FILES } from './train/train-run';

// The catalogue of bad inputs a user can hand the `not` commands, each with the message they get. Every message names
// the thing that is wrong and what was expected.

const run = (args: string[]) => runCli(buildProgram(), args);
afterEach(() => vi.restoreAllMocks());

const HDF5 = fileURLToPath(new URL('../../datasets/fixtures/hdf5/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'not-bad-input-'));
const BACKEND = ['--backend', 'wasm', '--threads', '1'];
const TINY = ['--size', '16', '--batch-size', '4', '--t-iters', '1', '--base', '4', '--filters', '4', '--max-filters', '8', '--eval-every', '0', ...BACKEND];
const train = (source: string, more: string[] = []) =>
  run(['train', '--source', source, '--target', 'fashion-mnist:shoes', '--steps', '1', ...TINY, '--out', join(dir, `run-${Math.random()}`), ...more]);

/** A valid 16×16 RGB PNG, mid grey. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const raw = Buffer.alloc(16 * (1 + 16 * 3), 128);
  for (let row = 0; row < 16; row++) raw[row * 49] = 0;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(16, 0);
  header.writeUInt32BE(16, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A folder of 12 good PNGs plus `extra` (name → bytes). */
function imageFolder(name: string, extra: Record<string, Buffer>): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (let i = 0; i < 12; i++) writeFileSync(join(folder, `img-${String(i).padStart(2, '0')}.png`), png());
  for (const [file, bytes] of Object.entries(extra)) writeFileSync(join(folder, file), bytes);
  return folder;
}

/** A copy of the trained run's T.safetensors changed by `edit` (on its decoded tensors), written as `name`. */
function editedMap(name: string, edit: (tensors: Record<string, { dtype: string; shape: number[]; data: Float32Array }>) => void): string {
  const file = decodeSafetensors(new Uint8Array(readFileSync(join(trained, RUN_FILES.map))));
  const tensors = file.tensors as unknown as Record<string, { dtype: string; shape: number[]; data: Float32Array }>;
  edit(tensors);
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(tensors as never, file.metadata));
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let trained: string;
beforeAll(async () => {
  trained = join(dir, 'trained');
  await run(['train', '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', '--steps', '1', ...TINY, '--out', trained]);
}, 120_000);

describe('bad input: data', () => {
  it('HDF5: corrupt, not HDF5, truncated, wrong rank, wrong dtype, absent', async () => {
    await expect(train(`igan:${HDF5}bad-superblock.h5`)).rejects.toThrow(/bad-superblock\.h5 has an HDF5 signature but HDF5 could not open it \(a corrupt or incomplete file\?\)/);
    await expect(train(`igan:${HDF5}not-hdf5.h5`)).rejects.toThrow(/not-hdf5\.h5 is not an HDF5 file/);
    await expect(train(`igan:${HDF5}truncated.h5`)).rejects.toThrow(/truncated\.h5 is truncated: it has 2692 bytes but its HDF5 superblock says the file ends at byte 5384/);
    await expect(train(`igan:${HDF5}rank3.h5`)).rejects.toThrow(/rank3\.h5 dataset "imgs" has shape \[7, 6, 8\], expected N×H×W×3 \(RGB\) or N×H×W×1 \(grayscale\)/);
    await expect(train(`igan:${HDF5}float.h5`)).rejects.toThrow(/float\.h5 dataset "imgs" has dtype float32, expected uint8/);
    await expect(train(`igan:${join(dir, 'absent.hdf5')}`)).rejects.toThrow(/absent\.hdf5 does not exist \(expected an iGAN HDF5 file such as handbag_64\.hdf5\)/);
  });

  it('image folders: a file that is no image, a truncated PNG, images of different sizes', async () => {
    const junk = imageFolder('junk', { 'junk.png': Buffer.from('this is not an image at all') });
    await expect(train(`folder:${junk}`)).rejects.toThrow(`${join(junk, 'junk.png')} is neither a PNG nor a JPEG file`);
    // Its header is whole, so the folder opens; the image fails when it is read, by name.
    const truncated = imageFolder('truncated', { 'cut.png': png().subarray(0, 60) });
    await expect(run(['translate', '--checkpoint', trained, '--input', `folder:${truncated}`, '--out', join(dir, 'translated'), ...BACKEND]))
      .rejects.toThrow(`cannot decode ${join(truncated, 'cut.png')}`);
    const wide = png();
    wide.writeUInt32BE(32, 16); // IHDR width 32: a header that disagrees with the others
    const mixed = imageFolder('mixed', { 'wide.png': wide });
    await expect(train(`folder:${mixed}`)).rejects.toThrow(
      `every image must have the same size, but ${join(mixed, 'img-00.png')} is 16×16 (W×H) and ${join(mixed, 'wide.png')} is 32×16`);
  });

  it('NaN in arrays: features for metrics, images for nets apply', async () => {
    const features = new Float32Array(20).fill(0.5);
    features[7] = Number.NaN;
    writeFileSync(join(dir, 'nan-features.npy'), writeNpy(features, [5, 4]));
    writeFileSync(join(dir, 'features.npy'), writeNpy(new Float32Array(20).fill(0.5), [5, 4]));
    await expect(run(['metrics', 'frechet', '--a', join(dir, 'nan-features.npy'), '--b', join(dir, 'features.npy')]))
      .rejects.toThrow(`metrics: ${join(dir, 'nan-features.npy')} holds NaN at [1, 3] (1 value is not finite); features must be finite`);
    const images = new Float32Array(2 * 16 * 16);
    images[5] = Number.POSITIVE_INFINITY;
    images[9] = Number.NaN;
    writeFileSync(join(dir, 'nan-images.npy'), writeNpy(images, [2, 16, 16, 1]));
    const weights = join(trained, RUN_FILES.map);
    await expect(run(['nets', 'apply', '--arch', 'unet', '--in', '1', '--out', '1', '--base', '4', '--weights', weights, '--input', join(dir, 'nan-images.npy'), '--output', join(dir, 'out.npy'), ...BACKEND]))
      .rejects.toThrow(`holds Infinity at [0, 0, 5, 0] (2 values are not finite); images must be finite`);
  });
});

describe('bad input: trained maps', () => {
  const translate = (checkpoint: string) => run(['translate', '--checkpoint', checkpoint, '--input', 'fashion-mnist:bag', '--count', '2', '--out', join(dir, 'out'), ...BACKEND]);

  it('missing, truncated, incomplete and NaN weights', async () => {
    await expect(translate(join(dir, 'no-such-run'))).rejects.toThrow(`loadTrainedMap: ${join(dir, 'no-such-run')} does not exist`);
    const truncated = join(dir, 'truncated.safetensors');
    const bytes = readFileSync(join(trained, RUN_FILES.map));
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    await expect(translate(truncated)).rejects.toThrow(/truncated\.safetensors is not a readable map file: decodeSafetensors: tensor ".+" data_offsets \[\d+, \d+\] run past the end of the \d+-byte data buffer \(truncated file\?\)/);
    const incomplete = editedMap('incomplete.safetensors', (tensors) => delete tensors['outc.conv.weight']);
    await expect(translate(incomplete)).rejects.toThrow(`loadTransportMap: ${incomplete}: the UNet (size 16, channels 1, noise channels 0, base 4) is missing 1 tensor: "outc.conv.weight" [1,4,1,1]`);
    const nan = editedMap('nan.safetensors', (tensors) => (tensors['outc.conv.bias'].data[0] = Number.NaN));
    await expect(translate(nan)).rejects.toThrow(`${nan}: tensor "outc.conv.bias" holds NaN at [0] (1 value is not finite): the weights are unusable (a diverged run?)`);
  });
});

describe('bad input: settings', () => {
  it('unknown specs and names, K < 2, negative γ, impossible sizes', async () => {
    await expect(train('nope:x')).rejects.toThrow(/unknown source kind "nope", got "nope:x"; accepted forms: fashion-mnist:bag/);
    await expect(train('fashion-mnist:bag', ['--preset', 'fast'])).rejects.toThrow(/argument 'fast' is invalid. Allowed choices are/);
    await expect(train('fashion-mnist:bag', ['--backend', 'tpu'])).rejects.toThrow(/argument 'tpu' is invalid/);
    await expect(train('fashion-mnist:bag', ['--cost', 'weak', '--noise-samples', '1'])).rejects.toThrow('--noise-samples must be an integer >= 2, got "1"');
    await expect(train('fashion-mnist:bag', ['--cost', 'weak', '--gamma', '-0.5'])).rejects.toThrow('train: --gamma must be >= 0, got -0.5');
    await expect(train('fashion-mnist:bag', ['--size', '24'])).rejects.toThrow('--size must be a power of two >= 16, got 24');
    await expect(train('fashion-mnist:bag', ['--batch-size', '0'])).rejects.toThrow(/--batch-size must be/);
  });
});
