import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@not/ot-core';
import { Mlp } from './mlp';
import { MlpMap } from './mlp-map';
import { decodeSafetensors } from './safetensors-decode';
import { encodeStateDict, loadSafetensorsInto, loadStateDictFile, saveStateDict } from './state-dict-file';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('state dicts', () => {
  it('encodeStateDict (async reads) writes the same bytes as saveStateDict, and refuses what it cannot write', async () => {
    const map = new MlpMap({ dim: 3, noiseDim: 1, hidden: [5, 4], skip: 'linear', seed: 1 });
    const state = { ...map.stateDict(), step: tf.tensor1d([7], 'int32'), mask: tf.tensor1d([true, false], 'bool') };
    const before = tf.memory().numTensors;
    const bytes = await encodeStateDict(state, { arch: 'mlp' });
    expect(tf.memory().numTensors).toBe(before);
    expect(bytes).toEqual(saveStateDict(state, { arch: 'mlp' }));
    const back = decodeSafetensors(bytes);
    expect(back.tensors.step).toEqual({ dtype: 'I32', shape: [1], data: Int32Array.from([7]) });
    expect(back.tensors['net.0.weight'].data).toEqual(map.stateDict()['net.0.weight'].dataSync());
    await expect(encodeStateDict({ c: tf.complex([1], [2]) })).rejects.toThrow('encodeStateDict: state["c"] has dtype complex64; expected float32, int32 or bool');
    tf.dispose([state.step, state.mask]);
    await expect(encodeStateDict({ gone: state.step })).rejects.toThrow('encodeStateDict: state["gone"] is disposed');
    map.dispose();
  });

  it('saveStateDict → loadSafetensorsInto restores a module exactly and leaks no tensors', () => {
    const a = new MlpMap({ dim: 3, noiseDim: 1, hidden: [5, 4], skip: 'linear', seed: 1 });
    const b = new MlpMap({ dim: 3, noiseDim: 1, hidden: [5, 4], skip: 'linear', seed: 2 });
    const bytes = saveStateDict(a.stateDict(), { arch: 'mlp' });
    expect(decodeSafetensors(bytes).metadata).toEqual({ arch: 'mlp' });
    const before = tf.memory().numTensors;
    loadSafetensorsInto(b, bytes);
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, t] of Object.entries(a.stateDict())) expect(b.stateDict()[name].dataSync(), name).toEqual(t.dataSync());
    a.dispose();
    b.dispose();
  });

  it('keeps int32 and bool tensors', () => {
    const state = { step: tf.tensor1d([7], 'int32'), mask: tf.tensor1d([true, false], 'bool'), w: tf.tensor2d([[1, 2]]) };
    const back = loadStateDictFile(saveStateDict(state));
    expect(decodeSafetensors(saveStateDict(state)).tensors.step.dtype).toBe('I32');
    expect(back.step.dtype).toBe('int32');
    expect(back.mask.dtype).toBe('bool');
    expect(Array.from(back.mask.dataSync())).toEqual([1, 0]);
    expect(back.w.shape).toEqual([1, 2]);
    [...Object.values(state), ...Object.values(back)].forEach((t) => t.dispose());
    expect(() => saveStateDict({ c: tf.complex([1], [2]) })).toThrow('saveStateDict: state["c"] has dtype complex64; expected float32, int32 or bool');
  });

  it('loadSafetensorsInto names the mismatching key and disposes the temporaries', () => {
    const mlp = new Mlp({ inputs: 2, outputs: 1, hidden: [3] });
    const other = new Mlp({ inputs: 2, outputs: 1, hidden: [4] });
    const bytes = saveStateDict(other.stateDict());
    const before = tf.memory().numTensors;
    expect(() => loadSafetensorsInto(mlp, bytes)).toThrow('Mlp.loadStateDict: "net.0.weight" has shape [4,2], expected [3,2]');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => loadSafetensorsInto(mlp, new Uint8Array(3))).toThrow(/truncated/);
    mlp.dispose();
    other.dispose();
  });
});
