// The transport-map file format: safetensors (tensors + string metadata) holding one map or a stack of maps.
//
// Version 2 (written now), metadata:
//   format   "not-transport-map/2"
//   layout   "map": one network, its tensors under their own names (the reference's PyTorch names, so the file loads
//            into the official UNet after a plain conversion); "stack": stage i's tensors under "stages.<i>."
//   stages   JSON array, one entry per map in the order they apply (one entry for a map):
//            {"network": {"arch": "unet", "size": S, "channels": C, "noiseChannels": N, "base": B},
//             "noiseStd"?: σ of a stochastic map's noise, "config"?: what trained it (provenance, any JSON object)}
// Files of earlier writers, still read:
//   "not-transport-map/1"     `not train`'s T.safetensors: metadata "config" (the run's configuration), plain names
//   "not-train-checkpoint/1"  `not train`'s checkpoint: metadata "config"; the map is its "map." tensors
//   "not-stack/1"             `not stack`'s stacks: metadata "stages" (each stage's run configuration), "stages.<i>."
// A version-1 configuration gives the network: UNet of its size, channels (3 when absent), base, and one noise
// channel for the weak cost.
import { stateDictPart } from '@not/ot-core';
import type { SafetensorsTensor } from '@not/nets';

/** The format name and version that {@link encodeTransportMap} writes. */
export const TRANSPORT_MAP_FORMAT = 'not-transport-map/2';

/** Every format that {@link loadTransportMap} reads, newest first. */
export const READABLE_MAP_FORMATS = ['not-transport-map/2', 'not-transport-map/1', 'not-stack/1', 'not-train-checkpoint/1'] as const;

/** A format {@link loadTransportMap} reads. */
export type ReadableMapFormat = (typeof READABLE_MAP_FORMATS)[number];

/** The network of one map, as much as it takes to rebuild it (its weights come from the file). */
export interface MapNetwork {
  /** The architecture: the reference's UNet (`UNetMap` of @not/nets). */
  arch: 'unet';
  /** Side of the square images. */
  size: number;
  /** Image channels, in and out. */
  channels: number;
  /** Noise channels appended to the image (0: a deterministic map). */
  noiseChannels: number;
  /** UNet width of its first level. */
  base: number;
}

/** One map of a file: its network, the noise it was trained with, and what trained it. */
export interface MapStageInfo {
  /** The network to rebuild. */
  network: MapNetwork;
  /** A stochastic map's noise (absent for a deterministic map); the file stores its standard deviation as `noiseStd`. */
  noise?: {
    /** Its standard deviation. */
    std: number;
  };
  /** What trained the map (e.g. a `not train` run's configuration), kept as provenance; the loader does not read it. */
  config?: Record<string, unknown>;
}

/** How a file holds its maps: one map under its own tensor names, or a stack under `stages.<i>.`. */
export type MapFileLayout = 'map' | 'stack';

/** A map file's maps, parsed: each stage's description and tensors (names without prefixes). */
export interface ParsedMapFile {
  format: ReadableMapFormat;
  layout: MapFileLayout;
  stages: { info: MapStageInfo; tensors: Record<string, SafetensorsTensor> }[];
  /** Tensors that belong to no stage (an error for the caller to report). */
  stray: string[];
}

const STAGE_PREFIX = /^stages\.(\d+)\.(.+)$/;

/**
 * Reads the metadata of a decoded map file and sorts its tensors by stage. `fn` and `where` name the caller and the
 * file in errors.
 */
export function parseMapFile(metadata: Record<string, string>, tensors: Record<string, SafetensorsTensor>, fn: string, where: string): ParsedMapFile {
  const format = metadata.format;
  if (format === undefined) {
    throw new Error(`${fn}: ${where} is a safetensors file but not a transport map: its metadata has no "format" (expected "${TRANSPORT_MAP_FORMAT}" or an earlier version)`);
  }
  const name = format.split('/')[0];
  const known = READABLE_MAP_FORMATS.filter((f) => f.startsWith(`${name}/`));
  if (!(READABLE_MAP_FORMATS as readonly string[]).includes(format)) {
    if (known.length) {
      throw new Error(`${fn}: ${where} has format "${format}", a version of ${name} this @not/stacking does not read (it reads ${known.join(', ')}); a newer @not/stacking may`);
    }
    throw new Error(`${fn}: ${where} is not a transport map: its format is "${format}" (expected "${TRANSPORT_MAP_FORMAT}" or an earlier version: ${READABLE_MAP_FORMATS.slice(1).join(', ')})`);
  }
  return parseKnown(format as ReadableMapFormat, metadata, tensors, fn, where);
}

function parseKnown(format: ReadableMapFormat, metadata: Record<string, string>, tensors: Record<string, SafetensorsTensor>, fn: string, where: string): ParsedMapFile {
  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) throw new Error(`${fn}: ${where} (${format}) has no metadata "${key}"`);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`${fn}: ${where} (${format}): metadata "${key}" is not valid JSON (${(error as Error).message})`);
    }
  };
  const all = Object.keys(tensors);
  const whole = () => ({ tensors, stray: [] });
  const byPrefix = (count: number) => {
    const groups = Array.from({ length: count }, () => ({}) as Record<string, SafetensorsTensor>);
    const stray: string[] = [];
    for (const key of all) {
      const match = STAGE_PREFIX.exec(key);
      const i = match ? Number(match[1]) : -1;
      if (match && i < count) groups[i][match[2]] = tensors[key];
      else stray.push(key);
    }
    return { groups, stray };
  };

  if (format === 'not-transport-map/2') {
    const layout = metadata.layout;
    if (layout !== 'map' && layout !== 'stack') throw new Error(`${fn}: ${where}: metadata "layout" must be "map" or "stack", got ${JSON.stringify(layout)}`);
    const raw = json('stages');
    if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${fn}: ${where}: metadata "stages" must be a non-empty array, got ${JSON.stringify(raw)}`);
    const infos = raw.map((entry, i) => stageInfo(entry, `${fn}: ${where}: stage ${i + 1}`));
    if (layout === 'map') {
      if (infos.length !== 1) throw new Error(`${fn}: ${where}: layout "map" holds one network, but metadata "stages" lists ${infos.length}`);
      return { format, layout, stages: [{ info: infos[0], tensors }], stray: [] };
    }
    const { groups, stray } = byPrefix(infos.length);
    return { format, layout, stages: infos.map((info, i) => ({ info, tensors: groups[i] })), stray };
  }
  if (format === 'not-stack/1') {
    const raw = json('stages');
    if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${fn}: ${where}: metadata "stages" must be a non-empty array of configurations, got ${JSON.stringify(raw)}`);
    const infos = raw.map((config, i) => infoFromTrainConfig(config, `${fn}: ${where}: stage ${i + 1}`));
    const { groups, stray } = byPrefix(infos.length);
    return { format, layout: 'stack', stages: infos.map((info, i) => ({ info, tensors: groups[i] })), stray };
  }
  const info = infoFromTrainConfig(json('config'), `${fn}: ${where}`);
  if (format === 'not-transport-map/1') return { format, layout: 'map', stages: [{ info, ...whole() }], stray: [] };
  // A checkpoint holds the potential and the optimizers too: its map is the "map." part, the rest is not ours to read.
  const map = stateDictPart(tensors, 'map');
  return { format, layout: 'map', stages: [{ info, tensors: map }], stray: [] };
}

/** A version-2 stage entry, checked. */
function stageInfo(entry: unknown, what: string): MapStageInfo {
  if (!isObject(entry)) throw new Error(`${what} must be an object {network, noiseStd?, config?}, got ${JSON.stringify(entry)}`);
  const network = checkNetwork(entry.network, `${what}: network`);
  const info: MapStageInfo = { network };
  if (entry.noiseStd !== undefined) {
    if (typeof entry.noiseStd !== 'number' || !(entry.noiseStd >= 0)) throw new Error(`${what}: noiseStd must be a number >= 0, got ${JSON.stringify(entry.noiseStd)}`);
    info.noise = { std: entry.noiseStd };
  }
  if (entry.config !== undefined) {
    if (!isObject(entry.config)) throw new Error(`${what}: config must be an object, got ${JSON.stringify(entry.config)}`);
    info.config = entry.config;
  }
  return info;
}

/** A network description, checked: a UNet with integer sizes. */
export function checkNetwork(network: unknown, what: string): MapNetwork {
  if (!isObject(network)) throw new Error(`${what} must be an object {arch, size, channels, noiseChannels, base}, got ${JSON.stringify(network)}`);
  if (network.arch !== 'unet') throw new Error(`${what}: arch must be "unet" (the only architecture this version rebuilds), got ${JSON.stringify(network.arch)}`);
  const positive = (key: 'size' | 'channels' | 'base', min: number) => {
    const value = network[key];
    if (!(Number.isInteger(value) && (value as number) >= min)) throw new Error(`${what}: ${key} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    return value as number;
  };
  const noiseChannels = network.noiseChannels;
  if (!(Number.isInteger(noiseChannels) && (noiseChannels as number) >= 0)) throw new Error(`${what}: noiseChannels must be an integer >= 0, got ${JSON.stringify(noiseChannels)}`);
  return { arch: 'unet', size: positive('size', 16), channels: positive('channels', 1), noiseChannels: noiseChannels as number, base: positive('base', 1) };
}

/** A version-1 stage: the network `not train` built from its configuration (as its createMap did). */
function infoFromTrainConfig(config: unknown, what: string): MapStageInfo {
  if (!isObject(config)) throw new Error(`${what}: the configuration must be an object, got ${JSON.stringify(config)}`);
  const weak = config.cost === 'weak';
  // Runs written before `channels` existed saw 3 channels.
  const network = checkNetwork({ arch: 'unet', size: config.size, channels: config.channels ?? 3, noiseChannels: weak ? 1 : 0, base: config.base }, `${what}: configuration`);
  const info: MapStageInfo = { network, config };
  if (weak) info.noise = { std: typeof config.noiseStd === 'number' ? config.noiseStd : 0.1 };
  return info;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
