import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TransportMap } from '@not/ot-core';
import { STACK_FILE, isStackFile, readStackFile } from '../stack/stack-file';
import { readMapFile, readRunFile } from './checkpoint';
import type { TrainConfig } from './train-config';
import { RUN_FILES, createMap } from './train-run';

/** The file a saved map lives in: a stack run's stack, else a train run's map file, else its checkpoint; a file as given. */
export function mapPath(path: string): string {
  if (!(existsSync(path) && statSync(path).isDirectory())) return path;
  for (const name of [STACK_FILE, RUN_FILES.map]) if (existsSync(join(path, name))) return join(path, name);
  return join(path, RUN_FILES.checkpoint);
}

/**
 * A trained map, ready to apply: from a `not train` run (its directory, map file or checkpoint) or a `not stack` run
 * (its directory or a stack file), with the configuration of its last stage (image size, channels, noise).
 */
export function loadTrainedMap(path: string): { config: TrainConfig; map: TransportMap & { dispose(): void } } {
  const file = mapPath(path);
  const decoded = readRunFile(file, 'loadTrainedMap');
  if (isStackFile(decoded.metadata)) {
    const { configs, stack, dispose } = readStackFile(file, decoded);
    return { config: configs[configs.length - 1], map: Object.assign(stack, { dispose }) };
  }
  const { config, mapState } = readMapFile(file, decoded);
  const map = createMap(config);
  try {
    map.loadStateDict(mapState);
  } finally {
    tf.dispose(Object.values(mapState));
  }
  return { config, map };
}
