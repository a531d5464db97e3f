import type * as tf from '@tensorflow/tfjs-core';
import type { TransportMap } from './types';

/**
 * A frozen view of a map: no trainable variables (so no optimizer touches it) and always in inference mode
 * (batch-norm running statistics), as the reference's freeze() does with requires_grad=False and eval().
 * Its state dict still exposes the weights for saving.
 */
export function freeze(map: TransportMap): TransportMap {
  return {
    variables: [],
    noiseShape: (n: number) => map.noiseShape(n),
    apply: (x: tf.Tensor, z?: tf.Tensor) => map.apply(x, z, { training: false }),
    stateDict: () => map.stateDict(),
    loadStateDict: (state) => map.loadStateDict(state),
  };
}
