// The evaluation networks on webgpu against cpu: FID's Inception, LPIPS and the Fashion-MNIST classifier, from the
// same weights. Skips with a note where no WebGPU adapter is found.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendReport, useBackend } from '@not/backends';
// cpu is registered by useBackend's loaders only when asked for: ask once, then switch by name.
await useBackend('cpu');
import { FidInceptionV3 } from './inception/fid-inception-v3';
import { recipeWeights } from './inception/test-recipe';
import { Lpips } from './lpips/lpips';
import { lpipsRecipeWeights } from './lpips/test-recipe';
import { loadFashionClassifier } from './fashion-classifier/load-fashion-classifier';

let report: BackendReport | undefined;
let skip: string | undefined;
try {
  report = await useBackend('webgpu');
} catch (error) {
  skip = `webgpu metrics tests skipped: ${(error as Error).message}`;
  console.warn(skip);
}

/** Images as plain data, the same on every backend. */
function images(shape: [number, number, number, number], seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  });
}

/** `f` on the active backend with fresh tensors of the given images; its output read with `await data()`. */
async function on(f: (...x: tf.Tensor4D[]) => tf.Tensor | Promise<tf.Tensor>, ...inputs: [Float32Array, [number, number, number, number]][]) {
  const xs = inputs.map(([data, shape]) => tf.tensor4d(data, shape));
  const out = await f(...xs);
  const values = Array.from(await out.data());
  tf.dispose([...xs, out]);
  return values;
}

function expectClose(gpu: number[], cpu: number[], tolerance: number): void {
  const scale = Math.max(...cpu.map(Math.abs), 1e-6);
  const worst = Math.max(...cpu.map((v, i) => Math.abs(gpu[i] - v)));
  expect(worst / scale).toBeLessThan(tolerance);
}

describe.skipIf(skip !== undefined)('evaluation networks on webgpu', () => {
  afterAll(() => report?.release());

  it("FID's Inception features (2048-d, 2 images 75×75) match cpu", async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const net = FidInceptionV3.fromWeights(recipeWeights());
      const values = await on((x) => net.features(x), [images([2, 75, 75, 3], 1), [2, 75, 75, 3]]);
      net.dispose();
      return values;
    };
    const cpu = await run('cpu');
    expectClose(await run('webgpu'), cpu, 1e-4);
  }, 120_000);

  it('LPIPS distances (alex and vgg) match cpu', async () => {
    for (const net of ['alex', 'vgg'] as const) {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const metric = Lpips.fromWeights(net, lpipsRecipeWeights(net));
        const shape: [number, number, number, number] = [2, 32, 32, 3];
        const values = await on((x, y) => metric.distance(x, y), [images(shape, 2), shape], [images(shape, 3), shape]);
        metric.dispose();
        return values;
      };
      const cpu = await run('cpu');
      expectClose(await run('webgpu'), cpu, 1e-4);
    }
  }, 120_000);

  it("the Fashion-MNIST classifier's features and logits match cpu", async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const classifier = await loadFashionClassifier();
      const shape: [number, number, number, number] = [4, 32, 32, 1];
      const features = await on((x) => classifier.features(x), [images(shape, 4), shape]);
      const logits = await on((x) => classifier.logits(x), [images(shape, 4), shape]);
      classifier.dispose();
      return [...features, ...logits];
    };
    const cpu = await run('cpu');
    expectClose(await run('webgpu'), cpu, 1e-4);
  }, 120_000);
});
