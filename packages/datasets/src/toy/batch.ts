import * as tf from '@tensorflow/tfjs-core';
import { checkFiniteSample } from '../finite-sample';
import { argumentError, checkInteger } from '@not/ot-core';

/** Throws unless `n` is a batch size (an integer >= 0). */
export function checkBatchSize(fn: string, n: number): void {
  checkInteger(fn, 'n', n, { min: 0 });
}

/** Throws unless `value` is a finite number > 0. */
export function checkPositive(fn: string, name: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw argumentError(fn, name, 'a finite number > 0', value);
}

/**
 * Wraps row-major point data as a float32 tensor of shape [n, d], after checking that every value is finite (large
 * options can overflow float32); `sampler` names the sampler in the error.
 */
export function pointsTensor(sampler: string, data: Float32Array, n: number, d: number): tf.Tensor2D {
  checkFiniteSample(sampler, data, d, (row) => `point ${row} (from its options: beyond float32's range?)`);
  return tf.tensor2d(data, [n, d], 'float32');
}
