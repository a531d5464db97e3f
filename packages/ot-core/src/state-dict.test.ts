import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { cloneStateDict, disposeStateDict, joinStateDicts, prefixStateDict, stateDictPart } from './state-dict';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('state-dict helpers', () => {
  it('prefix, join and take a part back', () => {
    const conv = { weight: 1, bias: 2 };
    const norm = { running_mean: 3 };
    expect(prefixStateDict('inc.0', conv)).toEqual({ 'inc.0.weight': 1, 'inc.0.bias': 2 });
    expect(prefixStateDict('', conv)).toEqual(conv);
    const joined = joinStateDicts([['a', conv], ['a.1', norm], ['', { top: 4 }]]);
    expect(Object.keys(joined)).toEqual(['a.weight', 'a.bias', 'a.1.running_mean', 'top']);
    // A part is taken whole: 'a.' matches 'a.1.…' too; 'ab.x' is not under 'a'.
    expect(stateDictPart({ ...joined, 'ab.x': 5 }, 'a')).toEqual({ weight: 1, bias: 2, '1.running_mean': 3 });
    expect(stateDictPart(joined, 'a.1')).toEqual(norm);
    expect(stateDictPart(joined, 'missing')).toEqual({});
  });

  it('clones into owned copies and disposes them', () => {
    const state = { w: tf.tensor1d([1, 2]), b: tf.scalar(3) };
    const before = tf.memory().numTensors;
    const copy = cloneStateDict(state);
    expect(tf.memory().numTensors).toBe(before + 2);
    state.w.dispose();
    expect(Array.from(copy.w.dataSync())).toEqual([1, 2]);
    disposeStateDict(copy);
    expect(copy.b.isDisposed && copy.w.isDisposed).toBe(true);
    expect(state.b.isDisposed).toBe(false);
    state.b.dispose();
  });
});
