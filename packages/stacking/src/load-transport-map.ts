import { describeNonFinite, disposeStateDict, nonFinite, type StateDict, type TransportMap } from '@not/ot-core';
import { type SafetensorsTensor, UNetMap, decodeSafetensors, stateDictFromTensors } from '@not/nets';
import { type MapFileLayout, type MapNetwork, type MapStageInfo, type ReadableMapFormat, parseMapFile } from './map-file-format';
import { Stack } from './stack';

/** A transport map read from a file, ready to apply, with what the file says about it. */
export interface LoadedTransportMap {
  /** The map: a `UNetMap` for a file of one map, a `Stack` of them for a stack. The caller disposes it (`dispose()` frees every stage's weights). */
  map: TransportMap;
  /** Whether the file held one map or a stack (a stack of one is a stack). */
  layout: MapFileLayout;
  /** Each map's network, noise and provenance, in the order they apply. */
  stages: MapStageInfo[];
  /** Side of the square images the map takes (its first stage's). */
  size: number;
  /** Image channels the map takes and gives. */
  channels: number;
  /** The noise to draw for it (`pushForward(map, x, { std: noise.std, seed })`): its last stochastic stage's, std 0 when it is deterministic. */
  noise: {
    /** Its standard deviation. */
    std: number;
  };
  /** What trained its last stage (a `not train` run's configuration), if the file says. */
  config: Record<string, unknown> | undefined;
  /** The format the file was written in, e.g. "not-transport-map/2" (earlier ones are read too). */
  format: ReadableMapFormat;
}

/**
 * Loads a transport map from the bytes of a map file: what {@link encodeTransportMap} writes, `not train`'s
 * T.safetensors and checkpoints, `not stack`'s stacks (every version). It rebuilds each network, checks the file
 * (format and version, every tensor present with the right shape, no NaN or ±Inf) and loads the weights. The caller
 * disposes the map. Reading files by path is `loadTransportMap` of `@not/stacking/node`.
 */
export async function loadTransportMap(source: { bytes: Uint8Array }): Promise<LoadedTransportMap> {
  const bytes = (source as { bytes?: unknown } | undefined)?.bytes;
  if (!(bytes instanceof Uint8Array)) {
    const path = (source as { path?: unknown } | undefined)?.path;
    throw new Error(`loadTransportMap: source must be { bytes: Uint8Array }${path !== undefined ? " (a path is read by loadTransportMap of '@not/stacking/node')" : ''}, got ${describe(source)}`);
  }
  return transportMapFromBytes(bytes, 'loadTransportMap', 'the bytes given');
}

/** {@link loadTransportMap}'s work, with `fn` and `where` (a path, or "the bytes given") for its errors. */
export function transportMapFromBytes(bytes: Uint8Array, fn: string, where: string): LoadedTransportMap {
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (error) {
    throw new Error(`${fn}: ${where} is not a readable map file: ${(error as Error).message}`);
  }
  const parsed = parseMapFile(decoded.metadata, decoded.tensors, fn, where);
  const problems: string[] = [];
  if (parsed.stray.length) problems.push(`tensors of no stage: ${list(parsed.stray)}`);
  // A run saved after its weights blew up would translate to blank images without a word.
  parsed.stages.forEach(({ tensors }, i) => {
    for (const [name, tensor] of Object.entries(tensors)) {
      const bad = tensor.data instanceof Float32Array ? nonFinite(tensor.data) : null;
      if (bad) problems.push(`${stageName(parsed.layout, i)}tensor "${name}" holds ${describeNonFinite(bad, tensor.shape)}: the weights are unusable (a diverged run?)`);
    }
  });
  if (problems.length) throw new Error(`${fn}: ${where}: ${problems.join('; ')}`);

  const maps: UNetMap[] = [];
  try {
    parsed.stages.forEach(({ info, tensors }, i) => {
      const map = buildNetwork(info.network);
      maps.push(map);
      const missing: string[] = [];
      const misshaped: string[] = [];
      const expected = map.stateDict();
      for (const [name, variable] of Object.entries(expected)) {
        const tensor = tensors[name];
        if (!tensor) {
          // PyTorch loads a state dict without batch norm's step counter (many exporters drop it; nothing reads it).
          if (!name.endsWith('num_batches_tracked')) missing.push(`"${name}" [${variable.shape}]`);
        } else if (tensor.shape.join() !== variable.shape.join()) {
          misshaped.push(`"${name}" is [${tensor.shape}], expected [${variable.shape}]`);
        }
      }
      const unexpected = Object.keys(tensors).filter((name) => !(name in expected));
      const stage = stageName(parsed.layout, i);
      const net = describeNetwork(info.network);
      if (missing.length) problems.push(`${stage}${net} is missing ${missing.length} tensor${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`);
      if (misshaped.length) problems.push(`${stage}${net}: ${misshaped.join(', ')}`);
      if (unexpected.length) problems.push(`${stage}${net} has no tensors named ${list(unexpected)}`);
      if (problems.length) return;
      loadWeights(map, tensors);
    });
    if (problems.length) throw new Error(`${fn}: ${where}: ${problems.join('; ')} (is the file damaged, or written for another network?)`);
  } catch (error) {
    maps.forEach((m) => m.dispose());
    throw error;
  }

  const stages = parsed.stages.map((s) => s.info);
  const stochastic = stages.filter((s) => s.network.noiseChannels > 0);
  return {
    map: parsed.layout === 'map' ? maps[0] : new Stack(maps),
    layout: parsed.layout,
    stages,
    size: stages[0].network.size,
    channels: stages[0].network.channels,
    noise: { std: stochastic.length ? (stochastic[stochastic.length - 1].noise?.std ?? 0) : 0 },
    config: stages[stages.length - 1].config,
    format: parsed.format,
  };
}

/** A freshly initialised network of the described shape (its weights are then replaced by the file's). */
function buildNetwork(network: MapNetwork): UNetMap {
  const { size, channels, noiseChannels, base } = network;
  return new UNetMap({ size, channels, noiseChannels, base });
}

/** Assigns a stage's tensors (a missing step counter keeps the fresh network's 0: nets' loadStateDict allows it), freeing the temporaries. */
function loadWeights(map: UNetMap, tensors: Record<string, SafetensorsTensor>): void {
  const state: StateDict = stateDictFromTensors(tensors);
  try {
    map.loadStateDict(state);
  } finally {
    disposeStateDict(state);
  }
}

function stageName(layout: MapFileLayout, i: number): string {
  return layout === 'stack' ? `stage ${i + 1}: ` : '';
}

function describeNetwork({ size, channels, noiseChannels, base }: MapNetwork): string {
  return `the UNet (size ${size}, channels ${channels}, noise channels ${noiseChannels}, base ${base})`;
}

function list(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => `"${n}"`).join(', ');
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `${typeof value} ${JSON.stringify(value)}`;
  return `an object with ${Object.keys(value).length ? `keys ${Object.keys(value).join(', ')}` : 'no keys'}`;
}
