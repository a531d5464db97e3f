import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@not/ot-core';

/** Assigns `state` into `params` by name; every param must be present with the same shape. Extra keys are an error too. */
export function loadNamed(owner: string, params: Record<string, tf.Variable>, state: StateDict): void {
  for (const [key, variable] of Object.entries(params)) {
    const value = state[key];
    if (!value) throw new Error(`${owner}.loadStateDict: missing "${key}" (expected shape [${variable.shape}])`);
    if (value.shape.join() !== variable.shape.join()) {
      throw new Error(`${owner}.loadStateDict: "${key}" has shape [${value.shape}], expected [${variable.shape}]`);
    }
  }
  const extra = Object.keys(state).filter((k) => !(k in params));
  if (extra.length) throw new Error(`${owner}.loadStateDict: unexpected keys ${extra.map((k) => `"${k}"`).join(', ')}`);
  // The casts are temporaries; the variables keep the assigned values.
  tf.tidy(() => {
    for (const [key, variable] of Object.entries(params)) variable.assign(tf.cast(state[key], variable.dtype));
  });
}
