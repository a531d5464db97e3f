// tfjs-backend-webgpu against the cpu backend, forward and backward, for every kernel our networks train with, on
// random shapes. Runs on any WebGPU adapter (CI: Mesa's lavapipe); skips with a note where there is none.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { pick, randomInt, seededRandom } from './test-helpers';
import { parity, randomInput, resizeAlignCornersByMatMul, startWebGpu, type Input } from './webgpu-test-helpers';

const { report, skip } = await startWebGpu();

/** float32 with sums of up to a few hundred terms, in another order than cpu's. */
const TOLERANCE = 1e-4;

type Case = { name: string; f: (...xs: tf.Tensor[]) => tf.Tensor; inputs: Input[]; reference?: (...xs: tf.Tensor[]) => tf.Tensor };

/** Runs each case, checks forward and gradients, and names the worst one in the failure message. */
async function check(cases: Case[], seed: number): Promise<number> {
  let worst = 0;
  for (const [i, c] of cases.entries()) {
    const { error, errors } = await parity(c.f, c.inputs, seed + i, c.reference);
    worst = Math.max(worst, error);
    expect(error, `${c.name}: relative errors (output, then each gradient) ${errors.map((e) => e.toExponential(1)).join(', ')}`).toBeLessThan(TOLERANCE);
  }
  return worst;
}

const nhwc = (rand: () => number, maxSide = 9, maxC = 5) => [randomInt(rand, 1, 3), randomInt(rand, 2, maxSide), randomInt(rand, 2, maxSide), randomInt(rand, 1, maxC)];

describe.skipIf(skip !== undefined)('webgpu matches cpu (forward and gradients)', () => {
  afterAll(() => report?.release());

  it('reports its adapter', () => {
    expect(report!.name).toBe('webgpu');
    expect(report!.tfBackend).toBe('webgpu');
    expect(typeof report!.adapter!.software).toBe('boolean');
    console.log(`webgpu adapter: ${report!.detail}`);
  });

  it('conv2d and its input and filter gradients: 1×1, 3×3, stride 1 and 2, same / valid / explicit pads', async () => {
    const rand = seededRandom(1);
    const cases: Case[] = [];
    for (let n = 0; n < 12; n++) {
      const [b, h, w, ci] = nhwc(rand);
      const k = n < 3 ? 1 : pick(rand, [1, 2, 3]);
      const co = randomInt(rand, 1, 6);
      const stride = pick(rand, [1, 1, 2]);
      const pad = pick(rand, ['same', 'valid', 'explicit'] as const);
      const p = randomInt(rand, 0, 2);
      const padding = pad === 'explicit' ? ([[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding) : pad;
      if (pad === 'valid' && (h < k || w < k)) continue;
      cases.push({
        name: `conv2d x [${b},${h},${w},${ci}] filter ${k}×${k}×${ci}×${co} stride ${stride} pad ${JSON.stringify(padding)}`,
        f: (x, filter) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, padding),
        inputs: [randomInput(rand, [b, h, w, ci]), randomInput(rand, [k, k, ci, co])],
      });
    }
    // Channels in fours and larger images take tfjs-webgpu's vectorised matrix-multiply convolution programs.
    for (let n = 0; n < 4; n++) {
      const [b, h, w, ci, co] = [randomInt(rand, 1, 2), randomInt(rand, 8, 16), randomInt(rand, 8, 16), pick(rand, [4, 8]), pick(rand, [4, 8])];
      const k = n === 0 ? 1 : 3;
      cases.push({
        name: `conv2d x [${b},${h},${w},${ci}] filter ${k}×${k}×${ci}×${co} same`,
        f: (x, filter) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'),
        inputs: [randomInput(rand, [b, h, w, ci]), randomInput(rand, [k, k, ci, co])],
      });
    }
    console.log(`conv2d: worst relative error ${(await check(cases, 100)).toExponential(2)}`);
  });

  it('fused conv2d (bias, relu / linear) and its gradients', async () => {
    const rand = seededRandom(2);
    const cases: Case[] = [];
    for (let n = 0; n < 6; n++) {
      const [b, h, w, ci] = nhwc(rand);
      const k = pick(rand, [1, 3]);
      const co = randomInt(rand, 1, 6);
      const activation = pick(rand, ['relu', 'linear'] as const);
      cases.push({
        name: `fused conv2d [${b},${h},${w},${ci}] ${k}×${k}→${co} ${activation}`,
        f: (x, filter, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, bias, strides: 1, pad: 'same', activation }),
        inputs: [randomInput(rand, [b, h, w, ci]), randomInput(rand, [k, k, ci, co]), randomInput(rand, [co])],
      });
    }
    await check(cases, 200);
  });

  it('depthwise conv2d and its gradients', async () => {
    const rand = seededRandom(3);
    const cases: Case[] = [];
    for (let n = 0; n < 4; n++) {
      const [b, h, w, c] = nhwc(rand);
      const k = pick(rand, [1, 3]);
      const m = randomInt(rand, 1, 2);
      cases.push({
        name: `depthwise [${b},${h},${w},${c}] ${k}×${k}×${m}`,
        f: (x, filter) => tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'),
        inputs: [randomInput(rand, [b, h, w, c]), randomInput(rand, [k, k, c, m])],
      });
    }
    await check(cases, 300);
  });

  it('max pool and its gradient, windows with a maximum ≤ 0 included', async () => {
    const rand = seededRandom(4);
    const cases: Case[] = [];
    for (let n = 0; n < 10; n++) {
      const shape = nhwc(rand);
      const k = n < 4 ? 2 : randomInt(rand, 1, 3);
      const s = n < 4 ? 2 : randomInt(rand, 1, 2);
      if (shape[1] < k || shape[2] < k) continue;
      cases.push({
        name: `maxPool [${shape}] ${k} stride ${s}`,
        f: (x) => tf.maxPool(x as tf.Tensor4D, k, s, 'valid'),
        // Values on a grid of 1/64 would tie; random floats do not, so both backends pick the same maximum.
        inputs: [randomInput(rand, shape, n % 2 ? -2 : 0)],
      });
    }
    await check(cases, 400);
  });

  it('avg pool (3×3 stride 2 after a zero pad of 1, as in the ResNet; and same / valid) and its gradient', async () => {
    const rand = seededRandom(5);
    const cases: Case[] = [];
    for (let n = 0; n < 8; n++) {
      const shape = nhwc(rand, 12);
      if (n < 4) {
        cases.push({
          name: `avgPool3x3s2 [${shape}]`,
          f: (x) => tf.avgPool(tf.pad(x as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid'),
          inputs: [randomInput(rand, shape)],
        });
      } else {
        const k = randomInt(rand, 1, 3);
        const s = randomInt(rand, 1, 2);
        const pad = shape[1] < k || shape[2] < k ? 'same' : pick(rand, ['same', 'valid'] as const);
        cases.push({ name: `avgPool [${shape}] ${k} stride ${s} ${pad}`, f: (x) => tf.avgPool(x as tf.Tensor4D, k, s, pad), inputs: [randomInput(rand, shape)] });
      }
    }
    await check(cases, 500);
  });

  it('bilinear resize with align_corners (the UNet upsampling: 2×, from 1×1 and 1×n, and other sizes) and its gradient (ResizeBilinearGrad replaced)', async () => {
    const rand = seededRandom(6);
    const cases: Case[] = [];
    for (let n = 0; n < 10; n++) {
      const shape = nhwc(rand, 8);
      // A side of 1 (the UNet's 1×1 bottleneck at 16×16): tfjs-webgpu 4.22's own gradient is zero there (replaced).
      if (n >= 6) shape[n % 2 ? 1 : 2] = 1;
      if (n === 9) shape[1] = 1;
      const size: [number, number] = n < 4 || n >= 6 ? [2 * shape[1], 2 * shape[2]] : [randomInt(rand, 2, 13), randomInt(rand, 2, 13)];
      cases.push({
        name: `resizeBilinear [${shape}] → ${size} alignCorners`,
        f: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, size, true),
        // cpu's own gradient swaps height and width on non-square images: compare with matrix products instead.
        reference: (x) => resizeAlignCornersByMatMul(x as tf.Tensor4D, size),
        inputs: [randomInput(rand, shape)],
      });
    }
    await check(cases, 600);
  });

  it('batch norm written with moments (training mode, then relu), leaky relu, relu', async () => {
    const rand = seededRandom(7);
    const cases: Case[] = [];
    for (let n = 0; n < 4; n++) {
      const shape = nhwc(rand, 9, 8);
      const c = shape[3];
      cases.push({
        name: `batch norm [${shape}]`,
        f: (x, gamma, beta) =>
          tf.relu(
            tf.tidy(() => {
              const { mean, variance } = tf.moments(x, [0, 1, 2]);
              return tf.add(tf.mul(tf.sub(x, mean), tf.mul(tf.rsqrt(tf.add(variance, 1e-5)), gamma)), beta);
            }),
          ),
        inputs: [randomInput(rand, shape, 0.3), randomInput(rand, [c]), randomInput(rand, [c])],
      });
      cases.push({ name: `leakyRelu 0.2 [${shape}]`, f: (x) => tf.leakyRelu(x, 0.2), inputs: [randomInput(rand, shape)] });
      cases.push({ name: `relu [${shape}]`, f: (x) => tf.relu(x), inputs: [randomInput(rand, shape)] });
    }
    await check(cases, 700);
  });

  it('matMul (all transposes) and batchMatMul (BatchMatMul replaced: transposeB with a long inner dimension)', async () => {
    const rand = seededRandom(8);
    const cases: Case[] = [];
    for (let n = 0; n < 8; n++) {
      const [m, k, p] = [randomInt(rand, 1, 40), randomInt(rand, 1, 70), randomInt(rand, 1, 40)];
      const [ta, tb] = [n % 2 === 1, n % 4 >= 2];
      const batch = n >= 4 ? [randomInt(rand, 2, 4)] : [];
      cases.push({
        name: `matMul [${batch}] ${m}×${k}×${p} transpose ${ta}/${tb}`,
        f: (a, b) => tf.matMul(a, b, ta, tb),
        inputs: [randomInput(rand, [...batch, ...(ta ? [k, m] : [m, k])]), randomInput(rand, [...batch, ...(tb ? [p, k] : [k, p])])],
      });
    }
    // Inner dimension 2048 (the Fashion-MNIST classifier's hidden layer): tfjs-webgpu 4.22 alone gets transposeB wrong.
    for (const [m, ta, batch] of [[4, false, []], [16, true, []], [4, false, [2]]] as const) {
      cases.push({
        name: `matMul [${batch}] ${m}×2048×128 transpose ${ta}/true`,
        f: (a, b) => tf.matMul(a, b, ta, true),
        inputs: [randomInput(rand, [...batch, ...(ta ? [2048, m] : [m, 2048])]), randomInput(rand, [...batch, 128, 2048])],
      });
    }
    await check(cases, 800);
  });

  it('concat, slice, pad, transpose, reshape, sum and mean', async () => {
    const rand = seededRandom(9);
    const cases: Case[] = [];
    for (let n = 0; n < 4; n++) {
      const shape = nhwc(rand);
      const other = [...shape.slice(0, 3), randomInt(rand, 1, 5)];
      const start = shape.map((d) => randomInt(rand, 0, d - 1));
      const size = shape.map((d, i) => randomInt(rand, 1, d - start[i]));
      const padding = shape.map(() => [randomInt(rand, 0, 2), randomInt(rand, 0, 2)] as [number, number]);
      const perm = pick(rand, [[0, 3, 1, 2], [3, 1, 2, 0], [0, 2, 1, 3], [2, 3, 0, 1]]);
      cases.push({ name: `concat axis 3 [${shape}] + [${other}]`, f: (a, b) => tf.concat([a, b], 3), inputs: [randomInput(rand, shape), randomInput(rand, other)] });
      cases.push({ name: `slice [${shape}] at ${start} size ${size}`, f: (x) => tf.slice(x, start, size), inputs: [randomInput(rand, shape)] });
      cases.push({ name: `pad [${shape}] ${JSON.stringify(padding)}`, f: (x) => tf.pad(x, padding), inputs: [randomInput(rand, shape)] });
      cases.push({ name: `transpose [${shape}] ${perm}`, f: (x) => tf.transpose(x, perm), inputs: [randomInput(rand, shape)] });
      cases.push({
        name: `reshape, sum and mean [${shape}]`,
        f: (x) => tf.add(tf.sum(tf.reshape(x, [shape[0], -1]), 1), tf.mean(tf.square(x), [1, 2, 3])),
        inputs: [randomInput(rand, shape)],
      });
    }
    await check(cases, 900);
  });
});
