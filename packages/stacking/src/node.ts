// @not/stacking/node: map files on disk (Node only; the main entry works on bytes and runs in a browser).
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { UNetMap } from '@not/nets';
import { type MapFileOptions, type StackFileOptions, encodeTransportMap } from './encode-transport-map';
import { type LoadedTransportMap, transportMapFromBytes } from './load-transport-map';
import type { Stack } from './stack';

/**
 * Loads a transport map from a map file (`{ path }`) or its bytes (`{ bytes }`): see `loadTransportMap` of
 * `@not/stacking`, which this extends with paths. Errors name the path.
 */
export async function loadTransportMap(source: { path: string } | { bytes: Uint8Array }): Promise<LoadedTransportMap> {
  const fn = 'loadTransportMap';
  const { path, bytes } = (source ?? {}) as { path?: unknown; bytes?: unknown };
  if (bytes instanceof Uint8Array) return transportMapFromBytes(bytes, fn, 'the bytes given');
  if (typeof path !== 'string' || path === '') {
    throw new Error(`${fn}: source must be { path: string } or { bytes: Uint8Array }, got ${source === null || typeof source !== 'object' ? String(source) : `keys ${Object.keys(source).join(', ') || 'none'}`}`);
  }
  let data: Uint8Array;
  try {
    data = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a map file' : (error as Error).message;
    throw new Error(`${fn}: cannot read ${path}: ${reason}`, { cause: error });
  }
  return transportMapFromBytes(data, fn, path);
}

/**
 * Writes a map file (see `encodeTransportMap` of `@not/stacking`) atomically: to a temporary file beside `path`,
 * flushed to disk, then renamed over it, so that a kill never leaves a broken file and a failed write leaves the old
 * one untouched.
 */
export async function saveTransportMap(path: string, map: UNetMap, options?: MapFileOptions): Promise<void>;
/** Writes a stack's map file atomically; `options.stages` describes each stage (see `encodeTransportMap`). */
export async function saveTransportMap(path: string, map: Stack, options: StackFileOptions): Promise<void>;
export async function saveTransportMap(path: string, map: UNetMap | Stack, options?: MapFileOptions | StackFileOptions): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new Error(`saveTransportMap: path must be a file path, got ${JSON.stringify(path)}`);
  const bytes = await encodeTransportMap(map as UNetMap, options as MapFileOptions);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`saveTransportMap: cannot write ${path}: ${(error as Error).message}; the file that was there is untouched`, { cause: error });
  }
}

export type { LoadedTransportMap } from './load-transport-map';
export type { MapFileOptions, StackFileOptions, StackStageOptions } from './encode-transport-map';
export type { MapNetwork, MapStageInfo } from './map-file-format';
