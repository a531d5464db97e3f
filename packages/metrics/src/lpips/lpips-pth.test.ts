// Opt-in: the .pth path end to end with the recipe weights saved by PyTorch itself (the trunk as torchvision's
// zip-format file, with an extra classifier.* entry; the lin layers in the legacy format, as lpips' files are).
// Make them with `make-lpips-fixture.py --pth DIR` (VGG16's trunk is 59 MB, so they are not committed) and run with
// LPIPS_RECIPE_PTH_DIR=DIR.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { LPIPS_NETS } from './lpips-architecture';
import { loadLpips } from './load-lpips';
import { LPIPS_CASES } from './test-recipe';
import { caseTensors, expectClose, reference } from './test-fixture';

const dir = process.env.LPIPS_RECIPE_PTH_DIR;

describe.skipIf(!dir)('LPIPS from PyTorch-written .pth files (LPIPS_RECIPE_PTH_DIR)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const net of LPIPS_NETS) {
    it(`${net}: recipe-${net}-trunk.pth + recipe-${net}-lin.pth give the fixture's distances`, async () => {
      const trunkPath = join(dir!, `recipe-${net}-trunk.pth`);
      const linPath = join(dir!, `recipe-${net}-lin.pth`);
      expect(existsSync(trunkPath) && existsSync(linPath), `${trunkPath} and ${linPath}`).toBe(true);
      const before = tf.memory().numTensors;
      const metric = await loadLpips(net, { trunkPath, linPath, download: false });
      for (const c of LPIPS_CASES.keys()) {
        const { name, x, y } = caseTensors(c);
        const d = await metric.distance(x, y);
        expectClose(d, reference(`${name}.${net}.distance`), 1e-4, `${net} ${name}`);
        tf.dispose([d, x, y]);
      }
      metric.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
