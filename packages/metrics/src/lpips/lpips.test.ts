// LPIPS against the lpips package's own PyTorch code (fixtures/lpips-fixture.safetensors, made by
// fixtures/make-lpips-fixture.py) with the recipe weights of test-recipe.ts, on the wasm backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { LPIPS_CASES, lpipsRecipeImages, lpipsRecipeWeights } from './test-recipe';
import { Lpips } from './lpips';
import { LPIPS_NETS, lpipsMinSize, lpipsWeightShapes, type LpipsNet } from './lpips-architecture';
import { readLpipsWeightFiles } from './lpips-files';
import type { LpipsWeights } from './lpips-weights';
import { normalizeChannels } from './normalize-channels';
import { perImageL2 } from './per-image-l2';
import { LIN_READER_NOTE, caseTensors, expectClose, fixtureBytes, lpipsFixture, readsReleasedLinFiles, reference } from './test-fixture';

const TOLERANCE = 1e-4;
/** A tensor's values; the tensor is disposed. */
const take = (t: tf.Tensor) => {
  const v = t.dataSync();
  t.dispose();
  return v;
};
const metrics = {} as Record<LpipsNet, Lpips>;
const worst: Record<string, number> = {};
let alexRecipe: ReturnType<typeof lpipsRecipeWeights>;

beforeAll(async () => {
  await useBackend('wasm');
  alexRecipe = lpipsRecipeWeights('alex');
  metrics.alex = Lpips.fromWeights('alex', alexRecipe);
  metrics.vgg = Lpips.fromWeights('vgg', lpipsRecipeWeights('vgg'));
});
afterAll(() => {
  for (const net of LPIPS_NETS) metrics[net]?.dispose();
  console.log('LPIPS parity, largest relative error:', JSON.stringify(worst));
});

describe('Lpips parity with the lpips package (recipe weights, wasm)', () => {
  it('the recipe reproduces the fixture: keys in order, and the first image values', () => {
    for (const net of LPIPS_NETS) expect(JSON.parse(lpipsFixture.metadata[`keys.${net}`])).toEqual(lpipsWeightShapes(net).map(([k]) => k));
    LPIPS_CASES.forEach(([name], c) => {
      const { x, y } = lpipsRecipeImages(c);
      expect(Array.from(x.subarray(0, 16))).toEqual(Array.from(reference(`${name}.x_head`).data));
      expect(Array.from(y.subarray(0, 16))).toEqual(Array.from(reference(`${name}.y_head`).data));
    });
  });

  for (const net of LPIPS_NETS) {
    it(`${net}: distances and per-layer terms within ${TOLERANCE} relative`, async () => {
      for (const c of LPIPS_CASES.keys()) {
        const { name, x, y } = caseTensors(c);
        const before = tf.memory().numTensors;
        const d = await metrics[net].distance(x, y);
        const layers = await metrics[net].layerDistances(x, y);
        worst[`${net}.${name}`] = Math.max(
          expectClose(d, reference(`${name}.${net}.distance`), TOLERANCE, `${net} ${name} distance`),
          expectClose(layers, reference(`${name}.${net}.layers`), TOLERANCE, `${net} ${name} layers`),
        );
        tf.dispose([d, layers]);
        expect(tf.memory().numTensors, `${net} ${name} leaks`).toBe(before);
        tf.dispose([x, y]);
      }
    });

    it(`${net}: the released v0.1 lin weights (fixtures/lpips-v0.1-${net}.pth, read from the .pth) on the recipe trunk`, async (ctx) => {
      ctx.skip(!readsReleasedLinFiles(), LIN_READER_NOTE);
      const lin = readLpipsWeightFiles(fixtureBytes(`lpips-v0.1-${net}.pth`));
      expect(Object.keys(lin)).toEqual([0, 1, 2, 3, 4].map((l) => `lin${l}.model.1.weight`));
      const trunk = Object.fromEntries(Object.entries(net === 'alex' ? alexRecipe : lpipsRecipeWeights(net)).filter(([k]) => k.startsWith('features.')));
      const metric = Lpips.fromWeights(net, { ...trunk, ...lin });
      for (const c of LPIPS_CASES.keys()) {
        const { name, x, y } = caseTensors(c);
        const d = await metric.distance(x, y);
        worst[`${net}.${name}.real_lin`] = expectClose(d, reference(`${name}.${net}.real_lin.distance`), TOLERANCE, `${net} ${name} real lin`);
        tf.dispose([d, x, y]);
      }
      metric.dispose();
    });
  }
});

describe('Lpips closed-form properties', () => {
  it('distance(x, x) = 0, symmetry, gray = its RGB copy, batching does not change values', async () => {
    const { x, y } = caseTensors(0);
    const gray = caseTensors(2);
    const before = tf.memory().numTensors;
    for (const net of LPIPS_NETS) {
      const m = metrics[net];
      const same = await m.distance(x, x);
      expect(Array.from(same.dataSync())).toEqual([0, 0]);
      const xy = take(await m.distance(x, y));
      const yx = take(await m.distance(y, x));
      for (let i = 0; i < 2; i++) expect(Math.abs(xy[i] - yx[i]) / xy[i]).toBeLessThan(1e-6);

      const tiled = [gray.x, gray.y].map((t) => tf.tile(t, [1, 1, 1, 3]) as tf.Tensor4D);
      const rgb = await m.distance(tiled[0], tiled[1]);
      tf.dispose(tiled);
      const g = await m.distance(gray.x, gray.y);
      expect(Math.abs(g.dataSync()[0] - rgb.dataSync()[0]) / rgb.dataSync()[0]).toBeLessThan(1e-6);

      const none = tf.zeros([0, 40, 40, 3]) as tf.Tensor4D;
      const empty = await m.distance(none, none);
      none.dispose();
      expect(empty.shape).toEqual([0]);
      tf.dispose([same, rgb, g, empty]);
    }
    // Chunks of one pair give the same values as one pass (the code path is the same for both nets).
    const one = Lpips.fromWeights('alex', alexRecipe, { batchSize: 1 });
    const chunked = await one.layerDistances(x, y);
    const whole = await metrics.alex.layerDistances(x, y);
    expectClose(chunked, { shape: whole.shape, data: whole.dataSync() }, 1e-6, 'batchSize 1');
    one.dispose();
    tf.dispose([chunked, whole]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, gray.x, gray.y]);
  });

  it('normalizeChannels gives unit vectors, and 0 (not NaN) where all features are 0', () => {
    const f = tf.tensor4d([3, 4, 0, 0, 0, 0], [1, 1, 2, 3]);
    const n = normalizeChannels(f);
    expect(Array.from(n.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.6, 0.8, 0, 0, 0, 0]);
    tf.dispose([f, n]);
  });

  it('minimum sizes: alex 31, vgg 16; one less is refused, the minimum works', async () => {
    expect(lpipsMinSize('alex')).toBe(31);
    expect(lpipsMinSize('vgg')).toBe(16);
    for (const net of LPIPS_NETS) {
      const s = lpipsMinSize(net);
      const [a, b] = [tf.zeros([1, s, s + 3, 3]), tf.ones([1, s, s + 3, 3])] as tf.Tensor4D[];
      const d = await metrics[net].distance(a, b);
      const ok = d.dataSync()[0];
      expect(Number.isFinite(ok) && ok > 0).toBe(true);
      const small = tf.zeros([1, s - 1, 64, 3]) as tf.Tensor4D;
      await expect(metrics[net].distance(small, small)).rejects.toThrow(
        new RegExp(`Lpips\\.distance: images must be at least ${s}×${s} for '${net}', got ${s - 1}×64`),
      );
      tf.dispose([a, b, d, small]);
    }
  });

  it('perImageL2 is the mean squared difference per image', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 0, 0, 0, 0], [2, 1, 2, 2]);
    const y = tf.tensor4d([1, 2, 3, 6, 1, 1, 1, 1], [2, 1, 2, 2]);
    const d = perImageL2(x, y);
    expect(Array.from(d.dataSync())).toEqual([1, 1]);
    expect(() => perImageL2(x, tf.zeros([2, 1, 2, 1]) as tf.Tensor4D)).toThrow(/perImageL2: x and y must have the same shape, got \[2,1,2,2\] and \[2,1,2,1\]/);
    tf.dispose([x, y, d]);
  });
});

describe('Lpips input and weight errors', () => {
  it('rejects bad images, naming the method and argument', async () => {
    const m = metrics.alex;
    const before = tf.memory().numTensors;
    const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => m.distance(x, tf.zeros([1, 32, 32, 3]) as tf.Tensor4D), /Lpips\.distance: x and y must have the same shape, got \[2,32,32,3\] and \[1,32,32,3\]/],
      [() => m.distance(tf.zeros([2, 32, 32, 2]) as tf.Tensor4D, tf.zeros([2, 32, 32, 2]) as tf.Tensor4D), /images must have 1 \(gray\) or 3 \(RGB\) channels, got 2/],
      [() => m.layerDistances(tf.zeros([1, 32, 32, 4]) as tf.Tensor4D, tf.zeros([1, 32, 32, 4]) as tf.Tensor4D), /Lpips\.layerDistances: images must have 1 \(gray\) or 3 \(RGB\) channels, got 4/],
      [() => m.distance(tf.zeros([32, 32, 3]) as unknown as tf.Tensor4D, x), /Lpips\.distance: x must be a tensor of shape \[n, H, W, 1 \| 3\], got \[32,32,3\]/],
      [() => m.distance(x, tf.zeros([2, 32, 32, 3], 'int32') as tf.Tensor4D), /y must be float32 images in \[-1, 1\], got dtype int32/],
      [() => m.distance(x, tf.tensor4d(new Float32Array(2 * 32 * 32 * 3).fill(NaN, 100, 101), [2, 32, 32, 3])), /Lpips\.distance: y holds NaN or infinite values/],
      [() => m.distance(tf.tensor4d(new Float32Array(2 * 32 * 32 * 3).fill(Infinity, 5, 6), [2, 32, 32, 3]), x), /Lpips\.distance: x holds NaN or infinite values/],
    ];
    for (const [f, message] of cases) {
      // A scope frees the bad inputs each case makes, as a tidy would (a tidy cannot wait for the rejection).
      tf.engine().startScope();
      try {
        await expect(f()).rejects.toThrow(message);
      } finally {
        tf.engine().endScope();
      }
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const gone = Lpips.fromWeights('alex', alexRecipe);
    gone.dispose();
    const one = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(gone.distance(one, one)).rejects.toThrow(/Lpips\.distance: the metric is disposed/);
    one.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the first missing, mis-shaped, corrupt or unexpected key', () => {
    const before = tf.memory().numTensors;
    // Fresh records sharing the recipe's arrays; entries that a case changes are replaced, not mutated.
    const alex = () => ({ ...alexRecipe });
    const changed = (key: string, index: number, value: number) => {
      const w = alex();
      const data = w[key].data.slice();
      data[index] = value;
      w[key] = { shape: w[key].shape, data };
      return w;
    };
    const without = (key: string) => Object.fromEntries(Object.entries(alex()).filter(([k]) => k !== key));
    expect(() => Lpips.fromWeights('vgg', alex())).toThrow(/Lpips: the 'vgg' weights have no "features\.2\.weight" \(expected shape \[64,64,3,3\], from torchvision's vgg16-397923af\.pth \(trunk\)\); 22 of 31/);
    const shape = alex();
    shape['features.0.weight'] = { shape: [64, 3, 3, 3], data: new Float32Array(64 * 27) };
    expect(() => Lpips.fromWeights('alex', shape)).toThrow(/Lpips: "features\.0\.weight" has shape \[64,3,3,3\], expected \[64,3,11,11\] for 'alex'/);
    expect(() => Lpips.fromWeights('squeeze' as LpipsNet, alex())).toThrow(/Lpips: net must be one of 'alex', 'vgg', got "squeeze"/);
    expect(() => Lpips.fromWeights('alex', without('features.6.bias'))).toThrow(
      /Lpips: the 'alex' weights have no "features\.6\.bias" \(expected shape \[384\], from torchvision's alexnet-owt-7be5be79\.pth \(trunk\)\); 1 of 15 expected keys are missing/,
    );
    const trunkOnly = Object.fromEntries(Object.entries(alex()).filter(([k]) => k.startsWith('features.')));
    expect(() => Lpips.fromWeights('alex', trunkOnly)).toThrow(/no "lin0\.model\.1\.weight" \(expected shape \[1,64,1,1\], from lpips' weights\/v0\.1\/alex\.pth \(lin layers\)\); 5 of 15/);
    const prefixed = Object.fromEntries(Object.entries(alex()).map(([k, v]) => [`module.${k}`, v]));
    expect(() => Lpips.fromWeights('alex', prefixed)).toThrow(/the weights have "module\.features\.0\.weight": strip its prefix "module\."/);
    const w = alex();
    w['lin2.model.1.weight'] = { shape: [1, 384], data: new Float32Array(384) };
    expect(() => Lpips.fromWeights('alex', w)).toThrow(/Lpips: "lin2\.model\.1\.weight" has shape \[1,384\], expected \[1,384,1,1\] for 'alex'/);
    expect(() => Lpips.fromWeights('alex', changed('lin1.model.1.weight', 7, -0.5))).toThrow(/"lin1\.model\.1\.weight" holds the negative weight -0\.5 at index 7; LPIPS lin weights are >= 0/);
    expect(() => Lpips.fromWeights('alex', changed('features.8.weight', 3, NaN))).toThrow(/"features\.8\.weight" holds NaN at index 3; the weights are corrupt/);
    const ints: LpipsWeights = { ...alex(), 'features.0.bias': { shape: [64], data: new Int32Array(64) } };
    expect(() => Lpips.fromWeights('alex', ints)).toThrow(/"features\.0\.bias" must hold floats, got Int32Array/);
    expect(() => Lpips.fromWeights('alex', { ...alex(), 'lin5.model.1.weight': { shape: [1, 512, 1, 1], data: new Float32Array(512) } })).toThrow(
      /unexpected key "lin5\.model\.1\.weight" in the 'alex' weights/,
    );
    const scaling = { ...alex(), 'scaling_layer.shift': { shape: [1, 3, 1, 1], data: new Float32Array([0, 0, 0]) } };
    expect(() => Lpips.fromWeights('alex', scaling)).toThrow(/"scaling_layer\.shift" is \[0,0,0\], expected LPIPS v0\.1's \[-0\.03,-0\.088,-0\.188\]/);
    expect(() => Lpips.fromWeights('alex', alex(), { batchSize: 0 })).toThrow(/Lpips: batchSize must be a positive integer, got 0/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("takes an lpips.LPIPS module's own state dict (net.slice*, lin*, lins.*, scaling_layer.*) and torchvision's classifier.*", async () => {
    const sliceOf = (index: number) => (index < 2 ? 1 : index < 5 ? 2 : index < 8 ? 3 : index < 10 ? 4 : 5);
    const module: Record<string, { shape: number[]; data: Float32Array }> = {
      'scaling_layer.shift': { shape: [1, 3, 1, 1], data: new Float32Array([-0.03, -0.088, -0.188]) },
      'scaling_layer.scale': { shape: [1, 3, 1, 1], data: new Float32Array([0.458, 0.448, 0.45]) },
      'classifier.1.bias': { shape: [4], data: new Float32Array(4) },
    };
    for (const [key, value] of Object.entries(alexRecipe)) {
      const feature = /^features\.(\d+)\.(.*)$/.exec(key);
      if (feature) module[`net.slice${sliceOf(+feature[1])}.${feature[1]}.${feature[2]}`] = value;
      else {
        module[key] = value;
        module[key.replace(/^lin(\d)/, 'lins.$1')] = value;
      }
    }
    const m = Lpips.fromWeights('alex', module);
    const { name, x, y } = caseTensors(1);
    const d = await m.distance(x, y);
    expectClose(d, reference(`${name}.alex.distance`), TOLERANCE, 'module state dict');
    tf.dispose([d, x, y]);
    m.dispose();
  });
});
