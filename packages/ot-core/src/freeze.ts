import type * as tf from '@tensorflow/tfjs-core';
import type { TransportMap } from './types';

/**
 * A frozen view of a map: no trainable variables (so no optimizer touches it) and always in inference mode
 * (batch-norm running statistics), as the reference's freeze() does with requires_grad=False and eval().
 * Its state dict still exposes the weights for saving. The view shares the map's weights: disposing it frees them.
 */
export function freeze(map: TransportMap): TransportMap {
  return {
    variables: [],
    noiseShape: (n: number) => map.noiseShape(n),
    apply: (x: tf.Tensor, z?: tf.Tensor) => map.apply(x, z, { training: false }),
    stateDict: () => map.stateDict(),
    loadStateDict: (state) => map.loadStateDict(state),
    dispose: () => map.dispose(),
  };
}

/**
 * Runs `f` with `variables` marked untrainable, as the reference freezes f (requires_grad False) during T updates:
 * code that asks which variables train, such as a checkpointed block's replay, then leaves them out. Restores them
 * afterwards, also when `f` throws.
 */
export function whileFrozen<T>(variables: readonly tf.Variable[], f: () => T): T {
  const frozen = variables.filter((v) => v.trainable);
  for (const v of frozen) v.trainable = false;
  try {
    return f();
  } finally {
    for (const v of frozen) v.trainable = true;
  }
}
