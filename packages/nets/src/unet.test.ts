import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adam } from '@not/ot-core';
import { UNet } from './unet';
import { UNetMap } from './unet-map';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainable = (m: { variables: tf.Variable[] }) => m.variables.reduce((a, v) => a + v.size, 0);

describe('UNet', () => {
  it('has the reference parameter counts (REFERENCE §1(a))', () => {
    for (const [inChannels, base, want] of [[3, 48, 9_715_827], [4, 48, 9_716_259], [3, 32, 4_320_675]]) {
      const net = new UNet({ inChannels, outChannels: 3, base });
      expect(trainable(net), `UNet(${inChannels}→3, ${base})`).toBe(want);
      net.dispose();
    }
  });

  it("uses the reference's parameter and buffer names and PyTorch's layouts and init", () => {
    const net = new UNet({ inChannels: 4, outChannels: 3, base: 2 });
    const shapes = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.shape]));
    const doubleConv = (prefix: string, cin: number, cout: number, mid: number) => ({
      [`${prefix}.double_conv.0.weight`]: [mid, cin, 3, 3], [`${prefix}.double_conv.0.bias`]: [mid],
      ...Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((k) => [`${prefix}.double_conv.1.${k}`, [mid]])),
      [`${prefix}.double_conv.1.num_batches_tracked`]: [],
      [`${prefix}.double_conv.3.weight`]: [cout, mid, 3, 3], [`${prefix}.double_conv.3.bias`]: [cout],
      ...Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((k) => [`${prefix}.double_conv.4.${k}`, [cout]])),
      [`${prefix}.double_conv.4.num_batches_tracked`]: [],
    });
    const want = {
      ...doubleConv('inc', 4, 2, 2),
      ...doubleConv('down1.maxpool_conv.1', 2, 4, 4),
      ...doubleConv('down2.maxpool_conv.1', 4, 8, 8),
      ...doubleConv('down3.maxpool_conv.1', 8, 16, 16),
      ...doubleConv('down4.maxpool_conv.1', 16, 16, 16),
      ...doubleConv('up1.conv', 32, 8, 16),
      ...doubleConv('up2.conv', 16, 4, 8),
      ...doubleConv('up3.conv', 8, 2, 4),
      ...doubleConv('up4.conv', 4, 2, 2),
      'outc.conv.weight': [3, 2, 1, 1], 'outc.conv.bias': [3],
    };
    expect(Object.keys(shapes)).toEqual(Object.keys(want)); // PyTorch's state_dict order too
    expect(shapes).toEqual(want);
    const state = net.stateDict();
    expect(Array.from(state['up2.conv.double_conv.1.weight'].dataSync())).toEqual(Array(8).fill(1));
    expect(Array.from(state['up2.conv.double_conv.1.running_var'].dataSync())).toEqual(Array(8).fill(1));
    expect(state['inc.double_conv.1.num_batches_tracked'].dtype).toBe('int32');
    const w = Array.from(state['up1.conv.double_conv.0.weight'].dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32 * 9));
    expect(net.variables).toHaveLength(Object.values(state).filter((v) => v.trainable).length);
    expect(net.variables.every((v) => !v.name.includes('running'))).toBe(true);
    net.dispose();
  });

  it('maps [B, H, W, in] to [B, H, W, out] for multiples of 16, is seeded, and records batches only in training mode', () => {
    const net = new UNet({ inChannels: 2, outChannels: 1, base: 2, seed: 5 });
    const x = tf.randomNormal([2, 16, 32, 2], 0, 1, 'float32', 1);
    expect(net.apply(x).shape).toEqual([2, 16, 32, 1]);
    const count = () => net.stateDict()['up4.conv.double_conv.4.num_batches_tracked'].dataSync()[0];
    expect(count()).toBe(0);
    net.apply(x, { training: true });
    expect(count()).toBe(1);
    const again = new UNet({ inChannels: 2, outChannels: 1, base: 2, seed: 5 });
    const other = new UNet({ inChannels: 2, outChannels: 1, base: 2, seed: 6 });
    const w = (n: UNet) => Array.from(n.stateDict()['down2.maxpool_conv.1.double_conv.3.weight'].dataSync());
    expect(w(again)).toEqual(w(net));
    expect(w(other)).not.toEqual(w(net));
    expect(() => net.apply(tf.zeros([1, 24, 24, 2]))).toThrow('UNet.apply: expected x of shape [B, H, W, 2] with H and W multiples of 16, got [1,24,24,2]');
    expect(() => new UNet({ inChannels: 3, outChannels: 3, base: 0 })).toThrow('UNet: base must be a positive integer, got 0');
    for (const n of [net, again, other]) n.dispose();
  });
});

describe('UNetMap', () => {
  it('is a TransportMap: noise shape, [x, z] on channels (x first), shape checks', () => {
    const T = new UNetMap({ size: 16, channels: 3, noiseChannels: 1, base: 2, seed: 1 });
    expect(T.noiseShape(5)).toEqual([5, 16, 16, 1]);
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 2);
    const z = tf.randomNormal([2, 16, 16, 1], 0, 0.1, 'float32', 3);
    const y = T.apply(x, z);
    expect(y.shape).toEqual([2, 16, 16, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(T.unet.apply(tf.concat([x, z], 3)).dataSync()));
    expect(() => T.apply(x)).toThrow('UNetMap.apply: expected noise z of shape [2,16,16,1], got none');
    expect(() => T.apply(x, tf.zeros([2, 16, 16, 2]))).toThrow('UNetMap.apply: expected noise z of shape [2,16,16,1], got [2,16,16,2]');
    expect(() => T.apply(tf.zeros([2, 32, 32, 3]), z)).toThrow('UNetMap.apply: expected x of shape [B, 16, 16, 3], got [2,32,32,3]');
    const D = new UNetMap({ size: 32, base: 2 });
    expect(D.noiseShape(4)).toBeNull();
    expect(D.apply(tf.zeros([1, 32, 32, 3])).shape).toEqual([1, 32, 32, 3]);
    expect(() => new UNetMap({ size: 40 })).toThrow('UNetMap: size must be a multiple of 16, got 40');
    T.dispose();
    D.dispose();
  });

  it('exposes its state (not copies) and loads a state dict, rejecting missing, mis-shaped and extra keys', () => {
    const a = new UNetMap({ size: 16, base: 2, seed: 1 });
    const b = new UNetMap({ size: 16, base: 2, seed: 2 });
    expect(a.stateDict()['outc.conv.weight']).toBe(a.variables[a.variables.length - 2]);
    b.loadStateDict(a.stateDict());
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 4);
    expect(Array.from(b.apply(x).dataSync())).toEqual(Array.from(a.apply(x).dataSync()));
    const missing = { ...a.stateDict() };
    delete missing['up3.conv.double_conv.4.running_var'];
    expect(() => b.loadStateDict(missing)).toThrow('UNetMap.loadStateDict: missing "up3.conv.double_conv.4.running_var" (expected shape [2])');
    expect(() => b.loadStateDict({ ...a.stateDict(), 'outc.conv.weight': tf.zeros([3, 2]) })).toThrow('UNetMap.loadStateDict: "outc.conv.weight" has shape [3,2], expected [3,2,1,1]');
    expect(() => b.loadStateDict({ ...a.stateDict(), 'outc.weight': tf.zeros([1]) })).toThrow('UNetMap.loadStateDict: unexpected keys "outc.weight"');
    a.dispose();
    b.dispose();
  });

  it('trains without leaking tensors (an Adam step in training mode keeps tf.memory().numTensors)', () => {
    const T = new UNetMap({ size: 16, noiseChannels: 1, base: 2, seed: 3 });
    const opt = new Adam(T.variables, { lr: 1e-3 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 5);
    const z = tf.randomNormal([2, 16, 16, 1], 0, 0.1, 'float32', 6);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(T.apply(x, z, { training: true }), x))) as tf.Scalar, T.variables);
      opt.apply(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, grads]);
      return loss;
    };
    const first = step();
    const before = tf.memory().numTensors;
    const second = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(second).not.toBe(first);
    expect(T.stateDict()['inc.double_conv.1.num_batches_tracked'].dataSync()[0]).toBe(2);
    T.dispose();
  });
});
