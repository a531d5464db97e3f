import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { StateDict, TransportMap } from '@not/ot-core';
import { type SafetensorsInput, UNetMap, decodeSafetensors, encodeSafetensors, saveStateDict } from '@not/nets';
import { encodeTransportMap } from './encode-transport-map';
import { loadTransportMap } from './load-transport-map';
import { Stack } from './stack';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small UNet whose weights and batch-norm statistics differ from a fresh one's (so a load that did nothing shows). */
async function trainedLike(options: { size: number; channels: number; noiseChannels: number; base: number; seed: number }): Promise<UNetMap> {
  const map = new UNetMap(options);
  let k = 0;
  tf.tidy(() => {
    for (const [name, v] of Object.entries(map.stateDict())) {
      k++;
      if (v.dtype !== 'float32') v.assign(tf.scalar(7 + k, 'int32'));
      else if (name.endsWith('running_var')) v.assign(tf.add(tf.randomUniform(v.shape, 0, 1, 'float32', k), 0.5));
      else if (name.endsWith('running_mean')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', k));
    }
  });
  return map;
}

async function valuesOf(state: StateDict): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(state)) out[name] = Array.from(await t.data());
  return out;
}

/** x, and noise for a map (null for a deterministic one), seeded. */
function inputs(map: TransportMap, n: number, size: number, channels: number): { x: tf.Tensor; z?: tf.Tensor } {
  const x = tf.randomUniform([n, size, size, channels], -1, 1, 'float32', 11);
  const shape = map.noiseShape(n);
  return { x, z: shape ? tf.randomNormal(shape, 0, 0.1, 'float32', 12) : undefined };
}

async function output(map: TransportMap, x: tf.Tensor, z?: tf.Tensor): Promise<Float32Array> {
  const y = map.apply(x, z);
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

/** The file with its tensors and metadata edited. */
function rewrite(bytes: Uint8Array, edit: (tensors: Record<string, SafetensorsInput>, metadata: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const inputs: Record<string, SafetensorsInput> = {};
  for (const [name, t] of Object.entries(tensors)) inputs[name] = { dtype: t.dtype as SafetensorsInput['dtype'], shape: t.shape, data: t.data };
  edit(inputs, metadata);
  return encodeSafetensors(inputs, metadata);
}

/** A `not train` configuration as the CLI of version 0.1 stored it (one run's config.json). */
const trainConfig = (over: Record<string, unknown> = {}) => ({
  source: 'fashion-mnist:bag',
  target: 'fashion-mnist:shoes',
  size: 16,
  channels: 1,
  cost: 'strong',
  gamma: 0,
  gammaSteps: 125,
  steps: 3,
  batch: 8,
  tIters: 3,
  lr: 0.001,
  lrDecay: 'cosine',
  beta2: 0.999,
  base: 4,
  filters: 8,
  maxFilters: 16,
  noiseSamples: 1,
  noiseStd: 0.1,
  seed: 0,
  sampleEvery: 25,
  checkpointEvery: 50,
  evalEvery: 0,
  evalMetric: 'fid',
  preset: 'cpu',
  ...over,
});

describe('encodeTransportMap / loadTransportMap', () => {
  it('round-trips a UNet map: the same weights and buffers, the same outputs, the reference names, its description', async () => {
    const before = tf.memory().numTensors;
    const map = await trainedLike({ size: 16, channels: 3, noiseChannels: 1, base: 4, seed: 5 });
    const config = { source: 'a', target: 'b', note: 'provenance' };
    const bytes = await encodeTransportMap(map, { noise: { std: 0.25 }, config });
    const { metadata, tensors } = decodeSafetensors(bytes);
    expect(metadata.format).toBe('not-transport-map/2');
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(map.stateDict()).sort());
    expect(tensors).toHaveProperty(['inc.double_conv.0.weight']);

    const loaded = await loadTransportMap({ bytes });
    expect(loaded.map).toBeInstanceOf(UNetMap);
    expect(loaded).toMatchObject({ layout: 'map', size: 16, channels: 3, noise: { std: 0.25 }, config, format: 'not-transport-map/2' });
    expect(loaded.stages).toEqual([{ network: { arch: 'unet', size: 16, channels: 3, noiseChannels: 1, base: 4 }, noise: { std: 0.25 }, config }]);
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(map.stateDict()));
    const { x, z } = inputs(map, 2, 16, 3);
    const want = await output(map, x, z);
    expect(await output(loaded.map, x, z)).toEqual(want);
    // A fresh network of the same shape gives something else: the weights did load.
    const fresh = new UNetMap({ size: 16, channels: 3, noiseChannels: 1, base: 4 });
    expect(await output(fresh, x, z)).not.toEqual(want);
    tf.dispose([x, z as tf.Tensor]);
    fresh.dispose();
    map.dispose();
    loaded.map.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips a stack of 2 (a deterministic stage, then a stochastic one): weights, outputs, descriptions', async () => {
    const before = tf.memory().numTensors;
    const first = await trainedLike({ size: 16, channels: 1, noiseChannels: 0, base: 4, seed: 1 });
    const second = await trainedLike({ size: 16, channels: 1, noiseChannels: 1, base: 2, seed: 2 });
    const stack = new Stack([first, second]);
    const stages = [
      { network: { arch: 'unet' as const, size: 16, channels: 1, noiseChannels: 0, base: 4 }, config: { stage: 1 } },
      { network: { arch: 'unet' as const, size: 16, channels: 1, noiseChannels: 1, base: 2 }, noise: { std: 0.3 }, config: { stage: 2 } },
    ];
    const bytes = await encodeTransportMap(stack, { stages });
    expect(Object.keys(decodeSafetensors(bytes).tensors).every((k) => /^stages\.[01]\./.test(k))).toBe(true);

    const loaded = await loadTransportMap({ bytes });
    expect(loaded.map).toBeInstanceOf(Stack);
    expect(loaded).toMatchObject({ layout: 'stack', size: 16, channels: 1, noise: { std: 0.3 }, config: { stage: 2 }, stages });
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(stack.stateDict()));
    const { x, z } = inputs(stack, 3, 16, 1);
    expect(z?.shape).toEqual([3, 256]);
    expect(await output(loaded.map, x, z)).toEqual(await output(stack, x, z));
    tf.dispose([x, z as tf.Tensor]);
    first.dispose();
    second.dispose();
    loaded.map.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a stack description that does not fit the stack', async () => {
    const map = new UNetMap({ size: 16, channels: 1, noiseChannels: 1, base: 2 });
    const stack = new Stack([map]);
    const network = { arch: 'unet' as const, size: 16, channels: 1, noiseChannels: 0, base: 2 };
    await expect(encodeTransportMap(stack, { stages: [] })).rejects.toThrow('encodeTransportMap: a stack of 1 stages needs options.stages with one {network, noise?, config?} per stage, got 0 entries');
    await expect(encodeTransportMap(stack, { stages: [{ network }] })).rejects.toThrow('encodeTransportMap: options.stages[0].network describes noise [none] for one input, but stage 1 takes [1,16,16,1]');
    await expect(encodeTransportMap(stack, { stages: [{ network: { ...network, arch: 'resnet' as 'unet' } }] })).rejects.toThrow('arch must be "unet"');
    map.dispose();
  });
});

describe('loadTransportMap reads the files of earlier writers', () => {
  // Each fixture is written as the CLI's code of version 0.1 wrote it: nets' saveStateDict with its metadata.
  it('`not train` T.safetensors (not-transport-map/1): the network from the run configuration, its weights', async () => {
    const map = await trainedLike({ size: 16, channels: 1, noiseChannels: 1, base: 4, seed: 3 });
    const config = trainConfig({ cost: 'weak', noiseStd: 0.2 });
    const bytes = saveStateDict(map.stateDict(), { format: 'not-transport-map/1', config: JSON.stringify(config) });
    const loaded = await loadTransportMap({ bytes });
    expect(loaded).toMatchObject({ format: 'not-transport-map/1', layout: 'map', size: 16, channels: 1, noise: { std: 0.2 }, config });
    expect(loaded.stages[0].network).toEqual({ arch: 'unet', size: 16, channels: 1, noiseChannels: 1, base: 4 });
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(map.stateDict()));
    map.dispose();
    loaded.map.dispose();
  });

  it('a run from before `channels` existed: 3 channels', async () => {
    const map = await trainedLike({ size: 16, channels: 3, noiseChannels: 0, base: 2, seed: 4 });
    const config: Record<string, unknown> = trainConfig({ base: 2 });
    delete config.channels;
    const loaded = await loadTransportMap({ bytes: saveStateDict(map.stateDict(), { format: 'not-transport-map/1', config: JSON.stringify(config) }) });
    expect(loaded).toMatchObject({ channels: 3, noise: { std: 0 } });
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(map.stateDict()));
    map.dispose();
    loaded.map.dispose();
  });

  it('`not train` checkpoint (not-train-checkpoint/1): its map.* part', async () => {
    const map = await trainedLike({ size: 16, channels: 1, noiseChannels: 0, base: 4, seed: 6 });
    const other = new UNetMap({ size: 16, channels: 1, base: 2, seed: 9 }); // stands in for the potential's weights
    const state: StateDict = {};
    for (const [k, v] of Object.entries(map.stateDict())) state[`map.${k}`] = v;
    for (const [k, v] of Object.entries(other.stateDict())) state[`potential.${k}`] = v;
    const bytes = saveStateDict(state, {
      format: 'not-train-checkpoint/1',
      config: JSON.stringify(trainConfig()),
      progress: JSON.stringify({ step: 3 }),
      samplers: JSON.stringify({}),
    });
    const loaded = await loadTransportMap({ bytes });
    expect(loaded).toMatchObject({ format: 'not-train-checkpoint/1', layout: 'map' });
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(map.stateDict()));
    tf.dispose([map, other, loaded.map].flatMap((m) => Object.values(m.stateDict())));
  });

  it('`not stack` stack files (not-stack/1): one network per stage configuration, weights under stages.<i>.', async () => {
    const first = await trainedLike({ size: 16, channels: 1, noiseChannels: 0, base: 4, seed: 7 });
    const second = await trainedLike({ size: 16, channels: 1, noiseChannels: 1, base: 2, seed: 8 });
    const stack = new Stack([first, second]);
    const configs = [trainConfig(), trainConfig({ base: 2, cost: 'weak', noiseStd: 0.15 })];
    const bytes = saveStateDict(stack.stateDict(), { format: 'not-stack/1', stages: JSON.stringify(configs) });
    const loaded = await loadTransportMap({ bytes });
    expect(loaded).toMatchObject({ format: 'not-stack/1', layout: 'stack', noise: { std: 0.15 }, config: configs[1] });
    expect(loaded.stages.map((s) => s.network.base)).toEqual([4, 2]);
    expect(await valuesOf(loaded.map.stateDict())).toEqual(await valuesOf(stack.stateDict()));
    const { x, z } = inputs(stack, 2, 16, 1);
    expect(await output(loaded.map, x, z)).toEqual(await output(stack, x, z));
    tf.dispose([x, z as tf.Tensor]);
    first.dispose();
    second.dispose();
    loaded.map.dispose();
  });
});

describe('loadTransportMap on bad files', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    const map = await trainedLike({ size: 16, channels: 1, noiseChannels: 0, base: 2, seed: 1 });
    good = await encodeTransportMap(map, { config: { run: 'x' } });
    map.dispose();
  });

  it('a file that is not safetensors (a PNG)', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    await expect(loadTransportMap({ bytes: png })).rejects.toThrow(/^loadTransportMap: the bytes given is not a readable map file: decodeSafetensors: header length \d+ runs past the end of the file .*not safetensors$/);
  });

  it('a truncated file', async () => {
    await expect(loadTransportMap({ bytes: good.subarray(0, good.length - 100) })).rejects.toThrow(/^loadTransportMap: the bytes given is not a readable map file: .*truncated/);
    await expect(loadTransportMap({ bytes: good.subarray(0, 5) })).rejects.toThrow('truncated file: 5 bytes');
  });

  it('safetensors that is no map (no format, another format)', async () => {
    await expect(loadTransportMap({ bytes: encodeSafetensors({ w: { shape: [1], data: new Float32Array(1) } }) })).rejects.toThrow(
      'loadTransportMap: the bytes given is a safetensors file but not a transport map: its metadata has no "format"',
    );
    await expect(loadTransportMap({ bytes: rewrite(good, (_, m) => (m.format = 'not-style/1')) })).rejects.toThrow('is not a transport map: its format is "not-style/1"');
  });

  it('an unknown version of the format', async () => {
    await expect(loadTransportMap({ bytes: rewrite(good, (_, m) => (m.format = 'not-transport-map/3')) })).rejects.toThrow(
      'loadTransportMap: the bytes given has format "not-transport-map/3", a version of not-transport-map this @not/stacking does not read (it reads not-transport-map/2, not-transport-map/1); a newer @not/stacking may',
    );
  });

  it('missing tensors: all of them listed, with their shapes', async () => {
    const bytes = rewrite(good, (t) => {
      delete t['inc.double_conv.0.weight'];
      delete t['outc.conv.bias'];
    });
    const error = await loadTransportMap({ bytes }).catch((e: Error) => e);
    expect(String(error)).toMatch(/loadTransportMap: the bytes given: the UNet \(size 16, channels 1, noise channels 0, base 2\) is missing 2 tensors: "inc\.double_conv\.0\.weight" \[2,1,3,3\], "outc\.conv\.bias" \[1\]/);
  });

  it('mis-shaped and unexpected tensors, and stray tensors of a stack', async () => {
    const bytes = rewrite(good, (t) => {
      t['outc.conv.bias'] = { shape: [2], data: new Float32Array(2) };
      t['extra.weight'] = { shape: [1], data: new Float32Array(1) };
    });
    await expect(loadTransportMap({ bytes })).rejects.toThrow(/"outc\.conv\.bias" is \[2\], expected \[1\].*has no tensors named "extra\.weight"/);
  });

  it('NaN weights: the tensor and where', async () => {
    const bytes = rewrite(good, (t) => {
      const data = Float32Array.from(t['inc.double_conv.0.weight'].data as Float32Array);
      data[4] = NaN;
      data[7] = Infinity;
      t['inc.double_conv.0.weight'] = { shape: [2, 1, 3, 3], data };
    });
    await expect(loadTransportMap({ bytes })).rejects.toThrow(
      'loadTransportMap: the bytes given: tensor "inc.double_conv.0.weight" holds NaN at [0, 0, 1, 1] (2 values are not finite): the weights are unusable (a diverged run?)',
    );
  });

  it('bad metadata: stage description, layout', async () => {
    await expect(loadTransportMap({ bytes: rewrite(good, (_, m) => (m.stages = '[{"network":{"arch":"unet","size":12,"channels":1,"noiseChannels":0,"base":2}}]')) })).rejects.toThrow(
      'loadTransportMap: the bytes given: stage 1: network: size must be an integer >= 16, got 12',
    );
    await expect(loadTransportMap({ bytes: rewrite(good, (_, m) => (m.stages = '{')) })).rejects.toThrow('metadata "stages" is not valid JSON');
    await expect(loadTransportMap({ bytes: rewrite(good, (_, m) => delete m.layout) })).rejects.toThrow('metadata "layout" must be "map" or "stack", got undefined');
  });

  it('a state dict without batch norm step counters loads (as PyTorch lets it)', async () => {
    const map = await trainedLike({ size: 16, channels: 1, noiseChannels: 0, base: 2, seed: 1 });
    const bytes = rewrite(await encodeTransportMap(map), (t) => {
      for (const k of Object.keys(t)) if (k.endsWith('num_batches_tracked')) delete t[k];
    });
    const loaded = await loadTransportMap({ bytes });
    const { x } = inputs(map, 1, 16, 1);
    expect(await output(loaded.map, x)).toEqual(await output(map, x));
    x.dispose();
    map.dispose();
    loaded.map.dispose();
  });

  it('leaves no tensor behind when it fails', async () => {
    const before = tf.memory().numTensors;
    await expect(loadTransportMap({ bytes: rewrite(good, (t) => delete t['outc.conv.bias']) })).rejects.toThrow('missing 1 tensor');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says what it takes', async () => {
    await expect(loadTransportMap({ path: 'T.safetensors' } as never)).rejects.toThrow(
      "loadTransportMap: source must be { bytes: Uint8Array } (a path is read by loadTransportMap of '@not/stacking/node'), got an object with keys path",
    );
  });
});
