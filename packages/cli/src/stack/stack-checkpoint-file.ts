import { existsSync } from 'node:fs';
import type { StackCheckpoint, StackRunState, StackStore } from '@not/stacking';
import { encodeStateDict, stateDictFromTensors } from '@not/nets';
import { writeFileAtomic } from '../files/atomic-write';
import { parseJson, readRunFile } from '../train/checkpoint';
import type { StackConfig } from './stack-config';
import type { StackRunRecord } from './stack-identity';

export const STACK_CHECKPOINT_FORMAT = 'not-stack-checkpoint/1';
const FORMAT = STACK_CHECKPOINT_FORMAT;

/**
 * trainStack's checkpoints in one safetensors file, written atomically, with the run's configuration and record (what
 * defines it: trainStack's runIdentity; what may change on resume; the flags it was made from) beside its state.
 */
export class StackCheckpointFile implements StackStore {
  constructor(
    readonly path: string,
    private readonly config: StackConfig,
    private readonly record: StackRunRecord | null = null,
  ) {}

  /** The configuration of the run checkpointed at `path`. */
  static readConfig(path: string): StackConfig {
    return StackCheckpointFile.readRun(path).config;
  }

  /** The configuration, record (null when the checkpoint predates records) and position of the run checkpointed at `path`. */
  static readRun(path: string): { config: StackConfig; record: StackRunRecord | null; state: StackRunState } {
    const { metadata } = StackCheckpointFile.read(path);
    const record: StackRunRecord | null =
      metadata.identity === undefined
        ? null
        : { identity: parseJson(metadata.identity, path, 'identity'), adjustable: parseJson(metadata.adjustable, path, 'adjustable'), flags: parseJson(metadata.flags, path, 'flags') };
    return { config: parseJson<StackConfig>(metadata.config, path, 'config'), record, state: parseJson<StackRunState>(metadata.state, path, 'state') };
  }

  async load(): Promise<StackCheckpoint | null> {
    if (!existsSync(this.path)) return null;
    const { tensors, metadata } = StackCheckpointFile.read(this.path);
    return { tensors: stateDictFromTensors(tensors), state: parseJson<StackRunState>(metadata.state, this.path, 'state') };
  }

  async save({ tensors, state }: StackCheckpoint): Promise<void> {
    const { identity } = state;
    const record: Record<string, string> = this.record ? { adjustable: JSON.stringify(this.record.adjustable), flags: JSON.stringify(this.record.flags) } : {};
    writeFileAtomic(
      this.path,
      await encodeStateDict(tensors, {
        format: FORMAT,
        config: JSON.stringify(this.config),
        state: JSON.stringify(state),
        ...(identity !== undefined ? { identity: JSON.stringify(identity), ...record } : {}),
      }),
    );
  }

  private static read(path: string) {
    const decoded = readRunFile(path, 'StackCheckpointFile');
    if (decoded.metadata.format !== FORMAT) {
      throw new Error(`StackCheckpointFile: ${path} is not a \`not stack\` checkpoint (format "${decoded.metadata.format ?? 'none'}", expected "${FORMAT}")`);
    }
    return decoded;
  }
}
