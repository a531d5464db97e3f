import { existsSync } from 'node:fs';
import type { StackCheckpoint, StackRunState, StackStore } from '@not/stacking';
import { saveStateDict, stateDictFromTensors } from '@not/nets';
import { writeFileAtomic } from '../files/atomic-write';
import { parseJson, readRunFile } from '../train/checkpoint';
import type { StackConfig } from './stack-config';

const FORMAT = 'not-stack-checkpoint/1';

/** trainStack's checkpoints in one safetensors file, written atomically, with the run's configuration beside its state. */
export class StackCheckpointFile implements StackStore {
  constructor(
    readonly path: string,
    private readonly config: StackConfig,
  ) {}

  /** The configuration of the run checkpointed at `path`. */
  static readConfig(path: string): StackConfig {
    return parseJson<StackConfig>(StackCheckpointFile.read(path).metadata.config, path, 'config');
  }

  async load(): Promise<StackCheckpoint | null> {
    if (!existsSync(this.path)) return null;
    const { tensors, metadata } = StackCheckpointFile.read(this.path);
    return { tensors: stateDictFromTensors(tensors), state: parseJson<StackRunState>(metadata.state, this.path, 'state') };
  }

  async save({ tensors, state }: StackCheckpoint): Promise<void> {
    writeFileAtomic(this.path, saveStateDict(tensors, { format: FORMAT, config: JSON.stringify(this.config), state: JSON.stringify(state) }));
  }

  private static read(path: string) {
    const decoded = readRunFile(path, 'StackCheckpointFile');
    if (decoded.metadata.format !== FORMAT) {
      throw new Error(`StackCheckpointFile: ${path} is not a \`not stack\` checkpoint (format "${decoded.metadata.format ?? 'none'}", expected "${FORMAT}")`);
    }
    return decoded;
  }
}
