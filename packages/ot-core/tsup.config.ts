import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// Bundle tfjs-core's gradient registrations (they cannot load under Node's ESM resolver as published);
// tfjs-core itself stays external, and its registries are process-global, so both copies share them.
// ./testing is a second entry (test helpers and the fused Adam kernel's name), out of the main one.
export default defineConfig(libraryConfig({ entry: ['src/index.ts', 'src/testing/index.ts'], noExternal: [/^@tensorflow\/tfjs-core\/dist\//] }));
