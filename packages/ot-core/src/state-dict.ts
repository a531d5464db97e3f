import * as tf from '@tensorflow/tfjs-core';

// State dicts are flat records keyed by PyTorch-style dotted names (`inc.double_conv.0.weight`). These helpers are
// generic in the value so they serve variables, tensors and undecoded file entries alike.

/** The entries of `state` under `prefix.` (`prefix` '' leaves the keys as they are). The values are shared, not copied. */
export function prefixStateDict<V>(prefix: string, state: Readonly<Record<string, V>>): Record<string, V> {
  return joinStateDicts([[prefix, state]]);
}

/** Joins state dicts under dotted prefixes, in order (`['inc', {…}]` → `inc.<key>`); '' adds no prefix. Values are shared. */
export function joinStateDicts<V>(parts: readonly (readonly [string, Readonly<Record<string, V>>])[]): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [prefix, state] of parts) for (const [key, v] of Object.entries(state)) out[prefix ? `${prefix}.${key}` : key] = v;
  return out;
}

/** The entries of `state` under `prefix.`, with the prefix taken off; other entries are left out. Values are shared. */
export function stateDictPart<V>(state: Readonly<Record<string, V>>, prefix: string): Record<string, V> {
  const p = `${prefix}.`;
  const out: Record<string, V> = {};
  for (const [key, v] of Object.entries(state)) if (key.startsWith(p)) out[key.slice(p.length)] = v;
  return out;
}

/** A copy of every tensor of `state` (the caller owns the copies; `state` is left as it is). */
export function cloneStateDict<T extends tf.Tensor>(state: Readonly<Record<string, T>>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [key, t] of Object.entries(state)) out[key] = tf.clone(t);
  return out;
}

/** Disposes every tensor of `state` (for state dicts the caller owns: loaded from a file, or cloned). */
export function disposeStateDict(state: Readonly<Record<string, tf.Tensor>>): void {
  tf.dispose(Object.values(state));
}
