import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@not/ot-core';
import { ResNetPotential, UNet, saveStateDict } from '@not/nets';
import { readNpy, writeNpy } from '@not/datasets';
import { useBackend } from '@not/backends';
import { registerNets } from './nets';
import { programWith, runCli } from '../testing/run-cli';

const run = (args: string[]) => runCli(programWith(registerNets), args);

const dir = mkdtempSync(join(tmpdir(), 'not-nets-'));

/** Uniform values in [-1, 1] from a seed. */
function images(shape: number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => 2 * rng.uniform() - 1);
}

function expectClose(got: Float32Array, want: Float32Array, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await useBackend('cpu');
});

afterEach(() => vi.restoreAllMocks());

describe('not nets summary', () => {
  it('counts the reference networks like PyTorch', async () => {
    const unet = JSON.parse((await run(['nets', 'summary', '--arch', 'unet', '--json', '--backend', 'cpu'])).stdout);
    expect(unet).toMatchObject({ arch: 'unet', in: 3, out: 3, base: 48, noiseChannels: 0, total: 9_715_827 });
    // Batch-norm running mean and variance (and the counters) are buffers, not parameters.
    const bnChannels = 2 * (48 + 96 + 192 + 384 + 384) + (384 + 192) + (192 + 96) + (96 + 48) + (48 + 48);
    expect(unet.buffers).toBe(2 * bnChannels + 18);
    expect(unet.layers[0]).toEqual({
      name: 'inc.double_conv.0',
      parameters: [{ name: 'weight', shape: [48, 3, 3, 3], count: 1296 }, { name: 'bias', shape: [48], count: 48 }],
      count: 1344,
    });
    const weak = JSON.parse((await run(['nets', 'summary', '--arch', 'unet', '--noise-channels', '1', '--json', '--backend', 'cpu'])).stdout);
    expect(weak.total).toBe(9_716_259);
    const resnet = JSON.parse((await run(['nets', 'summary', '--arch', 'resnet', '--json', '--backend', 'cpu'])).stdout);
    expect(resnet).toMatchObject({ arch: 'resnet', in: 3, size: 64, filters: 64, maxFilters: 512, total: 22_933_441, buffers: 0 });
    expect(resnet.layers.at(-1).name).toBe('fc');
  });

  it('prints a readable table', async () => {
    const { stdout } = await run(['nets', 'summary', '--arch', 'unet', '--base', '8', '--in', '1', '--out', '1', '--backend', 'cpu']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('UNet in 1 → out 1, base 8');
    expect(lines[1]).toMatch(/^layer\s+parameters\s+count$/);
    expect(lines[2]).toMatch(/^inc\.double_conv\.0\s+weight \[8, 1, 3, 3\], bias \[8\]\s+80$/);
    expect(lines).toContainEqual(expect.stringMatching(/^inc\.double_conv\.1\s+weight \[8\], bias \[8\]\s+16$/));
    expect(lines.at(-2)).toMatch(/^total trainable\s+\d{3},\d{3}$/);
    expect(lines.at(-1)).toMatch(/^buffers \(not trained\)\s+\d+/);
    const json = JSON.parse((await run(['nets', 'summary', '--arch', 'unet', '--base', '8', '--in', '1', '--out', '1', '--json', '--backend', 'cpu'])).stdout);
    expect(lines.at(-2)).toContain(json.total.toLocaleString('en-US'));
  });

  it('refuses options of the other architecture and bad values', async () => {
    await expect(run(['nets', 'summary', '--arch', 'resnet', '--out', '2'])).rejects.toThrow('nets summary: --out applies to --arch unet only, not --arch resnet');
    await expect(run(['nets', 'summary', '--arch', 'unet', '--filters', '8'])).rejects.toThrow('nets summary: --filters applies to --arch resnet only, not --arch unet');
    await expect(run(['nets', 'summary', '--arch', 'resnet', '--size', '48'])).rejects.toThrow('nets summary: --size must be a power of two >= 16 for --arch resnet, got 48');
    await expect(run(['nets', 'summary', '--arch', 'vgg'])).rejects.toThrow(/option '--arch <arch>' argument 'vgg' is invalid. Allowed choices are unet, resnet/);
    await expect(run(['nets', 'summary'])).rejects.toThrow(/required option '--arch <arch>' not specified/);
    await expect(run(['nets', 'summary', '--arch', 'unet', '--base', '0'])).rejects.toThrow(/--base must be an integer >= 1, got "0"/);
  });
});

describe('not nets apply', () => {
  const unetOptions = { inChannels: 3, outChannels: 2, base: 4, seed: 3 };
  const unetArgs = ['--arch', 'unet', '--in', '3', '--out', '2', '--base', '4'];
  const weightsPath = join(dir, 'unet.safetensors');
  const inputPath = join(dir, 'x.npy');
  const xShape = [5, 16, 32, 3];
  const x = images(xShape, 1);

  beforeAll(() => {
    const unet = new UNet(unetOptions);
    writeFileSync(weightsPath, saveStateDict(unet.stateDict()));
    unet.dispose();
    writeFileSync(inputPath, writeNpy(x, xShape));
  });

  it('matches the UNet run directly, in eval and training mode, in chunks', async () => {
    const unet = new UNet(unetOptions);
    const xt = tf.tensor4d(x, xShape as [number, number, number, number]);
    const wantEval = unet.apply(xt, { training: false });
    const wantTrain = unet.apply(xt, { training: true });
    const wantTrainChunk = unet.apply(tf.slice(xt, [0, 0, 0, 0], [2, -1, -1, -1]), { training: true });

    const evalPath = join(dir, 'y-eval.npy');
    const { stderr } = await run(['nets', 'apply', ...unetArgs, '--weights', weightsPath, '--input', inputPath, '--output', evalPath, '--eval', '--batch-size', '2', '--backend', 'cpu']);
    expect(stderr).toMatch(/\[5,16,32,3\] → \[5,16,32,2\]/);
    const yEval = readNpy(new Uint8Array(readFileSync(evalPath)));
    expect(yEval.dtype).toBe('float32');
    expect(yEval.shape).toEqual([5, 16, 32, 2]);
    expectClose(yEval.data as Float32Array, wantEval.dataSync() as Float32Array);

    const trainPath = join(dir, 'y-train.npy');
    await run(['nets', 'apply', ...unetArgs, '--weights', weightsPath, '--input', inputPath, '--output', trainPath, '--backend', 'cpu']);
    expectClose(readNpy(new Uint8Array(readFileSync(trainPath))).data as Float32Array, wantTrain.dataSync() as Float32Array);

    // Training mode in chunks of 2: the first chunk's batch statistics are its own.
    await run(['nets', 'apply', ...unetArgs, '--weights', weightsPath, '--input', inputPath, '--output', trainPath, '--batch-size', '2', '--backend', 'cpu']);
    const chunked = readNpy(new Uint8Array(readFileSync(trainPath))).data as Float32Array;
    expectClose(chunked.subarray(0, 2 * 16 * 32 * 2), wantTrainChunk.dataSync() as Float32Array);
    tf.dispose([xt, wantEval, wantTrain, wantTrainChunk]);
    unet.dispose();
  });

  it('appends seeded noise channels for a stochastic UNet', async () => {
    const unet = new UNet({ inChannels: 2, outChannels: 1, base: 2, seed: 5 });
    const weights = join(dir, 'weak.safetensors');
    writeFileSync(weights, saveStateDict(unet.stateDict()));
    const shape = [3, 16, 16, 1];
    const input = images(shape, 2);
    writeFileSync(join(dir, 'x1.npy'), writeNpy(input, shape));
    const rng = new Rng(11);
    const z = Float32Array.from({ length: input.length }, () => rng.normal() * 0.5);
    const want = tf.tidy(() => unet.apply(tf.concat([tf.tensor4d(input, [3, 16, 16, 1]), tf.tensor4d(z, [3, 16, 16, 1])], 3)).dataSync());
    const output = join(dir, 'y1.npy');
    await run([
      'nets', 'apply', '--arch', 'unet', '--in', '1', '--out', '1', '--base', '2', '--noise-channels', '1', '--noise-std', '0.5', '--seed', '11',
      '--weights', weights, '--input', join(dir, 'x1.npy'), '--output', output, '--eval', '--batch-size', '2', '--size', '16', '--backend', 'cpu',
    ]);
    expectClose(readNpy(new Uint8Array(readFileSync(output))).data as Float32Array, want as Float32Array);
    unet.dispose();
  });

  it('runs the ResNet potential to scores [B]', async () => {
    const f = new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8, seed: 2 });
    const weights = join(dir, 'f.safetensors');
    writeFileSync(weights, saveStateDict(f.stateDict()));
    const shape = [4, 16, 16, 1];
    const input = images(shape, 4);
    writeFileSync(join(dir, 'y.npy'), writeNpy(input, shape));
    const want = tf.tidy(() => f.apply(tf.tensor4d(input, [4, 16, 16, 1])).dataSync());
    const output = join(dir, 'scores.npy');
    await run([
      'nets', 'apply', '--arch', 'resnet', '--size', '16', '--in', '1', '--filters', '4', '--max-filters', '8',
      '--weights', weights, '--input', join(dir, 'y.npy'), '--output', output, '--batch-size', '3', '--backend', 'cpu',
    ]);
    const scores = readNpy(new Uint8Array(readFileSync(output)));
    expect(scores.shape).toEqual([4]);
    expectClose(scores.data as Float32Array, want as Float32Array);
    f.dispose();
  });

  it('explains missing files, weights of another architecture and wrong inputs', async () => {
    const out = join(dir, 'never.npy');
    const apply = (...args: string[]) => run(['nets', 'apply', '--output', out, '--backend', 'cpu', ...args]);
    await expect(apply(...unetArgs, '--weights', join(dir, 'nope.safetensors'), '--input', inputPath)).rejects.toThrow(
      `nets apply: --weights ${join(dir, 'nope.safetensors')}: no such file`,
    );
    await expect(apply('--arch', 'unet', '--in', '3', '--out', '2', '--base', '8', '--weights', weightsPath, '--input', inputPath)).rejects.toThrow(
      `nets apply: --weights ${weightsPath} does not fit UNet in 3 → out 2, base 8: UNet.loadStateDict: "inc.double_conv.0.weight" has shape [4,3,3,3], expected [8,3,3,3]`,
    );
    await expect(apply('--arch', 'resnet', '--size', '16', '--weights', weightsPath, '--input', inputPath)).rejects.toThrow(
      /nets apply: --input .*x\.npy has shape \[5,16,32,3\], expected \[B, 16, 16, 3\] \(NHWC, --size 16, --in 3\)/,
    );
    const image16 = join(dir, 'x16.npy');
    writeFileSync(image16, writeNpy(images([1, 16, 16, 3], 0), [1, 16, 16, 3]));
    await expect(apply('--arch', 'resnet', '--size', '16', '--weights', weightsPath, '--input', image16)).rejects.toThrow(
      /nets apply: --weights .*unet\.safetensors does not fit ResNet potential 16×16×3, filters 64 \(max 512\): ResNetPotential\.loadStateDict: missing "conv_img\.weight"/,
    );
    await expect(apply('--arch', 'unet', '--in', '4', '--out', '2', '--base', '4', '--weights', weightsPath, '--input', inputPath)).rejects.toThrow(
      /--input .*x\.npy has shape \[5,16,32,3\], expected \[B, H, W, 4\] \(NHWC, --in 4\) with H and W multiples of 16/,
    );
    await expect(apply(...unetArgs, '--size', '16', '--weights', weightsPath, '--input', inputPath)).rejects.toThrow(/with H = W = 16 \(--size\)/);
    const bytes = join(dir, 'u8.npy');
    writeFileSync(bytes, writeNpy(new Uint8Array(16 * 16 * 3), [1, 16, 16, 3]));
    await expect(apply(...unetArgs, '--weights', weightsPath, '--input', bytes)).rejects.toThrow(/--input .*u8\.npy holds uint8; expected float32 images in \[-1, 1\]/);
    await expect(apply(...unetArgs, '--weights', weightsPath, '--input', weightsPath)).rejects.toThrow(/nets apply: --input .*unet\.safetensors: readNpy: not a \.npy file/);
    await expect(apply(...unetArgs, '--weights', inputPath, '--input', inputPath)).rejects.toThrow(
      /nets apply: --weights .*x\.npy does not fit UNet in 3 → out 2, base 4: decodeSafetensors: header length \d+ runs past the end/,
    );
    expect(() => readFileSync(out)).toThrow();
  });
});
