// Opt-in: the real metric, with torchvision's trunk files (alexnet-owt-7be5be79.pth, vgg16-397923af.pth, which cannot
// be downloaded here) in LPIPS_REAL_WEIGHTS_DIR, and lpips' lin files from that folder (lpips-v0.1-<net>.pth) or
// fixtures/. When the folder also holds lpips-real-reference.json (written there by `make-lpips-fixture.py --real
// DIR`, which runs the lpips package with the same files), the distances must match it within 1e-4 relative;
// otherwise only properties that any correct LPIPS has are checked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { LPIPS_NETS } from './lpips-architecture';
import { LPIPS_LIN_FILES, LPIPS_TRUNK_FILES } from './lpips-files';
import { loadLpips } from './load-lpips';
import { LPIPS_CASES } from './test-recipe';
import { caseTensors, expectClose } from './test-fixture';

const dir = process.env.LPIPS_REAL_WEIGHTS_DIR;

describe.skipIf(!dir)('LPIPS with the released weights (LPIPS_REAL_WEIGHTS_DIR)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const net of LPIPS_NETS) {
    it(`${net}: ${LPIPS_TRUNK_FILES[net].file}`, async (ctx) => {
      ctx.skip(!existsSync(join(dir!, LPIPS_TRUNK_FILES[net].file)), `no ${LPIPS_TRUNK_FILES[net].file} in ${dir}`);
      const local = join(dir!, LPIPS_LIN_FILES[net].file);
      const linPath = existsSync(local) ? local : new URL(`../../fixtures/lpips-v0.1-${net}.pth`, import.meta.url).pathname;
      const referencePath = join(dir!, 'lpips-real-reference.json');
      const expected: Record<string, number[] | number[][]> | null = existsSync(referencePath) ? JSON.parse(readFileSync(referencePath, 'utf8')) : null;
      const metric = await loadLpips(net, { cacheDir: dir, linPath, download: false });
      const before = tf.memory().numTensors;
      for (const c of LPIPS_CASES.keys()) {
        const { name, x, y } = caseTensors(c);
        const d = await metric.distance(x, y);
        const same = await metric.distance(x, x);
        const values = Array.from(d.dataSync());
        console.log(`LPIPS ${net} ${name}: ${values.map((v) => v.toFixed(6)).join(', ')}`);
        expect(Array.from(same.dataSync()).every((v) => v === 0)).toBe(true);
        expect(values.every((v) => Number.isFinite(v) && v > 0 && v < 2)).toBe(true);
        if (expected) {
          const want = expected[`${name}.${net}.distance`] as number[];
          expectClose(d, { shape: [want.length], data: want }, 1e-4, `${net} ${name} vs lpips`);
          const layers = await metric.layerDistances(x, y);
          const wantLayers = expected[`${name}.${net}.layers`] as number[][];
          expectClose(layers, { shape: [wantLayers.length, 5], data: wantLayers.flat() }, 1e-4, `${net} ${name} layers vs lpips`);
          layers.dispose();
        }
        tf.dispose([d, same, x, y]);
      }
      // rgb64: image 0 is a noisy copy of x (noise 0.3), image 1 an unrelated image, which must be farther.
      const { x, y } = caseTensors(0);
      const d = await metric.distance(x, y);
      const [noisy, unrelated] = d.dataSync();
      expect(unrelated).toBeGreaterThan(noisy);
      tf.dispose([d, x, y]);
      expect(tf.memory().numTensors).toBe(before);
      metric.dispose();
    });
  }
});
