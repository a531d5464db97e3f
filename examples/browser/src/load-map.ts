import * as tf from '@tensorflow/tfjs-core';
import { UNetMap, decodeSafetensors, stateDictFromTensors } from '@not/nets';

/** What `not train` stores beside its map (T.safetensors' metadata "config"), as far as translating needs it. */
export interface MapConfig {
  /** Image side the map was trained on. */
  size: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** UNet width of its first level. */
  base: number;
  /** 'weak' maps take one noise channel and give a different output per draw. */
  cost: 'strong' | 'weak';
  /** Standard deviation of a weak map's noise channel. */
  noiseStd: number;
  /** The data specs it was trained between, for the page's caption. */
  source?: string;
  target?: string;
}

const MAP_FORMAT = 'not-transport-map/1';

/** A map trained by `not train`, from the bytes of its T.safetensors: the UNet with its weights, and its configuration. */
export function loadMap(bytes: Uint8Array): { config: MapConfig; map: UNetMap } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== MAP_FORMAT || metadata.config === undefined) {
    throw new Error(`loadMap: not a map written by \`not train\` (format "${metadata.format ?? 'none'}", expected "${MAP_FORMAT}"); use a run's T.safetensors`);
  }
  const config = JSON.parse(metadata.config) as MapConfig;
  config.channels = config.channels ?? 3;
  const map = new UNetMap({ size: config.size, channels: config.channels, noiseChannels: config.cost === 'weak' ? 1 : 0, base: config.base });
  const state = stateDictFromTensors(tensors);
  try {
    map.loadStateDict(state);
  } finally {
    tf.dispose(Object.values(state));
  }
  return { config, map };
}
