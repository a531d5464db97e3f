import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { FASHION_MNIST_CLASSES, ImageDataset } from '@not/datasets';
import { DEBIAN_FASHION_MNIST_DIR, openFashionMnist } from '@not/datasets/node';
import { decodeSafetensors, encodeSafetensors, saveStateDict } from '@not/nets';
import { FASHION_CLASSIFIER_WEIGHTS_FILE, FashionClassifier } from './fashion-classifier';
import { fashionClassifierWeightsPath, loadFashionClassifier } from './load-fashion-classifier';
import type { FeatureExtractor } from '../features/feature-extractor';

// Made with the shipped weights by scripts/train-fashion-classifier.py (PyTorch): 20 test images and 4 noise images.
// new Uint8Array: decodeSafetensors needs a plain array (a Buffer's slice() is a view).
const fixture = decodeSafetensors(new Uint8Array(readFileSync(new URL('../../fixtures/fashion-classifier-fixture.safetensors', import.meta.url))));
const fixtureTensor = (name: string) => {
  const { data, shape } = fixture.tensors[name];
  return tf.tensor(data, shape);
};

let classifier: FashionClassifier;
const tmp = mkdtempSync(join(tmpdir(), 'not-fashion-classifier-'));

beforeAll(async () => {
  await useBackend('wasm');
  classifier = await loadFashionClassifier();
});

afterAll(() => classifier?.dispose());

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('FashionClassifier: the shipped weights', () => {
  it('are found in the package data folder, and their state dict is the file\'s, name for name and value for value', async () => {
    const path = await fashionClassifierWeightsPath();
    expect(path).toBe(fileURLToPath(new URL(`../../data/${FASHION_CLASSIFIER_WEIGHTS_FILE}`, import.meta.url)));
    expect(classifier.name).toBe('fashion-classifier');
    expect(classifier.dim).toBe(128);
    expect(classifier.classNames).toEqual(FASHION_MNIST_CLASSES);
    // The file holds PyTorch's state dict (written by scripts/train-fashion-classifier.py): ours must be exactly it.
    const file = decodeSafetensors(new Uint8Array(readFileSync(path))).tensors;
    const ours = classifier.stateDict();
    expect(Object.keys(ours).sort()).toEqual(Object.keys(file).sort());
    for (const [key, t] of Object.entries(ours)) {
      expect(t.shape, key).toEqual(file[key].shape);
      expect(t.dataSync(), key).toEqual(file[key].data);
    }
  });
});

// Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist): the full t10k test set, all ten classes,
// labels from Zalando's files. The classifier never saw these images; PyTorch measured its accuracy on them when it
// was trained (the file's test_accuracy and test_per_class_accuracy): our forward must reproduce that measurement.
describe.skipIf(!existsSync(DEBIAN_FASHION_MNIST_DIR))('FashionClassifier: accuracy on Fashion-MNIST t10k (Debian\'s dataset-fashion-mnist)', () => {
  it('classifies the 10000 test images as PyTorch did (90.18%, per class within 0.3%)', () => {
    const source = openFashionMnist({ classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], path: DEBIAN_FASHION_MNIST_DIR });
    expect(source.count).toBe(70_000);
    const images = new ImageDataset(source, { size: 32, channels: 1, testRatio: 0, validationRatio: 0 });
    const labels = source.labels.subarray(60_000);
    const right = new Array<number>(10).fill(0);
    const total = new Array<number>(10).fill(0);
    for (let start = 60_000; start < 70_000; start += 1000) {
      const x = images.batch('train', Array.from({ length: 1000 }, (_, i) => start + i));
      const predicted = classifier.predict(x);
      x.dispose();
      predicted.forEach((c, i) => {
        const label = labels[start - 60_000 + i];
        total[label]++;
        if (c === label) right[label]++;
      });
    }
    source.close();
    const accuracy = right.reduce((a, b) => a + b, 0) / 10_000;
    expect(accuracy).toBeGreaterThan(0.89);
    expect(Math.abs(accuracy - Number(classifier.metadata.test_accuracy))).toBeLessThanOrEqual(0.0005);
    const perClass = JSON.parse(classifier.metadata.test_per_class_accuracy) as number[];
    right.forEach((r, c) => expect(Math.abs(r / total[c] - perClass[c]), FASHION_MNIST_CLASSES[c]).toBeLessThanOrEqual(0.003));
  });
});

describe('FashionClassifier: parity with PyTorch', () => {
  it('gives the fixture logits and features within 1e-4, also batched in small chunks and with 3 channels', () => {
    const x = fixtureTensor('x') as tf.Tensor4D;
    const logits = fixtureTensor('logits');
    const features = fixtureTensor('features');
    expect(x.shape).toEqual([24, 32, 32, 1]);

    const out = classifier.apply(x);
    expect(maxAbsDiff(out.logits, logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.features, features)).toBeLessThan(1e-4);

    const chunked = FashionClassifier.fromBytes(readFileSync(new URL(`../../data/${FASHION_CLASSIFIER_WEIGHTS_FILE}`, import.meta.url)), { batchSize: 5 });
    const chunkedLogits = chunked.logits(x);
    expect(maxAbsDiff(chunkedLogits, logits)).toBeLessThan(1e-4);
    chunked.dispose();

    const rgb = tf.tile(x, [1, 1, 1, 3]) as tf.Tensor4D;
    const rgbFeatures = classifier.features(rgb);
    expect(maxAbsDiff(rgbFeatures, features)).toBeLessThan(1e-4);

    // The predicted classes match PyTorch's argmax, and on the 20 test images the labels (at least 18 of 20).
    const predicted = classifier.predict(x);
    const want = tf.argMax(logits, 1).dataSync();
    expect(Array.from(predicted)).toEqual(Array.from(want));
    const labels = fixture.tensors.labels.data;
    let right = 0;
    for (let i = 0; i < 20; i++) right += predicted[i] === labels[i] ? 1 : 0;
    expect(right).toBeGreaterThanOrEqual(18);

    tf.dispose([x, logits, features, out.logits, out.features, chunkedLogits, rgb, rgbFeatures]);
  });

  it('gives probabilities that are the softmax of the logits, and non-negative features', () => {
    const x = fixtureTensor('x') as tf.Tensor4D;
    const p = classifier.probabilities(x);
    const sums = tf.sum(p, 1);
    const f = classifier.features(x);
    expect(Math.max(...Array.from(sums.dataSync()).map((s) => Math.abs(s - 1)))).toBeLessThan(1e-5);
    expect(tf.min(f).dataSync()[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([x, p, sums, f]);
  });
});

describe('FashionClassifier: accuracy on the embedded subset (held out from training)', () => {
  it('tells bags from shoes on the test splits (last 10%)', () => {
    const bags = new ImageDataset(openFashionMnist({ classes: 'bag' }), { size: 32, channels: 1 });
    const shoeSource = openFashionMnist({ classes: 'shoes' });
    const shoes = new ImageDataset(shoeSource, { size: 32, channels: 1 });
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const xb = bags.batch('test', range(bags.testCount));
    const xs = shoes.batch('test', range(shoes.testCount));
    expect(bags.testCount).toBe(300);
    expect(shoes.testCount).toBe(300);

    const bagShoeShare = classifier.shoeShare(xb);
    const shoeShoeShare = classifier.shoeShare(xs);
    const correct = ((1 - bagShoeShare) * bags.testCount + shoeShoeShare * shoes.testCount) / (bags.testCount + shoes.testCount);
    expect(correct).toBeGreaterThanOrEqual(0.97);
    expect(bagShoeShare).toBeLessThan(0.05);

    // The exact class too: bags are bags, shoes get their own shoe class.
    expect(classifier.classShare(xb, ['bag'])).toBeGreaterThanOrEqual(0.95);
    const predicted = classifier.predict(xs);
    const labels = shoeSource.labels.subarray(shoes.count - shoes.testCount);
    let right = 0;
    predicted.forEach((c, i) => (right += c === labels[i] ? 1 : 0));
    expect(right / predicted.length).toBeGreaterThanOrEqual(0.9);
    tf.dispose([xb, xs]);
  });
});

describe('FashionClassifier: memory', () => {
  it('leaves tf.memory().numTensors unchanged after every method, and load + dispose frees its weights', async () => {
    const x = tf.randomUniform([7, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const out = classifier.apply(x);
    tf.dispose([out.logits, out.features, classifier.logits(x), classifier.probabilities(x), classifier.features(x)]);
    classifier.predict(x);
    classifier.shoeShare(x);
    classifier.classShare(x, [0, 'bag']);
    expect(tf.memory().numTensors).toBe(before);
    const small = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    expect(() => classifier.features(small)).toThrow(/32×32/);
    small.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const other = await loadFashionClassifier({ batchSize: 3 });
    const f = other.features(x);
    f.dispose();
    other.dispose();
    other.dispose(); // twice is harmless
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});

describe('FashionClassifier: bad input', () => {
  const cases: [string, () => tf.Tensor, RegExp][] = [
    ['28×28 images', () => tf.zeros([2, 28, 28, 1]), /FashionClassifier\.features: images must be 32×32 .*got 28×28 in shape \[2,28,28,1\]/],
    ['64×64 images', () => tf.zeros([2, 64, 64, 3]), /must be 32×32 .*got 64×64/],
    ['2 channels', () => tf.zeros([2, 32, 32, 2]), /FashionClassifier\.features: images must have 1 or 3 channels \(NHWC\), got 2/],
    ['NCHW layout', () => tf.zeros([2, 1, 32, 32]), /must be 32×32 .*got 1×32/],
    ['rank 3', () => tf.zeros([32, 32, 1]), /must be a float32 tensor \[n, 32, 32, 1 or 3\] in \[-1, 1\], got rank 3 shape \[32,32,1\]/],
    ['int32 images', () => tf.zeros([1, 32, 32, 1], 'int32'), /must be float32 in \[-1, 1\], got dtype int32/],
    ['an empty batch', () => tf.zeros([0, 32, 32, 1]), /must hold at least one image, got shape \[0,32,32,1\]/],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, () => {
      const x = make();
      expect(() => classifier.features(x as tf.Tensor4D)).toThrow(message);
      x.dispose();
    });
  }

  it('refuses a non-tensor, a disposed tensor and unknown classes', () => {
    expect(() => classifier.logits(new Float32Array(1024) as unknown as tf.Tensor4D)).toThrow(
      /FashionClassifier\.logits: images must be a float32 tensor \[n, 32, 32, 1 or 3\] in \[-1, 1\], got a Float32Array/,
    );
    const x = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => classifier.classShare(x, [10])).toThrow(/FashionClassifier\.classShare: classes must be 'shoes', .*got 10 in it/);
    expect(() => classifier.classShare(x, ['boot' as never])).toThrow(/got "boot" in it/);
    expect(() => classifier.classShare(x, [])).toThrow(/classes must be 'shoes', a class name or a non-empty array/);
    x.dispose();
    expect(() => classifier.features(x)).toThrow(/FashionClassifier\.features: images is disposed/);
  });

  it('refuses a disposed classifier and a bad batch size', async () => {
    const other = await loadFashionClassifier();
    other.dispose();
    const x = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => other.features(x)).toThrow(/FashionClassifier\.features: the classifier has been disposed/);
    x.dispose();
    await expect(loadFashionClassifier({ batchSize: 0 })).rejects.toThrow(/loadFashionClassifier: batchSize must be a positive integer, got 0/);
  });
});

describe('FashionClassifier: bad weight files', () => {
  const shipped = readFileSync(new URL(`../../data/${FASHION_CLASSIFIER_WEIGHTS_FILE}`, import.meta.url));

  it('names a missing file and a directory', async () => {
    const missing = join(tmp, 'nope.safetensors');
    await expect(loadFashionClassifier({ path: missing })).rejects.toThrow(`loadFashionClassifier: weights file ${missing}: not found (expected a safetensors file`);
    await expect(loadFashionClassifier({ path: tmp })).rejects.toThrow(`weights file ${tmp}: a directory, not a file`);
    await expect(loadFashionClassifier({ path: '' as string })).rejects.toThrow(/path must be a file path or a file: URL/);
  });

  it('names a truncated or non-safetensors file', async () => {
    const truncated = join(tmp, 'truncated.safetensors');
    writeFileSync(truncated, shipped.subarray(0, shipped.length - 1000));
    await expect(loadFashionClassifier({ path: truncated })).rejects.toThrow(
      new RegExp(`FashionClassifier\\.fromBytes: ${truncated} is not a valid safetensors weights file: decodeSafetensors: .*run past the end`),
    );
    const text = join(tmp, 'text.safetensors');
    writeFileSync(text, 'this is not a weights file at all');
    await expect(loadFashionClassifier({ path: new URL(`file://${text}`) })).rejects.toThrow(/is not a valid safetensors weights file/);
  });

  it('names a missing, mis-shaped, unexpected or non-finite tensor', () => {
    const state = classifier.stateDict();
    const edit = (change: (s: Record<string, tf.Tensor>) => void) => {
      const copy: Record<string, tf.Tensor> = { ...state };
      change(copy);
      return saveStateDict(copy);
    };
    const extra = tf.zeros([1]);
    const wrong = tf.zeros([10, 64]);
    const nan = tf.tidy(() => tf.where(tf.equal(tf.range(0, 10), 3), tf.fill([10], NaN), state['12.bias']));
    const ints = tf.zeros([10], 'int32');
    expect(() => FashionClassifier.fromBytes(edit((s) => delete s['3.bias']), {}, 'f.safetensors')).toThrow(
      'FashionClassifier.fromBytes: f.safetensors: missing tensor "3.bias" (expected shape [64])',
    );
    expect(() => FashionClassifier.fromBytes(edit((s) => (s['12.weight'] = wrong)))).toThrow(
      'FashionClassifier.fromBytes: the weights: tensor "12.weight" has shape [10,64], expected [10,128]',
    );
    expect(() => FashionClassifier.fromBytes(edit((s) => (s['13.weight'] = extra)))).toThrow(/unexpected tensors "13\.weight"; expected only 0\.weight/);
    expect(() => FashionClassifier.fromBytes(edit((s) => (s['12.bias'] = nan)))).toThrow(/tensor "12\.bias" holds NaN at index 3; expected finite weights/);
    expect(() => FashionClassifier.fromBytes(edit((s) => (s['12.bias'] = ints)))).toThrow(/tensor "12\.bias" has dtype I32, expected a float dtype/);
    tf.dispose([extra, wrong, nan, ints]);
  });

  it('round-trips through saveStateDict, and float16 weights load too', () => {
    const x = tf.tensor(fixture.tensors.x.data, [24, 32, 32, 1]) as tf.Tensor4D;
    const again = FashionClassifier.fromBytes(saveStateDict(classifier.stateDict()));
    const a = classifier.logits(x);
    const b = again.logits(x);
    expect(maxAbsDiff(a, b)).toBe(0);
    again.dispose();

    const half = Object.fromEntries(
      Object.entries(classifier.stateDict()).map(([k, v]) => [k, { dtype: 'F16' as const, shape: v.shape, data: v.dataSync() as Float32Array }]),
    );
    const small = FashionClassifier.fromBytes(encodeSafetensors(half));
    const c = small.logits(x);
    expect(maxAbsDiff(a, c)).toBeLessThan(0.05);
    expect(Array.from(small.predict(x))).toEqual(Array.from(classifier.predict(x)));
    small.dispose();
    tf.dispose([x, a, b, c]);
  });
});

describe('FashionClassifier as a FeatureExtractor', () => {
  it('fits the interface', () => {
    const extractor: FeatureExtractor = classifier;
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const f = extractor.features(x);
    expect(f.shape).toEqual([3, extractor.dim]);
    expect(f.dtype).toBe('float32');
    tf.dispose([x, f]);
  });
});

describe('loadFashionClassifier', () => {
  it('loads the same weights from bytes as from the file', async () => {
    const fromBytes = await loadFashionClassifier({ bytes: new Uint8Array(readFileSync(await fashionClassifierWeightsPath())) });
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    const [a, b] = [fromBytes.features(x), classifier.features(x)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    await expect(loadFashionClassifier({ bytes: 'weights' as never })).rejects.toThrow('loadFashionClassifier: bytes must be a Uint8Array of a safetensors file');
    tf.dispose([x, a, b]);
    fromBytes.dispose();
  });
});
