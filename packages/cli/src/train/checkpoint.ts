import { existsSync, readFileSync } from 'node:fs';
import { type SolverProgress, type StateDict, stateDictPart, describeNonFinite, nonFinite } from '@not/ot-core';
import type { ImageSamplerState } from '@not/datasets';
import { type DecodedSafetensors, decodeSafetensors, encodeStateDict, stateDictFromTensors } from '@not/nets';
import { writeFileAtomic } from '../files/atomic-write';
import type { RunRecord } from '../files/run-identity';
import type { TrainConfig } from './train-config';

/**
 * The metadata key and value that mark a file as a `not train` checkpoint (and its layout version). Its `map.` part
 * loads as a map with loadTransportMap of @not/stacking, which also writes the run's T.safetensors.
 */
export const TRAIN_CHECKPOINT_FORMAT = 'not-train-checkpoint/1';
const FORMAT = TRAIN_CHECKPOINT_FORMAT;

/** Everything needed to resume a run bit for bit. `tensors` holds NeuralOT.stateDict() (`map.*`, `potential.*`, …). */
export interface Checkpoint {
  config: TrainConfig;
  progress: SolverProgress;
  samplers: { source: ImageSamplerState; target: ImageSamplerState };
  tensors: StateDict;
  /** What defines the run, for checking a resume (null: a checkpoint written before runs recorded it). */
  record: RunRecord | null;
}

/** Writes a resumable checkpoint atomically: one safetensors file, the run's state as JSON metadata. */
export async function writeCheckpoint(path: string, { config, progress, samplers, tensors, record }: Checkpoint): Promise<void> {
  writeFileAtomic(
    path,
    await encodeStateDict(tensors, {
      format: FORMAT,
      config: JSON.stringify(config),
      progress: JSON.stringify(progress),
      samplers: JSON.stringify(samplers),
      ...(record ? { identity: JSON.stringify(record.identity), adjustable: JSON.stringify(record.adjustable) } : {}),
    }),
  );
}

/** Reads a checkpoint written by {@link writeCheckpoint}; the caller owns (and disposes) its tensors. */
export function readCheckpoint(path: string): Checkpoint {
  const { tensors, metadata } = readRunFile(path, 'readCheckpoint');
  if (metadata.format !== FORMAT) {
    throw new Error(`readCheckpoint: ${path} is not a resumable \`not train\` checkpoint (format "${metadata.format ?? 'none'}", expected "${FORMAT}")`);
  }
  return {
    config: parseConfig(metadata.config, path),
    progress: parseJson(metadata.progress, path, 'progress'),
    samplers: parseJson(metadata.samplers, path, 'samplers'),
    tensors: stateDictFromTensors(tensors),
    record: withOlderDefaults(readRecord(metadata, path)),
  };
}

/** The RunRecord in a checkpoint's metadata, or null when it predates them. */
export function readRecord(metadata: Record<string, string>, path: string): RunRecord | null {
  if (metadata.identity === undefined) return null;
  return { identity: parseJson(metadata.identity, path, 'identity'), adjustable: parseJson(metadata.adjustable, path, 'adjustable') };
}

/** One network's weights in a checkpoint (`map` or `potential`); the caller owns the tensors. */
export function readCheckpointModule(path: string, module: 'map' | 'potential'): StateDict {
  const { tensors, metadata } = readRunFile(path, 'readCheckpointModule');
  if (metadata.format !== FORMAT) {
    throw new Error(`readCheckpointModule: ${path} is not a resumable \`not train\` checkpoint (format "${metadata.format ?? 'none'}", expected "${FORMAT}")`);
  }
  return moduleState(tensors, module);
}

/** A checkpoint holds everything: keep only one module's entries, without making tensors of the rest. */
function moduleState(tensors: DecodedSafetensors['tensors'], module: string): StateDict {
  return stateDictFromTensors(stateDictPart(tensors, module));
}

/** A safetensors file of ours, decoded; errors name `fn` and the path. */
export function readRunFile(path: string, fn: string): DecodedSafetensors {
  if (!existsSync(path)) throw new Error(`${fn}: ${path} does not exist`);
  let file: DecodedSafetensors;
  try {
    file = decodeSafetensors(new Uint8Array(readFileSync(path)));
  } catch (error) {
    throw new Error(`${fn}: ${path}: ${(error as Error).message}`);
  }
  // A run saved after its weights blew up would translate to blank images without a word.
  for (const [name, tensor] of Object.entries(file.tensors)) {
    const found = tensor.data instanceof Float32Array ? nonFinite(tensor.data) : null;
    if (found) throw new Error(`${fn}: ${path}: tensor "${name}" holds ${describeNonFinite(found, tensor.shape)}; the weights are unusable (a diverged run?)`);
  }
  return file;
}

/**
 * A run's configuration; runs written before `channels`, evaluation, β₁ and the map average existed saw 3 channels,
 * no evaluation, β₁ 0.9 and no average.
 */
export function parseConfig(text: string | undefined, path: string): TrainConfig {
  // Runs written before the one vocabulary called the batch size `batch`.
  const { batch, ...config } = parseJson<Partial<TrainConfig> & { batch?: number }>(text, path, 'config');
  return { ...OLDER_DEFAULTS, ...config, batchSize: config.batchSize ?? batch, channels: config.channels ?? 3, evalEvery: config.evalEvery ?? 0, evalMetric: config.evalMetric ?? 'fid' } as TrainConfig;
}

/** Settings added since runs first recorded their configuration, with the values those runs used. */
const OLDER_DEFAULTS = { beta1: 0.9, emaDecay: 0 } as const;

/** A record written before {@link OLDER_DEFAULTS} existed lacks them; the runs had those values. */
function withOlderDefaults(record: RunRecord | null): RunRecord | null {
  if (!record) return null;
  return { ...record, identity: { ...record.identity, settings: { ...OLDER_DEFAULTS, ...record.identity.settings } } };
}

export function parseJson<T>(text: string | undefined, path: string, key: string): T {
  try {
    if (text === undefined) throw new Error('missing');
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path}: metadata "${key}" is not valid JSON (${(error as Error).message})`);
  }
}
