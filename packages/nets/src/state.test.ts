import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { prefixStateDict, stateDictPart } from '@not/ot-core';
import { loadSafetensorsInto, saveStateDict } from './state-dict-file';
import { UNetMap } from './unet-map';
import { ResNetPotential } from './resnet-potential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The entries of a state dict without batch norm's step counters, as many exporters write them. */
function withoutCounters(state: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(state).filter(([k]) => !k.endsWith('num_batches_tracked')));
}

describe('loadStateDict (nets modules)', () => {
  it('loads a state dict without num_batches_tracked, as PyTorch does, keeping the current counts', () => {
    const a = new UNetMap({ size: 16, base: 2, seed: 1 });
    const b = new UNetMap({ size: 16, base: 2, seed: 2 });
    const counter = 'inc.double_conv.1.num_batches_tracked';
    b.stateDict()[counter].assign(tf.scalar(5, 'int32'));
    const stripped = withoutCounters(a.stateDict());
    expect(Object.keys(stripped).length).toBeLessThan(Object.keys(a.stateDict()).length);
    // Through the file reader as well: a safetensors file without the counters.
    loadSafetensorsInto(b, saveStateDict(stripped));
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 4);
    expect(Array.from(b.apply(x).dataSync())).toEqual(Array.from(a.apply(x).dataSync()));
    expect(b.stateDict()[counter].dataSync()[0]).toBe(5);
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('lists every missing, unexpected and mis-shaped key in one message, and changes nothing then', () => {
    const a = new ResNetPotential({ size: 16, channels: 3, filters: 8, seed: 1 });
    const b = new ResNetPotential({ size: 16, channels: 3, filters: 8, seed: 2 });
    const state: Record<string, tf.Tensor> = { ...a.stateDict() };
    delete state['fc.bias'];
    delete state['conv_img.weight'];
    const wrong = tf.zeros([2]);
    const extra = tf.zeros([1]);
    state['fc.weight'] = wrong;
    state['head.weight'] = extra;
    const before = Array.from(b.stateDict()['conv_img.bias'].dataSync());
    let message = '';
    try {
      b.loadStateDict(state);
    } catch (error) {
      message = (error as Error).message;
    }
    const fcShape = a.stateDict()['fc.weight'].shape;
    expect(message).toBe(
      `ResNetPotential.loadStateDict: missing "conv_img.weight" (expected shape [${a.stateDict()['conv_img.weight'].shape}]), "fc.bias" (expected shape [1]); ` +
        `unexpected keys "head.weight"; "fc.weight" has shape [2], expected [${fcShape}]`,
    );
    // All or nothing: a refused state dict assigns no variable.
    expect(Array.from(b.stateDict()['conv_img.bias'].dataSync())).toEqual(before);
    tf.dispose([wrong, extra]);
    a.dispose();
    b.dispose();
  });

  it('says so when the keys arrive under an extra prefix (DataParallel’s "module.")', () => {
    const a = new ResNetPotential({ size: 16, channels: 3, filters: 8, seed: 1 });
    const wrapped = prefixStateDict('module', a.stateDict());
    expect(() => a.loadStateDict(wrapped)).toThrow(/the keys carry a prefix "module\.": take that part of the state dict, e\.g\. stateDictPart\(state, "module"\)\)$/);
    a.loadStateDict(stateDictPart(wrapped, 'module'));
    a.dispose();
  });
});
