import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, readTorchCheckpoint } from '@not/nets';
import type { WeightTensor } from '../inception/fid-inception-v3';

/** The tensors of a weight file in either format we read: safetensors, or a PyTorch .pth (zip or legacy pickle). */
export function readWeightFile(bytes: Uint8Array): ReturnType<typeof readTorchCheckpoint> | ReturnType<typeof decodeSafetensors>['tensors'] {
  return looksLikeSafetensors(bytes) ? decodeSafetensors(bytes).tensors : readTorchCheckpoint(bytes);
}

/** True when the bytes start like safetensors: a little-endian u64 header length, then a JSON object. */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

/** One weight as a new float32 tensor that the caller owns (and disposes), from a tf tensor or a file's decoded data. */
export function weightTensor(value: WeightTensor): tf.Tensor {
  return value instanceof tf.Tensor ? tf.cast(value, 'float32') : tf.tensor(value.data, [...value.shape], 'float32');
}
