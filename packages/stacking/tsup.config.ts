import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// Two entries: the browser-safe main one, and ./node (files: loadTransportMap({ path }), saveTransportMap).
export default defineConfig(libraryConfig({ entry: ['src/index.ts', 'src/node.ts'] }));
