// Checks the feature path and the losses against PyTorch (fixtures/make-fixtures.py): a narrow random-weight VGG16,
// hypercolumns at fixed positions, the four STROTSS terms and the gradient of their total.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import type { Vgg16Features } from '@not/metrics';
import { loadVgg16Features } from '@not/metrics/node';
import { sampleHypercolumns, type Positions } from './hypercolumns';
import { STROTSS_LAYERS, strotssLosses } from './strotss-loss';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const data = JSON.parse(readFileSync(fixture('strotss.json'), 'utf8'));
const image = (key: string) => tf.tensor4d(data[key].data, data[key].shape);
const positions = (rows: number[], cols: number[]): Positions => ({ rows: Int32Array.from(rows), cols: Int32Array.from(cols) });
const at = positions(data.rows, data.cols);
const styleAt = positions(data.styleRows, data.styleCols);
const sizeOf = (key: string): [number, number] => [data[key].shape[1], data[key].shape[2]];

/** Largest |a − b| relative to the largest |b|. */
function relativeError(actual: tf.Tensor, expected: ArrayLike<number>): number {
  const a = actual.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  expect(a.length).toBe(expected.length);
  return diff / scale;
}

let vgg: Vgg16Features;
beforeAll(async () => {
  await tf.setBackend('cpu');
  vgg = await loadVgg16Features({ path: fixture('vgg16-narrow.pth'), widths: [4, 8, 16, 32, 32], layers: STROTSS_LAYERS });
});

const columnsOf = (key: string, where: Positions) =>
  tf.tidy(() => {
    const maps = vgg.apply(image(key));
    return sampleHypercolumns(maps, where, sizeOf(key));
  });

describe('STROTSS against PyTorch', () => {
  it('samples the same hypercolumns (VGG16 layout, ImageNet normalization, bilinear upsampling)', () => {
    expect(vgg.channels.reduce((a, b) => a + b)).toBe(data.channels);
    expect(relativeError(columnsOf('content', at), data.contentColumns)).toBeLessThan(1e-5);
    expect(relativeError(columnsOf('style', styleAt), data.styleColumns)).toBeLessThan(1e-5);
    expect(relativeError(columnsOf('pastiche', at), data.pasticheColumns)).toBeLessThan(1e-5);
  });

  it('gives the same four terms and total', () => {
    const n = data.rows.length;
    const columns = (values: number[]) => tf.tensor2d(values, [values.length / data.channels, data.channels]);
    const pixels = (key: string, where: Positions) => sampleHypercolumns([image(key)], where, sizeOf(key));
    const losses = strotssLosses(
      { columns: columns(data.pasticheColumns), pixels: pixels('pastiche', at) },
      columns(data.contentColumns),
      { columns: columns(data.styleColumns), pixels: pixels('style', styleAt) },
      data.alpha,
    );
    expect(n).toBeGreaterThan(1);
    for (const key of ['content', 'moments', 'remd', 'palette'] as const) {
      expect(losses[key].dataSync()[0], key).toBeCloseTo(data.losses[key], 5);
    }
    expect(losses.total.dataSync()[0]).toBeCloseTo(data.total, 5);
  });

  it('gives the same gradient with respect to the pastiche', () => {
    const content = columnsOf('content', at);
    const style = { columns: columnsOf('style', styleAt), pixels: sampleHypercolumns([image('style')], styleAt, sizeOf('style')) };
    const gradient = tf.grad((pastiche: tf.Tensor) => {
      const maps = vgg.apply(pastiche as tf.Tensor4D);
      const points = { columns: sampleHypercolumns(maps, at, sizeOf('pastiche')), pixels: sampleHypercolumns([pastiche as tf.Tensor4D], at, sizeOf('pastiche')) };
      return strotssLosses(points, content, style, data.alpha).total;
    })(image('pastiche'));
    expect(relativeError(gradient, data.gradient)).toBeLessThan(1e-4);
  });
});
