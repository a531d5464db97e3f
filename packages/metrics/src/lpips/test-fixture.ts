// Shared by the LPIPS tests: the reference values of fixtures/lpips-fixture.safetensors (made by
// fixtures/make-lpips-fixture.py with the lpips package's own code) and the recipe images as tensors.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, readTorchCheckpoint } from '@not/nets';
import { expect } from 'vitest';
import { LPIPS_CASES, lpipsRecipeImages } from './test-recipe';

export const lpipsFixture = decodeSafetensors(new Uint8Array(readFileSync(new URL('../../fixtures/lpips-fixture.safetensors', import.meta.url))));

/** Bytes of a file in packages/metrics/fixtures. */
export const fixtureBytes = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));

/** The reference values stored under `key`. */
export function reference(key: string): { shape: number[]; data: Float32Array } {
  const entry = lpipsFixture.tensors[key];
  if (!entry) throw new Error(`lpips fixture: no "${key}"`);
  return { shape: entry.shape, data: entry.data as Float32Array };
}

/** Case c's images as tensors (the caller disposes them). */
export function caseTensors(c: number): { name: string; x: tf.Tensor4D; y: tf.Tensor4D } {
  const { x, y, shape } = lpipsRecipeImages(c);
  return { name: LPIPS_CASES[c][0], x: tf.tensor4d(x, shape), y: tf.tensor4d(y, shape) };
}

/** Largest |got − want| / |want| over the elements; returns it after asserting it is below `tolerance`. */
export function expectClose(got: tf.Tensor, want: { shape: number[]; data: ArrayLike<number> }, tolerance: number, label: string): number {
  expect(got.shape, label).toEqual(want.shape);
  const g = got.dataSync();
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(g[i] - want.data[i]) / Math.abs(want.data[i]));
  expect(worst, label).toBeLessThan(tolerance);
  return worst;
}

export const LIN_READER_NOTE =
  "@not/nets' readTorchCheckpoint cannot read lpips' released lin files yet (they pickle OrderedDict([[key, value], ...]), " +
  'as Python 2-era PyTorch did); skipped until it accepts that argument';

/** Whether readTorchCheckpoint reads lpips' released lin files (Python 2-era OrderedDict pickles). */
export function readsReleasedLinFiles(): boolean {
  try {
    readTorchCheckpoint(fixtureBytes('lpips-v0.1-alex.pth'));
    return true;
  } catch (error) {
    if (/collections\.OrderedDict/.test((error as Error).message)) return false;
    throw error;
  }
}
