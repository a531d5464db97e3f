import * as tf from '@tensorflow/tfjs-core';
import { checkFiniteSample } from '../finite-sample';

/** Throws unless `n` is a non-negative integer batch size. */
export function checkBatchSize(fn: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new Error(`${fn}: n must be a non-negative integer, got ${n}`);
  }
}

/** Throws unless `value` is a finite number satisfying `ok`; `expected` says what was wanted. */
export function checkOption(fn: string, name: string, value: number, ok: (v: number) => boolean, expected: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new Error(`${fn}: ${name} must be ${expected}, got ${value}`);
  }
}

/**
 * Wraps row-major point data as a float32 tensor of shape [n, d], after checking that every value is finite (large
 * options can overflow float32); `sampler` names the sampler in the error.
 */
export function pointsTensor(sampler: string, data: Float32Array, n: number, d: number): tf.Tensor2D {
  checkFiniteSample(sampler, data, d, (row) => `point ${row} (from its options: beyond float32's range?)`);
  return tf.tensor2d(data, [n, d], 'float32');
}
