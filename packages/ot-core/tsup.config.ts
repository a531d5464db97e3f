import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// Bundle tfjs-core's gradient registrations (they cannot load under Node's ESM resolver as published);
// tfjs-core itself stays external, and its registries are process-global, so both copies share them.
export default defineConfig(libraryConfig({ noExternal: [/^@tensorflow\/tfjs-core\/dist\//] }));
