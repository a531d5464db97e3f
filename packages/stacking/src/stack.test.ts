import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adam, type StateDict, type TransportMap } from '@not/ot-core';
import { Stack } from './stack';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** x ↦ a·x + b (elementwise), with optional noise added as + c·z; records the training flag it was called with. */
function affine(a: number, b: number, noiseDim = 0, c = 1): TransportMap & { modes: (boolean | undefined)[] } {
  const scale = tf.variable(tf.scalar(a));
  const shift = tf.variable(tf.scalar(b));
  const modes: (boolean | undefined)[] = [];
  return {
    modes,
    variables: [scale, shift],
    noiseShape: (n) => (noiseDim ? [n, noiseDim] : null),
    apply: (x, z, options) => {
      modes.push(options?.training);
      return tf.tidy(() => {
        const y = tf.add(tf.mul(x, scale), shift);
        return noiseDim ? tf.add(y, tf.mul(z as tf.Tensor, c)) : y;
      });
    },
    stateDict: (): StateDict => ({ scale, shift }),
    loadStateDict: (s) => {
      scale.assign(s.scale as tf.Scalar);
      shift.assign(s.shift as tf.Scalar);
    },
    dispose: () => tf.dispose([scale, shift]),
  };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('Stack', () => {
  it('composes in order: T2(T1(x))', () => {
    const stack = new Stack([affine(2, 0), affine(1, 3)]);
    expect(values(stack.apply(tf.tensor2d([[1], [5]])))).toEqual([5, 13]); // 2x + 3, not 2(x + 3)
  });

  it('freezes its stages: no variables for an optimizer, stages run in inference mode', () => {
    const first = affine(2, 0);
    const stack = new Stack([first]);
    expect(stack.variables).toEqual([]);
    stack.apply(tf.ones([1, 1]));
    expect(first.modes).toEqual([false]);
    // A next stage trained on the stack's output moves only its own parameters.
    const next = affine(1, 0);
    const opt = new Adam(next.variables, { lr: 0.1 });
    tf.tidy(() => opt.apply(tf.variableGrads(() => tf.sum(tf.square(tf.sub(next.apply(stack.apply(tf.ones([4, 1]))), 7))), [...stack.variables, ...next.variables]).grads));
    expect(values(first.stateDict().scale)).toEqual([2]);
    expect(values(next.stateDict().scale)[0]).not.toBe(1);
  });

  it('nests: a stack of stacks equals the flat stack', () => {
    const maps = [affine(2, 1), affine(-1, 0.5), affine(0.5, 2)];
    const x = tf.tensor2d([[0.3], [-2]]);
    const nested = new Stack([new Stack([maps[0], maps[1]]), maps[2]]);
    expect(values(nested.apply(x))).toEqual(values(new Stack(maps).apply(x)));
  });

  it('gives each stochastic stage its own slice of the noise', () => {
    const stack = new Stack([affine(1, 0, 1, 1), affine(1, 0), affine(1, 0, 2, 10)]);
    expect(stack.noiseShape(2)).toEqual([2, 3]);
    // Stage 1 adds z[:, 0]; stage 3 adds 10·z[:, 1:3] (broadcast over its two noise columns onto x [n, 2]).
    const x = tf.zeros([2, 2]);
    const z = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    expect(values(stack.apply(x, z))).toEqual([21, 31, 54, 64]);
    expect(() => stack.apply(x)).toThrow('Stack.apply: expected noise z [2,3] (the stages\' noise, flattened and concatenated), got none');
  });

  it('saves and loads stage weights under stages.<i>.', () => {
    const a = new Stack([affine(2, 1), affine(3, 4)]);
    expect(Object.keys(a.stateDict())).toEqual(['stages.0.scale', 'stages.0.shift', 'stages.1.scale', 'stages.1.shift']);
    const b = new Stack([affine(0, 0), affine(0, 0)]);
    b.loadStateDict(a.stateDict());
    expect(values(b.apply(tf.tensor2d([[1]])))).toEqual([13]);
    expect(() => b.loadStateDict({ 'stages.5.scale': tf.scalar(1) })).toThrow('Stack.loadStateDict: unexpected keys "stages.5.scale" (this stack has 2 stages)');
    expect(() => new Stack([])).toThrow('Stack: needs at least one stage');
  });

  it('leaks no tensors', () => {
    const stack = new Stack([affine(1, 0, 1), affine(2, 0)]);
    const x = tf.ones([3, 1]);
    const z = tf.ones([3, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) stack.apply(x, z).dispose();
    expect(tf.memory().numTensors).toBe(before);
    // dispose() frees the weights of the maps it was built from: two variables each.
    stack.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});
