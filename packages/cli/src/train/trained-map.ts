import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TransportMap } from '@not/ot-core';
import { type LoadedTransportMap, loadTransportMap } from '@not/stacking/node';
import { STACK_FILE } from '../stack/stack-file';
import { parseConfig } from './checkpoint';
import type { TrainConfig } from './train-config';
import { RUN_FILES } from './train-run';

/** The file a saved map lives in: a stack run's stack, else a train run's map file, else its checkpoint; a file as given. */
export function mapPath(path: string): string {
  if (!(existsSync(path) && statSync(path).isDirectory())) return path;
  for (const name of [STACK_FILE, RUN_FILES.map]) if (existsSync(join(path, name))) return join(path, name);
  return join(path, RUN_FILES.checkpoint);
}

/** A map file loaded by @not/stacking, with the `not train` configuration of its last stage when it has one. */
export interface TrainedMap extends LoadedTransportMap {
  map: TransportMap & { dispose(): void };
  /** Image channels: the CLI's images have 1 or 3. */
  channels: 1 | 3;
  /** The configuration of the run that trained its last stage; undefined for a map file written by other code. */
  trainConfig: TrainConfig | undefined;
}

/**
 * A trained map, ready to apply: from a `not train` run (its directory, map file or checkpoint), a `not stack` run
 * (its directory or a stack file), or any map file of @not/stacking's format.
 */
export async function loadTrainedMap(path: string): Promise<TrainedMap> {
  const file = mapPath(path);
  if (!existsSync(file)) throw new Error(`loadTrainedMap: ${path} does not exist`);
  const loaded = await loadTransportMap({ path: file });
  const { channels } = loaded;
  if (channels !== 1 && channels !== 3) {
    loaded.map.dispose();
    throw new Error(`loadTrainedMap: ${file} holds a map of ${channels}-channel images; the CLI reads 1 (grayscale) or 3 (RGB)`);
  }
  // Runs written before `channels` and evaluation existed saw 3 channels and no evaluation.
  const trainConfig = loaded.config && 'source' in loaded.config ? parseConfig(JSON.stringify(loaded.config), file) : undefined;
  return { ...loaded, channels, trainConfig };
}

/** {@link loadTrainedMap} for callers that need the run's configuration (e.g. to train after it). */
export async function loadTrainedRunMap(path: string): Promise<{ config: TrainConfig; map: TransportMap & { dispose(): void } }> {
  const loaded = await loadTrainedMap(path);
  if (!loaded.trainConfig) {
    loaded.map.dispose();
    throw new Error(`loadTrainedMap: ${mapPath(path)} holds a map but not the \`not train\` configuration that trained it`);
  }
  return { config: loaded.trainConfig, map: loaded.map };
}
