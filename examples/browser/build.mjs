// Bundles the pages into dist/: index.html + demo.js (translate with a trained map) and train.html + train.js (train
// one), tfjs with its webgpu, webgl and cpu backends and our packages inside; and writes the training data beside
// them: dist/data/images.json and one gzipped file per data spec, the embedded Fashion-MNIST subset's bags and shoes
// read by @not/datasets as `not train` reads them.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { openImageSource } from '@not/datasets/node';

const here = new URL('.', import.meta.url).pathname;
const SPECS = ['fashion-mnist:bag', 'fashion-mnist:shoes'];

mkdirSync(`${here}dist/data`, { recursive: true });
await build({
  entryPoints: { demo: `${here}src/demo.ts`, train: `${here}src/train-page.ts` },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  outdir: `${here}dist`,
  logLevel: 'warning',
});
for (const page of ['index.html', 'train.html']) copyFileSync(`${here}${page}`, `${here}dist/${page}`);

const manifest = {};
for (const spec of SPECS) {
  const source = await openImageSource(spec);
  const file = `${spec.replace(/[^a-z0-9]+/gi, '-')}.u8.gz`;
  const images = source.read(Array.from({ length: source.count }, (_, i) => i));
  writeFileSync(`${here}dist/data/${file}`, gzipSync(images, { level: 9 }));
  const { count, height, width, channels, resize } = source;
  manifest[spec] = { file, count, height, width, channels, resize };
  source.close();
}
writeFileSync(`${here}dist/data/images.json`, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`built ${here}dist (index.html, demo.js, train.html, train.js, data/: ${SPECS.join(', ')})`);
