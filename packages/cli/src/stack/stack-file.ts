import type { Stack, StackStageOptions } from '@not/stacking';
import { saveTransportMap } from '@not/stacking/node';
import type { TrainConfig } from '../train/train-config';

/** The name of a stack run's selected stack in its directory. */
export const STACK_FILE = 'stack.safetensors';

/**
 * Writes a stack of `not train`-style maps atomically in @not/stacking's map file format, with each stage's network
 * and configuration, so that loadTransportMap (and `not translate`, `not eval`) rebuild it.
 */
export async function writeStackFile(path: string, configs: TrainConfig[], stack: Stack): Promise<void> {
  if (configs.length !== stack.stages.length) throw new Error(`writeStackFile: ${configs.length} configurations for ${stack.stages.length} stages`);
  await saveTransportMap(path, stack, { stages: configs.map(mapFileStage) });
}

/** A stage as the map file describes it: the UNet `not train` builds for the configuration (see createMap), its noise, the configuration. */
export function mapFileStage(config: TrainConfig): StackStageOptions {
  const network = { arch: 'unet' as const, size: config.size, channels: config.channels, noiseChannels: config.cost === 'weak' ? 1 : 0, base: config.base };
  return { network, noise: { std: config.noiseStd }, config };
}
