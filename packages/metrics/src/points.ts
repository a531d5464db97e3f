import type * as tf from '@tensorflow/tfjs-core';

/**
 * A batch of N points: a tfjs tensor of shape [N, ...] (flattened to [N, D]; read with `dataSync`, never disposed),
 * or raw row-major values with their shape, e.g. `{ data: Float32Array, shape: [N, D] }`.
 */
export type PointBatch =
  | tf.Tensor
  | {
      /** The N·D values, row-major. */
      readonly data: Float32Array | Float64Array | readonly number[];
      /** The shape, N first (the number of points); the other entries multiply to D. */
      readonly shape: readonly number[];
    };

/** A batch read into float64: N rows of D values. @internal */
export interface Points {
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
}

/** Reads a {@link PointBatch} into float64, checking shape and finiteness; errors name `fn` and `name`. @internal */
export function readPoints(fn: string, name: string, batch: PointBatch): Points {
  if (batch === null || typeof batch !== 'object') {
    throw new Error(`${fn}: ${name} must be a tensor or { data, shape }, got ${batch === null ? 'null' : typeof batch}`);
  }
  const shape = batch.shape;
  if (!Array.isArray(shape) || shape.length < 2) {
    throw new Error(`${fn}: ${name} must have shape [N, D] (or [N, ...]), got [${Array.isArray(shape) ? shape.join(', ') : shape}]`);
  }
  const n = shape[0];
  const d = shape.slice(1).reduce((a: number, b: number) => a * b, 1);
  if (!(Number.isInteger(n) && n >= 1 && d >= 1)) {
    throw new Error(`${fn}: ${name} must hold at least one point of at least one value, got shape [${shape.join(', ')}]`);
  }
  const isTensor = typeof (batch as tf.Tensor).dataSync === 'function';
  if (isTensor && (batch as tf.Tensor).dtype !== 'float32' && (batch as tf.Tensor).dtype !== 'int32') {
    throw new Error(`${fn}: ${name} must be a float32 or int32 tensor, got ${(batch as tf.Tensor).dtype}`);
  }
  const raw: ArrayLike<number> = isTensor
    ? ((batch as tf.Tensor).dataSync() as Float32Array)
    : (batch as { data: ArrayLike<number> }).data;
  if (raw.length !== n * d) {
    throw new Error(`${fn}: ${name} has shape [${shape.join(', ')}] (${n * d} values) but its data holds ${raw.length}`);
  }
  const data = Float64Array.from(raw);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Error(`${fn}: ${name} must be finite, got ${data[i]} at point ${Math.floor(i / d)}, coordinate ${i % d}`);
    }
  }
  return { data, n, d };
}
