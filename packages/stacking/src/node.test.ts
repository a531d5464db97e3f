import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { UNetMap } from '@not/nets';
import { encodeTransportMap } from './encode-transport-map';
import { loadTransportMap, saveTransportMap } from './node';
import { Stack } from './stack';

const dir = mkdtempSync(join(tmpdir(), 'not-map-file-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('@not/stacking/node', () => {
  it('saves a map atomically (no temporary left) and loads it by path, the same bytes as encodeTransportMap', async () => {
    const map = new UNetMap({ size: 16, channels: 1, base: 2, seed: 4 });
    const path = join(dir, 'T.safetensors');
    writeFileSync(path, 'an older file');
    await saveTransportMap(path, map, { config: { steps: 3 } });
    expect(readdirSync(dir)).toEqual(['T.safetensors']);
    expect(new Uint8Array(readFileSync(path))).toEqual(await encodeTransportMap(map, { config: { steps: 3 } }));
    const loaded = await loadTransportMap({ path });
    expect(loaded.config).toEqual({ steps: 3 });
    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 1);
    const [a, b] = [map.apply(x), loaded.map.apply(x)];
    expect(await values(b)).toEqual(await values(a));
    tf.dispose([x, a, b]);
    map.dispose();
    loaded.map.dispose();
  });

  it('saves and loads a stack; { bytes } works here too', async () => {
    const maps = [new UNetMap({ size: 16, channels: 1, base: 2, seed: 1 }), new UNetMap({ size: 16, channels: 1, base: 2, seed: 2 })];
    const network = { arch: 'unet' as const, size: 16, channels: 1, noiseChannels: 0, base: 2 };
    const path = join(dir, 'stack.safetensors');
    await saveTransportMap(path, new Stack(maps), { stages: [{ network }, { network }] });
    const loaded = await loadTransportMap({ bytes: new Uint8Array(readFileSync(path)) });
    expect(loaded.layout).toBe('stack');
    expect(loaded.stages).toHaveLength(2);
    maps.forEach((m) => m.dispose());
    loaded.map.dispose();
  });

  it('errors name the path and say what is wrong', async () => {
    await expect(loadTransportMap({ path: join(dir, 'none.safetensors') })).rejects.toThrow(`loadTransportMap: cannot read ${join(dir, 'none.safetensors')}: no such file`);
    await expect(loadTransportMap({ path: dir })).rejects.toThrow(`loadTransportMap: cannot read ${dir}: it is a folder, not a map file`);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    await expect(loadTransportMap({ path: join(dir, 'notes.txt') })).rejects.toThrow(`loadTransportMap: ${join(dir, 'notes.txt')} is not a readable map file: decodeSafetensors:`);
    await expect(loadTransportMap({} as never)).rejects.toThrow('loadTransportMap: source must be { path: string } or { bytes: Uint8Array }, got keys none');
    const map = new UNetMap({ size: 16, channels: 1, base: 2 });
    await expect(saveTransportMap(join(dir, 'missing', 'T.safetensors'), map)).rejects.toThrow(`saveTransportMap: cannot write ${join(dir, 'missing', 'T.safetensors')}:`);
    map.dispose();
  });
});
