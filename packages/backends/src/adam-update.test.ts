import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, type AdamOptions } from '@not/ot-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs as OtCoreAttrs } from '@not/ot-core/testing';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './kernels/adam-update';
import { useBackend } from './index';
import { difference, randomValues, seededRandom } from './test-helpers';

// Small ones take the kernel's JavaScript loop, [64, 2100] its wasm kernels.
const SHAPES = [[3, 5], [7], [2, 3, 4, 5], [1], [64, 2100]];

/** Adam steps on variables of SHAPES from seeded values and gradients; the final params and moments. */
function train(options: AdamOptions, steps: number): Float32Array[] {
  const rand = seededRandom(11);
  const vars = SHAPES.map((shape) => tf.variable(tf.tensor(randomValues(rand, shape), shape)));
  const adam = new Adam(vars, options);
  for (let s = 0; s < steps; s++) {
    const grads = Object.fromEntries(vars.map((v) => [v.name, tf.tensor(randomValues(rand, v.shape), v.shape)]));
    tf.engine().startScope();
    const before = tf.memory().numTensors;
    adam.apply(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.engine().endScope();
    tf.dispose(Object.values(grads));
  }
  const values = [...vars, ...Object.values(adam.stateDict())].map((t) => t.dataSync() as Float32Array);
  tf.dispose(vars);
  adam.dispose();
  return values;
}

describe('fused Adam update (wasm)', () => {
  it('registers under the name, and takes the attributes, that ot-core\'s Adam uses', () => {
    expect(ADAM_UPDATE).toBe(ADAM_UPDATE_KERNEL);
    // Type-checked both ways (pnpm typecheck): the two attribute interfaces are the same shape.
    const attrs: OtCoreAttrs = { lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, biasCorrection1: 0.1, biasCorrection2: 0.001 };
    const ours: AdamUpdateAttrs = attrs;
    const back: OtCoreAttrs = ours;
    void back;
  });

  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const options of [{ lr: 0.01 }, { lr: (t: number) => 0.05 / (1 + t), betas: [0.5, 0.9] as [number, number], eps: 1e-3, weightDecay: 0.1 }]) {
    it(`equals the update in tfjs ops on cpu (${JSON.stringify(options, (_, v) => (typeof v === 'function' ? 'schedule' : v))})`, async () => {
      expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'wasm')).toBeDefined();
      const fused = train(options, 6);
      await useBackend('cpu');
      expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')).toBeUndefined();
      const ops = train(options, 6);
      await useBackend('wasm');
      fused.forEach((got, i) => expect(difference(got, ops[i]).relative).toBeLessThan(1e-5));
      // The params moved: equal results are not two untouched starts.
      expect(difference(fused[0], train({ lr: 1e-9 }, 1)[0]).maxAbs).toBeGreaterThan(1e-3);
    });
  }

  it('runs one kernel per variable, and checks its inputs', async () => {
    const v = tf.variable(tf.ones([4, 4]));
    const adam = new Adam([v], { lr: 0.1 });
    const g = tf.ones([4, 4]);
    const profile = await tf.profile(() => adam.apply({ [v.name]: g }));
    expect(profile.kernels.map((k) => k.name).filter((name) => name !== 'Identity')).toEqual([ADAM_UPDATE_KERNEL]);
    expect(() => tf.engine().runKernel(ADAM_UPDATE_KERNEL, { param: v, grad: tf.ones([4]), m: v, v }, {})).toThrow(
      'NotAdamUpdate: grad must be float32 of the param\'s shape [4,4], got float32 [4]',
    );
    tf.dispose([v, g]);
    adam.dispose();
  });
});
