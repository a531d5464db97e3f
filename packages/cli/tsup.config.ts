import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

export default defineConfig(libraryConfig({ entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'run-child': 'src/sweep/run-child.ts', 'train-setup': 'src/train-setup.ts' } }));
