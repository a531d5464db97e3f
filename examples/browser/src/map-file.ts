import type * as tf from '@tensorflow/tfjs-core';
import { type SafetensorsInput, type SafetensorsWriteDtype, type UNetMap, encodeSafetensors } from '@not/nets';
import type { TrainConfig } from '@not/cli/train-setup';

/** The format `not train` marks its T.safetensors with (packages/cli/src/train/checkpoint.ts, writeMapFile). */
const MAP_FORMAT = 'not-transport-map/1';

/**
 * The bytes of a map file that `not translate` reads, as `not train` writes T.safetensors: the map's state dict under
 * the reference's parameter names (what @not/nets' saveStateDict stores) and the run's configuration as metadata.
 * The weights are read with `await data()` (saveStateDict's synchronous reads stall or fail on WebGPU).
 *
 * The one place the page knows the file format: once @not/stacking's map file lands, this is
 * `encodeTransportMap(map, { noiseStd: config.noiseStd, config })`.
 */
export async function encodeMapFile(map: UNetMap, config: TrainConfig): Promise<Uint8Array> {
  const entries = Object.entries(map.stateDict());
  const values = await Promise.all(entries.map(([, tensor]) => tensor.data()));
  const inputs: Record<string, SafetensorsInput> = {};
  entries.forEach(([name, tensor], i) => {
    inputs[name] = { dtype: dtypeOf(tensor, name), shape: tensor.shape, data: values[i] as Float32Array | Int32Array | Uint8Array };
  });
  return encodeSafetensors(inputs, { format: MAP_FORMAT, config: JSON.stringify(config) });
}

function dtypeOf(tensor: tf.Tensor, name: string): SafetensorsWriteDtype {
  if (tensor.dtype === 'float32') return 'F32';
  if (tensor.dtype === 'int32') return 'I32';
  if (tensor.dtype === 'bool') return 'BOOL';
  throw new Error(`encodeMapFile: tensor "${name}" has dtype ${tensor.dtype}; expected float32, int32 or bool`);
}
