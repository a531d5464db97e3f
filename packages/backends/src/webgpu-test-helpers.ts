// Shared by the webgpu tests only (not exported from index.ts).
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendReport } from './index';
import { randomValues, seededRandom } from './test-helpers';

/**
 * Starts webgpu by name (a software adapter such as lavapipe included), or says why not: tests then skip with that
 * note (a machine without Vulkan, or without the optional `webgpu` package).
 */
export async function startWebGpu(): Promise<{ report?: BackendReport; skip?: string }> {
  try {
    return { report: await useBackend('webgpu') };
  } catch (error) {
    const skip = `webgpu tests skipped: ${(error as Error).message}`;
    console.warn(skip);
    return { skip };
  }
}

/** A float32 input as plain data, so that each backend builds its own tensor. */
export interface Input {
  shape: number[];
  values: Float32Array;
}

export function randomInput(rand: () => number, shape: number[], shift = 0): Input {
  return { shape, values: randomValues(rand, shape).map((v) => v + shift) };
}

/** f's output and the gradient of sum(f(xs) · r) for every input, r a fixed random tensor of f's output shape. */
export interface Evaluated {
  shape: number[];
  out: Float32Array;
  grads: Float32Array[];
}

/** Runs f forward and backward on `backend`, reading back with `await data()` (webgpu has no dataSync in Node). */
export async function evaluate(backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], seed: number): Promise<Evaluated> {
  await tf.setBackend(backend);
  const xs = inputs.map((d) => tf.tensor(d.values, d.shape));
  let y!: tf.Tensor;
  const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => {
    const out = f(...a);
    y = tf.keep(out);
    return tf.sum(tf.mul(out, tf.tensor(randomValues(seededRandom(seed), out.shape), out.shape)));
  })(xs);
  const result = { shape: y.shape, out: (await y.data()) as Float32Array, grads: (await Promise.all(grads.map((g) => g.data()))) as Float32Array[] };
  tf.dispose([value, y, ...grads, ...xs]);
  return result;
}

/** Largest |a − b| over the largest |b| (element-wise relative error means nothing near 0); Infinity for NaN. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`relativeError: lengths differ, ${actual.length} vs ${expected.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? maxAbs : maxAbs / scale;
}

/**
 * The worst relative error of webgpu against cpu over f's output and every gradient. `reference`, when given, is
 * what runs on cpu instead of f (where cpu's own kernel is wrong).
 */
export async function parity(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Input[],
  seed: number,
  reference = f,
): Promise<{ shape: number[]; error: number; errors: number[] }> {
  const want = await evaluate('cpu', reference, inputs, seed);
  const got = await evaluate('webgpu', f, inputs, seed);
  if (got.shape.join() !== want.shape.join()) throw new Error(`parity: output shape [${got.shape}] on webgpu, [${want.shape}] on cpu`);
  const errors = [relativeError(got.out, want.out), ...got.grads.map((g, i) => relativeError(g, want.grads[i]))];
  return { shape: want.shape, error: Math.max(...errors), errors };
}

/** Row i interpolates input rows as bilinear resizing with align_corners does: [out, in], built on the host. */
function interpolationMatrix(inSize: number, outSize: number): tf.Tensor2D {
  const a = new Float32Array(outSize * inSize);
  const scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  for (let i = 0; i < outSize; i++) {
    const src = i * scale;
    const p0 = Math.floor(src);
    const p1 = Math.min(p0 + 1, inSize - 1);
    const frac = src - p0;
    a[i * inSize + p0] += 1 - frac;
    a[i * inSize + p1] += frac;
  }
  return tf.tensor2d(a, [outSize, inSize]);
}

/**
 * tf.image.resizeBilinear(x, size, true) written as two matrix products (rows, then columns), so that its gradient is
 * matMul's: an independent reference (cpu's ResizeBilinearGrad swaps height and width on non-square images).
 */
export function resizeAlignCornersByMatMul(x: tf.Tensor4D, [outH, outW]: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const rows = interpolationMatrix(h, outH);
    const cols = interpolationMatrix(w, outW);
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w]);
    const r = tf.matMul(tf.broadcastTo(rows, [b * c, outH, h]), planes);
    const out = tf.matMul(r, tf.broadcastTo(cols, [b * c, outW, w]), false, true);
    return tf.transpose(tf.reshape(out, [b, c, outH, outW]), [0, 2, 3, 1]);
  });
}
