import * as tf from '@tensorflow/tfjs-core';
import type { TransportMap } from '@not/ot-core';

/** x ↦ x: the stack of depth 0, against which the untranslated source is evaluated. */
export function identityMap(): TransportMap {
  return {
    variables: [],
    noiseShape: () => null,
    apply: (x) => tf.clone(x),
    stateDict: () => ({}),
    loadStateDict: () => {},
    dispose: () => {},
  };
}
