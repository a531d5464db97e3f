import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@not/ot-core';

/**
 * Keys a state dict may leave out, as PyTorch's BatchNorm allows: `num_batches_tracked` only counts training steps
 * (our math never reads it, and many exporters drop it); a missing one keeps the module's current count.
 */
function optional(key: string): boolean {
  return key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked');
}

/**
 * Assigns `state` into `params` by name. Every param must be there with its shape (except optional ones, see above)
 * and nothing else; otherwise one error lists every missing key, every unexpected key and every shape mismatch.
 */
export function loadNamed(owner: string, params: Record<string, tf.Variable>, state: StateDict): void {
  const missing: string[] = [];
  const shapes: string[] = [];
  for (const [key, variable] of Object.entries(params)) {
    const value = state[key];
    if (!value) {
      if (!optional(key)) missing.push(`"${key}" (expected shape [${variable.shape}])`);
    } else if (value.shape.join() !== variable.shape.join()) {
      shapes.push(`"${key}" has shape [${value.shape}], expected [${variable.shape}]`);
    }
  }
  const extra = Object.keys(state).filter((k) => !(k in params));
  if (missing.length + shapes.length + extra.length > 0) {
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(extra.length ? [`unexpected keys ${extra.map((k) => `"${k}"`).join(', ')}`] : []),
      ...shapes,
    ];
    throw new Error(`${owner}.loadStateDict: ${problems.join('; ')}${prefixHint(Object.keys(params), extra)}`);
  }
  // The casts are temporaries; the variables keep the assigned values.
  tf.tidy(() => {
    for (const [key, variable] of Object.entries(params)) if (state[key]) variable.assign(tf.cast(state[key], variable.dtype));
  });
}

/** When every expected key arrives under one extra prefix (`module.` from DataParallel, `T.`, …), says so. */
function prefixHint(expected: string[], extra: string[]): string {
  const first = expected.find((k) => !optional(k));
  if (!first || extra.length === 0) return '';
  const match = extra.find((k) => k.endsWith(`.${first}`));
  if (!match) return '';
  const prefix = match.slice(0, -first.length);
  const under = expected.filter((k) => !optional(k)).every((k) => extra.includes(prefix + k));
  return under ? ` (the keys carry a prefix "${prefix}": take that part of the state dict, e.g. stateDictPart(state, "${prefix.slice(0, -1)}"))` : '';
}
