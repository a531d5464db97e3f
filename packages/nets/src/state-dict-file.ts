// TensorFlow.js state dicts ↔ safetensors bytes.
import * as tf from '@tensorflow/tfjs-core';
import type { Module, StateDict } from '@not/ot-core';
import { describe, type SafetensorsInput, type SafetensorsTensor } from './safetensors-format';
import { encodeSafetensors } from './safetensors-encode';
import { decodeSafetensors } from './safetensors-decode';

/**
 * Writes a state dict as safetensors bytes: float32 tensors as F32, int32 as I32, bool as BOOL, keyed by the state
 * dict's names (the reference's PyTorch names, so `safetensors.torch.load_file` reads them back). Reads the tensors
 * with `await t.data()` (no device stall; works where synchronous reads do not, e.g. WebGPU in Node); disposes nothing.
 */
export async function encodeStateDict(state: StateDict, metadata?: Record<string, string>): Promise<Uint8Array> {
  const fn = 'encodeStateDict';
  const entries = Object.entries(state).map(([name, tensor]) => [name, checkSaved(fn, name, tensor)] as const);
  const values = await Promise.all(entries.map(([, tensor]) => tensor.data()));
  return encodeSafetensors(Object.fromEntries(entries.map(([name, tensor], i) => [name, input(tensor, values[i])])), metadata);
}

/**
 * {@link encodeStateDict}, reading the tensors synchronously (`dataSync`): a stall on GPU backends, and it fails on
 * WebGPU in Node. Prefer encodeStateDict; this stays for the synchronous callers.
 */
export function saveStateDict(state: StateDict, metadata?: Record<string, string>): Uint8Array {
  const fn = 'saveStateDict';
  const inputs: Record<string, SafetensorsInput> = {};
  for (const [name, tensor] of Object.entries(state)) inputs[name] = input(checkSaved(fn, name, tensor), tensor.dataSync());
  return encodeSafetensors(inputs, metadata);
}

function checkSaved(fn: string, name: string, tensor: unknown): tf.Tensor {
  if (!(tensor instanceof tf.Tensor)) throw new Error(`${fn}: state["${name}"] must be a tf.Tensor, got ${describe(tensor)}`);
  if (tensor.isDisposed) throw new Error(`${fn}: state["${name}"] is disposed`);
  if (!['float32', 'int32', 'bool'].includes(tensor.dtype)) throw new Error(`${fn}: state["${name}"] has dtype ${tensor.dtype}; expected float32, int32 or bool`);
  return tensor;
}

function input(tensor: tf.Tensor, data: tf.TypedArray | tf.DataTypeMap[keyof tf.DataTypeMap]): SafetensorsInput {
  const shape = tensor.shape;
  if (tensor.dtype === 'float32') return { dtype: 'F32', shape, data: data as Float32Array };
  if (tensor.dtype === 'int32') return { dtype: 'I32', shape, data: data as Int32Array };
  return { dtype: 'BOOL', shape, data: Uint8Array.from(data as Uint8Array) };
}

/**
 * Reads safetensors bytes into new tensors (float32 for F64/F32/F16/BF16, int32 for I64/I32/I16/I8/U8, bool for
 * BOOL). The caller owns the tensors and disposes them.
 */
export function loadStateDictFile(bytes: Uint8Array): StateDict {
  return stateDictFromTensors(decodeSafetensors(bytes).tensors);
}

/** New tensors from already decoded safetensors (as {@link loadStateDictFile}), for callers that also read the metadata. */
export function stateDictFromTensors(tensors: Record<string, SafetensorsTensor>): StateDict {
  const state: StateDict = {};
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    if (dtype === 'BOOL') state[name] = tf.tensor(data, shape, 'bool');
    else if (dtype === 'U8') state[name] = tf.tensor(Int32Array.from(data), shape, 'int32');
    else state[name] = tf.tensor(data, shape, data instanceof Float32Array ? 'float32' : 'int32');
  }
  return state;
}

/**
 * Loads safetensors bytes into a module with `module.loadStateDict` (which checks names and shapes and throws
 * naming the first mismatch) and disposes the temporary tensors, also when loading fails.
 */
export function loadSafetensorsInto(module: Module, bytes: Uint8Array): void {
  const state = loadStateDictFile(bytes);
  try {
    // A tidy scope frees whatever loadStateDict makes on the way (casts); variables keep their new values.
    tf.tidy(() => module.loadStateDict(state));
  } finally {
    for (const tensor of Object.values(state)) tensor.dispose();
  }
}
