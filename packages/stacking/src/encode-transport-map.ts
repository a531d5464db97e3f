import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@not/ot-core';
import { type SafetensorsInput, UNetMap, encodeSafetensors } from '@not/nets';
import { type MapFileLayout, type MapNetwork, type MapStageInfo, TRANSPORT_MAP_FORMAT, checkNetwork } from './map-file-format';
import { Stack } from './stack';

/** What to store beside a single map. */
export interface MapFileOptions {
  /** A stochastic map's noise (stored for a map with noise channels only). */
  noise?: {
    /** Its standard deviation. */
    std: number;
  };
  /** What trained the map (e.g. a run's configuration): a JSON-serialisable object, stored for provenance. */
  config?: object;
}

/** One stage of a stack to store: its network (as it was built), the noise it was trained with, what trained it. */
export interface StackStageOptions extends MapFileOptions {
  /** The stage's network. */
  network: MapNetwork;
}

/** What to store beside a stack: one entry per stage, in order (a stack's frozen stages do not show their network). */
export interface StackFileOptions {
  /** Each stage's network, noise and provenance, in the order they apply. */
  stages: StackStageOptions[];
}

/**
 * The bytes of a map file (format "not-transport-map/2", safetensors) holding a `UNetMap` or a `Stack` of them, for
 * {@link loadTransportMap}. A map's tensors keep the reference's PyTorch names; a stack's go under `stages.<i>.`.
 * Reads the weights with `await data()` (no synchronous device read); disposes nothing.
 */
export async function encodeTransportMap(map: UNetMap, options?: MapFileOptions): Promise<Uint8Array>;
/** A stack's map file: its stages' tensors under `stages.<i>.`, described by `options.stages` (one entry per stage). */
export async function encodeTransportMap(map: Stack, options: StackFileOptions): Promise<Uint8Array>;
export async function encodeTransportMap(map: UNetMap | Stack, options?: MapFileOptions | StackFileOptions): Promise<Uint8Array> {
  const fn = 'encodeTransportMap';
  let layout: MapFileLayout;
  let stages: MapStageInfo[];
  if (map instanceof UNetMap) {
    const { noise, config } = (options ?? {}) as MapFileOptions;
    layout = 'map';
    stages = [stageEntry(fn, 'map', { network: networkOf(map), noise, config })];
  } else if (map instanceof Stack) {
    const given = (options as StackFileOptions | undefined)?.stages;
    if (!Array.isArray(given) || given.length !== map.stages.length) {
      throw new Error(`${fn}: a stack of ${map.stages.length} stages needs options.stages with one {network, noise?, config?} per stage, got ${Array.isArray(given) ? `${given.length} entries` : String(given)}`);
    }
    layout = 'stack';
    stages = given.map((info, i) => {
      const what = `options.stages[${i}]`;
      const entry = stageEntry(fn, what, info);
      // The stage's noise is the cheap witness that the description is of this network.
      const want = entry.network.noiseChannels > 0 ? [1, entry.network.size, entry.network.size, entry.network.noiseChannels].join() : 'none';
      const got = map.stages[i].noiseShape(1)?.join() ?? 'none';
      if (want !== got) throw new Error(`${fn}: ${what}.network describes noise [${want}] for one input, but stage ${i + 1} takes [${got}]`);
      return entry;
    });
  } else {
    throw new Error(`${fn}: map must be a UNetMap (@not/nets) or a Stack of them, got ${(map as object)?.constructor?.name ?? String(map)}`);
  }
  const metadata = { format: TRANSPORT_MAP_FORMAT, layout, stages: JSON.stringify(stages.map(storedStage)) };
  return encodeSafetensors(await readState(map.stateDict(), fn), metadata);
}

/** A UNetMap's network description. */
function networkOf(map: UNetMap): MapNetwork {
  return { arch: 'unet', size: map.size, channels: map.channels, noiseChannels: map.noiseChannels, base: map.unet.base };
}

/** A stage entry: the network checked, the noise kept for a stochastic network only, config a JSON object. */
function stageEntry(fn: string, what: string, { network, noise, config }: StackStageOptions): MapStageInfo {
  const checked = checkNetwork(network, `${fn}: ${what}.network`);
  const entry: MapStageInfo = { network: checked };
  if (checked.noiseChannels > 0 && noise !== undefined) {
    if (!(typeof noise?.std === 'number' && noise.std >= 0)) throw new Error(`${fn}: ${what}.noise.std must be a number >= 0, got ${JSON.stringify(noise?.std)}`);
    entry.noise = { std: noise.std };
  }
  if (config !== undefined) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${fn}: ${what}.config must be an object, got ${JSON.stringify(config)}`);
    entry.config = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  }
  return entry;
}

/** The state dict's values, read asynchronously, as safetensors inputs (float32 → F32, int32 → I32, bool → BOOL). */
async function readState(state: StateDict, fn: string): Promise<Record<string, SafetensorsInput>> {
  const entries = Object.entries(state);
  const values = await Promise.all(entries.map(([, t]) => t.data()));
  const out: Record<string, SafetensorsInput> = {};
  entries.forEach(([name, tensor], i) => {
    out[name] = { dtype: dtypeOf(tensor, name, fn), shape: tensor.shape, data: values[i] as Float32Array | Int32Array | Uint8Array };
  });
  return out;
}

function dtypeOf(tensor: tf.Tensor, name: string, fn: string): SafetensorsInput['dtype'] {
  if (tensor.dtype === 'float32') return 'F32';
  if (tensor.dtype === 'int32') return 'I32';
  if (tensor.dtype === 'bool') return 'BOOL';
  throw new Error(`${fn}: tensor "${name}" has dtype ${tensor.dtype}; expected float32, int32 or bool`);
}

/** A stage entry as the file stores it: its noise's standard deviation as the format's `noiseStd` field. */
function storedStage({ network, noise, config }: MapStageInfo): Record<string, unknown> {
  return { network, ...(noise ? { noiseStd: noise.std } : {}), ...(config ? { config } : {}) };
}
