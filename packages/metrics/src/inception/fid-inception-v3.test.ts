// Parity of FidInceptionV3 with pytorch-fid's own InceptionV3([3]) under the recipe weights of test-recipe.ts
// (fixtures/fid-inception-fixture.safetensors, made by fixtures/make-fid-inception-fixture.py), on the wasm backend.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { decodeSafetensors } from '@not/nets';
import { FidInceptionV3, checkFidInceptionWeights, fidInceptionWeightShapes, type FidInceptionWeights } from './fid-inception-v3';
import { RECIPE_SEED, recipeWeights } from './test-recipe';

const fixture = decodeSafetensors(new Uint8Array(readFileSync(new URL('../../fixtures/fid-inception-fixture.safetensors', import.meta.url))));
const want = (name: string) => fixture.tensors[name];

/** Largest absolute difference over the largest reference magnitude. */
function relativeError(got: tf.Tensor, name: string): number {
  const ref = want(name);
  expect(got.shape).toEqual(ref.shape);
  const g = got.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.data.length; i++) {
    diff = Math.max(diff, Math.abs(g[i] - ref.data[i]));
    scale = Math.max(scale, Math.abs(ref.data[i]));
  }
  return diff / scale;
}

const input = (name: string) => tf.tensor4d(want(name).data as Float32Array, want(name).shape as [number, number, number, number]);

let weights: FidInceptionWeights;
let net: FidInceptionV3;

beforeAll(async () => {
  await useBackend('wasm');
  weights = recipeWeights();
  // batchSize 1: the two-image batch below also runs the chunking and concatenation.
  net = FidInceptionV3.fromWeights(weights, { batchSize: 1 });
});

afterAll(() => net?.dispose());

describe('FidInceptionV3 (wasm) against pytorch-fid', () => {
  it('uses the fixture script’s recipe keys and seed', () => {
    expect(fixture.metadata.seed).toBe(String(RECIPE_SEED));
    expect(JSON.parse(fixture.metadata.keys)).toEqual(fidInceptionWeightShapes().map(([key]) => key));
  });

  it('matches the 2048-d features of two 32×32 images and one 64×64 image within 1e-4, leaking nothing', () => {
    const errors: Record<string, number> = {};
    for (const [x, f] of [['x32', 'features32'], ['x64', 'features64']]) {
      const images = input(x);
      const before = tf.memory().numTensors;
      const features = net.features(images);
      expect(tf.memory().numTensors).toBe(before + 1);
      errors[f] = relativeError(features, f);
      features.dispose();
      images.dispose();
    }
    console.log('FidInceptionV3 parity (max |diff| / max |ref|):', errors);
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-4);
  });

  it('matches the Mixed_5d activation (a debugging intermediate)', () => {
    const channels = JSON.parse(fixture.metadata.mixed5d_channels) as number[];
    const images = tf.tidy(() => tf.slice(input('x32'), 0, 1));
    const before = tf.memory().numTensors;
    const picked = tf.tidy(() => {
      const mixed = net.forwardUntil(images, 'Mixed_5d');
      return tf.gather(mixed, channels, 3);
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    const error = relativeError(picked, 'mixed5d32');
    console.log('Mixed_5d parity:', error);
    expect(error).toBeLessThan(1e-5);
    picked.dispose();
    images.dispose();
  });

  it('treats a gray image as the RGB image with three equal channels', () => {
    const gray = tf.tidy(() => tf.slice(input('x32'), [0, 0, 0, 0], [1, -1, -1, 1]));
    const a = net.preprocess(gray);
    const b = tf.tidy(() => net.preprocess(tf.tile(gray, [1, 1, 1, 3])));
    expect(a.shape).toEqual([1, 299, 299, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([gray, a, b]);
  });

  it('gives [0, 2048] for an empty batch and rejects bad images', () => {
    const empty = tf.zeros([0, 8, 8, 3]) as tf.Tensor4D;
    const f = net.features(empty);
    expect(f.shape).toEqual([0, 2048]);
    tf.dispose([empty, f]);
    const two = tf.zeros([1, 8, 8, 2]) as tf.Tensor4D;
    expect(() => net.features(two)).toThrow(/images must be NHWC \[n, H, W, 1 or 3\], got \[1,8,8,2\]/);
    two.dispose();
  });
});

describe('FidInceptionV3 weight checks', () => {
  it('names the first missing key, a wrong shape, and unexpected keys', () => {
    expect(() => checkFidInceptionWeights({})).toThrow(/no "Conv2d_1a_3x3\.conv\.weight" \(expected shape \[32,3,3,3\]\); 470 of 470/);
    const { ['Mixed_6c.branch7x7_2.bn.running_var']: _dropped, ...partial } = weights;
    expect(() => checkFidInceptionWeights(partial)).toThrow(/no "Mixed_6c\.branch7x7_2\.bn\.running_var" \(expected shape \[160\]\); 1 of 470/);
    const wrong = { ...weights, 'Mixed_7b.branch3x3_2a.conv.weight': { shape: [384, 384, 3, 1], data: new Float32Array(384 * 384 * 3) } };
    expect(() => checkFidInceptionWeights(wrong)).toThrow(/"Mixed_7b\.branch3x3_2a\.conv\.weight" has shape \[384,384,3,1\], expected \[384,384,1,3\]/);
    expect(() => checkFidInceptionWeights({ ...weights, 'AuxLogits.fc.weight': { shape: [1], data: new Float32Array(1) } })).toThrow(
      /unexpected key "AuxLogits\.fc\.weight".*ImageNet Inception/,
    );
    expect(() => checkFidInceptionWeights({ ...weights, 'fc.bias': { shape: [1000], data: new Float32Array(1000) } })).toThrow(/"fc\.bias" has shape \[1000\], expected \[1008\]/);
    const ints = { ...weights, 'Conv2d_1a_3x3.bn.bias': { shape: [32], data: new Int32Array(32) } };
    expect(() => checkFidInceptionWeights(ints)).toThrow(/"Conv2d_1a_3x3\.bn\.bias" must hold floats, got Int32Array/);
    const nan = new Float32Array(weights['Mixed_5c.branch_pool.bn.bias'].data as Float32Array);
    nan[3] = NaN;
    expect(() => checkFidInceptionWeights({ ...weights, 'Mixed_5c.branch_pool.bn.bias': { shape: [64], data: nan } })).toThrow(
      /"Mixed_5c\.branch_pool\.bn\.bias" holds NaN at index 3; the weights are corrupt/,
    );
    const negative = new Float32Array(32).fill(-1);
    expect(() => checkFidInceptionWeights({ ...weights, 'Conv2d_1a_3x3.bn.running_var': { shape: [32], data: negative } })).toThrow(/negative variance -1 at index 0/);
    const prefixed = Object.fromEntries(Object.entries(weights).map(([k, v]) => [`module.${k}`, v]));
    expect(() => checkFidInceptionWeights(prefixed)).toThrow(/strip its prefix "module\."/);
  });

  it('accepts num_batches_tracked and the 1008-class fc, and builds from tf tensors without leaking', () => {
    const extra = {
      ...weights,
      'Conv2d_1a_3x3.bn.num_batches_tracked': { shape: [], data: new Int32Array(1) },
      'fc.weight': { shape: [1008, 2048], data: new Float32Array(0) },
      'fc.bias': { shape: [1008], data: new Float32Array(0) },
    };
    expect(() => checkFidInceptionWeights(extra)).not.toThrow();
    const state = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, tf.tensor(v.data as Float32Array, [...v.shape])]));
    const before = tf.memory().numTensors;
    const other = FidInceptionV3.fromWeights(state);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(state));
  });
});
