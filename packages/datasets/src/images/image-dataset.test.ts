import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ImageSource, ResizeMode } from './image-source';
import { ImageDataset } from './image-dataset';
import { resizeImages } from './resize';

// The resize itself is tested beside resize.ts; here a call-through spy checks what the dataset asks of it.
vi.mock('./resize', async (importOriginal) => {
  const original = await importOriginal<typeof import('./resize')>();
  return { resizeImages: vi.fn(original.resizeImages) };
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A source whose image i has every value equal to (i · 7 + channel) mod 256. */
function fakeSource(count: number, h: number, w: number, c: number, resize: ResizeMode = 'bilinear'): ImageSource & { reads: number[][] } {
  const reads: number[][] = [];
  return {
    name: `fake:${count}`,
    count,
    height: h,
    width: w,
    channels: c,
    resize,
    reads,
    read(indices: readonly number[]): Uint8Array {
      reads.push([...indices]);
      const out = new Uint8Array(indices.length * h * w * c);
      indices.forEach((i, k) => {
        for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[(k * h * w + p) * c + ch] = (i * 7 + ch) % 256;
      });
      return out;
    },
    close(): void {},
  };
}

describe('ImageDataset', () => {
  it('splits like the reference (the last ⌊count·0.1⌋ images are the test split), with validation just before it', () => {
    const source = fakeSource(25, 4, 4, 1);
    const data = new ImageDataset(source, { size: 4 });
    expect(data).toMatchObject({ count: 25, trainCount: 21, validationCount: 2, testCount: 2, size: 4 });
    expect(data.shape).toEqual([4, 4, 3]);
    data.images('test', [1, 0]);
    data.images('validation', [1, 0]);
    data.images('train', [20, 0]);
    expect(source.reads).toEqual([[24, 23], [22, 21], [20, 0]]);
    expect(new ImageDataset(fakeSource(6000, 1, 1, 1), { size: 1 })).toMatchObject({ trainCount: 4800, validationCount: 600, testCount: 600 });
    expect(new ImageDataset(fakeSource(9, 1, 1, 1), { size: 1 })).toMatchObject({ validationCount: 0, testCount: 0 });
    expect(new ImageDataset(fakeSource(10, 1, 1, 1), { size: 1, testRatio: 0.25, validationRatio: 0 })).toMatchObject({ trainCount: 8, validationCount: 0, testCount: 2 });
    expect(() => data.images('validation', [2])).toThrow("ImageDataset.images: indices must be integers in [0, 2) (the validation split), got 2 at position 0");
    expect(() => new ImageDataset(source, { size: 4, testRatio: 0.5, validationRatio: 0.5 })).toThrow('ImageDataset: testRatio + validationRatio must be below 1');
    expect(() => data.splitCount('val' as never)).toThrow(`ImageDataset: split must be one of 'train', 'validation', 'test', got "val"`);
  });

  it('scales to [-1, 1] as 2·(v/255)−1 and broadcasts grayscale to 3 channels, skipping the resize at the stored size', () => {
    vi.mocked(resizeImages).mockClear();
    const square = new ImageDataset(fakeSource(40, 3, 3, 1), { size: 3 });
    const x = square.images('train', [0, 10]);
    expect(resizeImages).not.toHaveBeenCalled();
    expect(x).toBeInstanceOf(Float32Array);
    expect(x.length).toBe(2 * 3 * 3 * 3);
    expect(x[0]).toBe(-1);
    expect(x[27]).toBeCloseTo(2 * (70 / 255) - 1, 6);
    expect(x[27]).toBe(Math.fround(Math.fround(70 / 255) * 2 - 1));
    expect(new Set(x.subarray(27)).size).toBe(1);
    const rgb = new ImageDataset(fakeSource(40, 2, 2, 3), { size: 2 }).images('test', [0]);
    // Test image 0 is source image 36: channels (252, 253, 254).
    expect(Array.from(rgb.subarray(0, 3))).toEqual([252, 253, 254].map((v) => Math.fround(Math.fround(v / 255) * 2 - 1)));
  });

  it('keeps one channel when asked, converting RGB to ITU-R 601-2 luma', () => {
    const gray = new ImageDataset(fakeSource(40, 3, 3, 1), { size: 3, channels: 1 });
    expect(gray.shape).toEqual([3, 3, 1]);
    const x = gray.batch('train', [10]);
    expect(x.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(x.dataSync())).toEqual(new Array(9).fill(Math.fround(Math.fround(70 / 255) * 2 - 1)));
    x.dispose();
    // Test image 0 of the RGB source is image 36: channels (252, 253, 254) → 252.299 + 253.587 + 254.114 = 252.815.
    const luma = new ImageDataset(fakeSource(40, 2, 2, 3), { size: 2, channels: 1 }).images('test', [0]);
    expect(luma.length).toBe(4);
    expect(luma[0]).toBeCloseTo((2 * 252.815) / 255 - 1, 6);
    expect(() => new ImageDataset(fakeSource(3, 2, 2, 1), { size: 2, channels: 2 as never })).toThrow('ImageDataset: channels must be 1 or 3, got 2');
  });

  it("resizes with the source's mode and keeps constant images constant", () => {
    vi.mocked(resizeImages).mockClear();
    const data = new ImageDataset(fakeSource(12, 8, 6, 1, 'pil-bilinear'), { size: 4 });
    const x = data.images('train', [1, 3]);
    expect(resizeImages).toHaveBeenCalledTimes(1);
    const args = vi.mocked(resizeImages).mock.calls[0];
    expect(args.slice(1)).toEqual([2, 8, 6, 1, 4, 4, 'pil-bilinear']);
    expect(x.length).toBe(2 * 4 * 4 * 3);
    for (let k = 0; k < 2; k++) {
      const v = 2 * ((7 * [1, 3][k]) / 255) - 1;
      for (const got of x.subarray(k * 48, (k + 1) * 48)) expect(got).toBeCloseTo(v, 5);
    }
  });

  it('returns batches as tensors the caller owns', () => {
    const data = new ImageDataset(fakeSource(10, 5, 5, 1), { size: 5 });
    const before = tf.memory().numTensors;
    const b = data.batch('train', [0, 1, 2]);
    expect(b.shape).toEqual([3, 5, 5, 3]);
    expect(b.dtype).toBe('float32');
    expect(Array.from(b.dataSync())).toEqual(Array.from(data.images('train', [0, 1, 2])));
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad arguments', () => {
    const source = fakeSource(10, 2, 2, 1);
    expect(() => new ImageDataset(source, { size: 0 })).toThrow('ImageDataset: size must be a positive integer, got 0');
    expect(() => new ImageDataset(source, { size: 2.5 })).toThrow('ImageDataset: size must be a positive integer, got 2.5');
    expect(() => new ImageDataset(source, { size: '32' as never })).toThrow('ImageDataset: size must be a positive integer, got "32"');
    expect(() => new ImageDataset(source, { size: 2, testRatio: 1 })).toThrow('ImageDataset: testRatio must be a number in [0, 1), got 1');
    expect(() => new ImageDataset(fakeSource(3, 2, 2, 4), { size: 2 })).toThrow('ImageDataset: source fake:3 must have 1 or 3 channels, got 4');
    const data = new ImageDataset(source, { size: 2 });
    expect(() => data.images('test', [1])).toThrow('ImageDataset.images: indices must be integers in [0, 1) (the test split), got 1 at position 0');
    expect(() => data.images('train', [0, -1])).toThrow('got -1 at position 1');
    expect(() => data.images('val' as never, [0])).toThrow(`ImageDataset: split must be one of 'train', 'validation', 'test', got "val"`);
  });
});
