import type * as tf from '@tensorflow/tfjs-core';

/** PyTorch's `int | (int, int)` layer arguments as [height, width]. */
export type IntPair = number | readonly [number, number];

/** [h, w] from a number or pair; throws naming `fn` and `name` unless both are integers >= `least`. */
export function pair(fn: string, name: string, value: IntPair, least: number): [number, number] {
  const out: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  if (!(Array.isArray(value) ? value.length === 2 : typeof value === 'number') || !out.every((v) => Number.isInteger(v) && v >= least)) {
    throw new Error(`${fn}: ${name} must be an integer >= ${least} or a pair of them, got ${JSON.stringify(value)}`);
  }
  return out;
}

/** Throws unless `x` is an NHWC batch. */
export function checkNhwc(fn: string, x: unknown): asserts x is tf.Tensor4D {
  const shape = (x as { shape?: number[] })?.shape;
  if (!shape || shape.length !== 4) throw new Error(`${fn}: expected x of shape [B, H, W, C], got ${shape ? `[${shape}]` : String(x)}`);
}
