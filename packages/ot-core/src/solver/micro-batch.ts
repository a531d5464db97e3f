import * as tf from '@tensorflow/tfjs-core';

/** A range of rows of a batch: [first, count]. */
export type Rows = [number, number];

/** Rows [0, n) in chunks of at most `size` (one chunk when size is null). */
export function rowChunks(n: number, size: number | null): Rows[] {
  const step = size ?? n;
  return Array.from({ length: Math.ceil(n / step) }, (_, i): Rows => [i * step, Math.min(step, n - i * step)]);
}

/** Rows [start, start + count) of a batch. */
export function rows<T extends tf.Tensor>(batch: T, start: number, count: number): T {
  return count === batch.shape[0] ? batch : tf.slice(batch, start, count);
}

/** The sum of several losses and of their gradients, one loss under a gradient tape at a time. */
export function accumulatedGrads(losses: (() => tf.Scalar)[], variables: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  let total = tf.variableGrads(losses[0], variables);
  for (const loss of losses.slice(1)) {
    const next = tf.variableGrads(loss, variables);
    const sum = {
      value: tf.add(total.value, next.value) as tf.Scalar,
      grads: Object.fromEntries(Object.entries(total.grads).map(([k, g]) => [k, tf.add(g, next.grads[k])])),
    };
    tf.dispose([total.value, next.value, ...Object.values(total.grads), ...Object.values(next.grads)]);
    total = sum;
  }
  return total;
}
