import type * as tf from '@tensorflow/tfjs-core';

/** Validates cost inputs x [B, ...] and ys [B, K, ...]; returns B, K and the element count per sample. */
export function checkCostInputs(
  fn: string,
  x: tf.Tensor,
  ys: tf.Tensor,
  minSamples: number,
): { batch: number; samples: number; elements: number } {
  if (ys.rank !== x.rank + 1) {
    throw new Error(`${fn}: ys must have shape [B, K, ...x.shape[1:]] (rank ${x.rank + 1}), got shape [${ys.shape}] for x [${x.shape}]`);
  }
  const [batch, samples] = ys.shape;
  const tail = x.shape.slice(1);
  if (ys.shape[0] !== x.shape[0] || ys.shape.slice(2).some((d, i) => d !== tail[i])) {
    throw new Error(`${fn}: ys must have shape [${x.shape[0]}, K, ${tail}], got [${ys.shape}]`);
  }
  if (samples < minSamples) throw new Error(`${fn}: K must be >= ${minSamples}, got ${samples}`);
  return { batch, samples, elements: tail.reduce((a, b) => a * b, 1) };
}
