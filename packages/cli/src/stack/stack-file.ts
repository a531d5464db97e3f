import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@not/ot-core';
import { type DecodedSafetensors, saveStateDict, stateDictFromTensors } from '@not/nets';
import { Stack } from '@not/stacking';
import { writeFileAtomic } from '../files/atomic-write';
import { parseConfig, parseJson, readRunFile } from '../train/checkpoint';
import { createMap } from '../train/train-run';
import type { TrainConfig } from '../train/train-config';

/** The metadata format of a saved stack: its stages' weights under `stages.<i>.`, their configurations as JSON. */
export const STACK_FORMAT = 'not-stack/1';

/** The name of a stack run's selected stack in its directory. */
export const STACK_FILE = 'stack.safetensors';

/** Writes a stack of `not train`-style maps atomically, with each stage's configuration so it can be rebuilt. */
export function writeStackFile(path: string, configs: TrainConfig[], stack: Stack): void {
  if (configs.length !== stack.stages.length) throw new Error(`writeStackFile: ${configs.length} configurations for ${stack.stages.length} stages`);
  writeFileAtomic(path, saveStateDict(stack.stateDict(), { format: STACK_FORMAT, stages: JSON.stringify(configs) }));
}

/** Whether a safetensors file's metadata marks a saved stack. */
export function isStackFile(metadata: Record<string, string>): boolean {
  return metadata.format === STACK_FORMAT;
}

/** A saved stack, rebuilt: one map per stage from its configuration, weights loaded, composed (the caller disposes). */
export function readStackFile(path: string, file: DecodedSafetensors = readRunFile(path, 'readStackFile')): { configs: TrainConfig[]; stack: Stack; dispose: () => void } {
  const { tensors, metadata } = file;
  if (!isStackFile(metadata)) throw new Error(`readStackFile: ${path} holds no stack written by \`not stack\` (format "${metadata.format ?? 'none'}")`);
  const configs = parseJson<unknown[]>(metadata.stages, path, 'stages').map((c) => parseConfig(JSON.stringify(c), path));
  const state: StateDict = stateDictFromTensors(tensors);
  const maps = configs.map((config) => createMap(config));
  try {
    const stack = new Stack(maps);
    stack.loadStateDict(state);
    return { configs, stack, dispose: () => maps.forEach((m) => m.dispose()) };
  } catch (error) {
    maps.forEach((m) => m.dispose());
    throw new Error(`readStackFile: ${path}: ${(error as Error).message}`);
  } finally {
    tf.dispose(Object.values(state));
  }
}
