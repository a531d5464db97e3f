// Bundles the page into dist/: index.html and demo.js (tfjs with its webgl and cpu backends, @not/nets, @not/ot-core).
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
mkdirSync(`${here}dist`, { recursive: true });
await build({
  entryPoints: [`${here}src/demo.ts`],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  outfile: `${here}dist/demo.js`,
  logLevel: 'warning',
});
copyFileSync(`${here}index.html`, `${here}dist/index.html`);
console.log(`built ${here}dist (index.html, demo.js)`);
