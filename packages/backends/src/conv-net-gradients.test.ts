import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from './index';
import { difference, onBackend, oneDnnLoads, randomValues, seededRandom } from './test-helpers';

type Params = Record<string, { shape: number[]; values: Float32Array }>;

function makeParams(seed: number, shapes: Record<string, number[]>): Params {
  const rand = seededRandom(seed);
  const out: Params = {};
  for (const [k, shape] of Object.entries(shapes)) {
    out[k] = { shape, values: randomValues(rand, shape).map((v) => v * 0.5) };
  }
  return out;
}

const conv = (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor, strides = 1) => {
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, 'same');
  return b ? tf.add(y, b) : y;
};

/** Batch norm written with moments (the fast formulation on wasm). */
const batchNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2], true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
};

/**
 * A two-level UNet: conv, batch norm, relu, maxpool 2x2, bilinear upsampling with align corners, concat. No conv
 * bias before batch norm (as in the reference UNet): its true gradient is 0, so only rounding noise is left to compare.
 */
const UNET_SHAPES = {
  w1: [3, 3, 3, 4], g1: [4], be1: [4],
  w2: [3, 3, 4, 8], g2: [8], be2: [8],
  w3: [3, 3, 12, 4], b3: [4],
  w4: [1, 1, 4, 3], b4: [3],
};

function unetLoss(x: tf.Tensor, target: tf.Tensor, p: Record<string, tf.Tensor>): tf.Scalar {
  const e1 = tf.relu(batchNorm(conv(x, p.w1), p.g1, p.be1));
  const e2 = tf.relu(batchNorm(conv(tf.maxPool(e1 as tf.Tensor4D, 2, 2, 'valid'), p.w2), p.g2, p.be2));
  const up = tf.image.resizeBilinear(e2 as tf.Tensor4D, [8, 8], true);
  const d1 = tf.relu(conv(tf.concat([e1, up], 3), p.w3, p.b3));
  const out = tf.tanh(conv(d1, p.w4, p.b4));
  return tf.mean(tf.square(tf.sub(out, target)));
}

/** A ResNet potential: conv, leaky relu, residual block, PyTorch-style avgpool 3x3/2/1, strided and fused convs, fc. */
const RESNET_SHAPES = {
  w0: [3, 3, 3, 4], b0: [4],
  wa: [3, 3, 4, 4], ba: [4], wb: [3, 3, 4, 4], bb: [4],
  ws: [1, 1, 4, 8], wc: [3, 3, 4, 8], bc: [8],
  wd: [4, 4, 8, 8], bd: [8],
  fc: [2 * 2 * 8, 1], fcb: [1],
};

function resnetLoss(x: tf.Tensor, target: tf.Tensor, p: Record<string, tf.Tensor>): tf.Scalar {
  const lrelu = (t: tf.Tensor) => tf.leakyRelu(t, 0.2);
  const h0 = lrelu(conv(x, p.w0, p.b0));
  const h1 = lrelu(tf.add(h0, tf.mul(0.1, conv(lrelu(conv(h0, p.wa, p.ba)), p.wb, p.bb))));
  const pooled = tf.avgPool(tf.pad(h1, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D, 3, 2, 'valid');
  const h2 = lrelu(tf.add(conv(pooled, p.ws), tf.fused.conv2d({
    x: pooled as tf.Tensor4D, filter: p.wc as tf.Tensor4D, bias: p.bc, strides: 1, pad: 'same', activation: 'relu',
  })));
  const h3 = lrelu(conv(h2, p.wd, p.bd, 2));
  const scores = tf.add(tf.matMul(tf.reshape(h3, [h3.shape[0], -1]), p.fc), p.fcb);
  return tf.mean(tf.mul(scores, target));
}

function allGradients(
  loss: (x: tf.Tensor, t: tf.Tensor, p: Record<string, tf.Tensor>) => tf.Scalar,
  params: Params,
  x: Float32Array,
  target: { shape: number[]; values: Float32Array },
): Record<string, Float32Array> {
  return tf.tidy(() => {
    const names = Object.keys(params);
    const xs = tf.tensor(x, [2, 8, 8, 3]);
    const ts = tf.tensor(target.values, target.shape);
    const f = (...args: tf.Tensor[]) => loss(xs, ts, Object.fromEntries(names.map((n, i) => [n, args[i]])));
    const grads = tf.grads(f)(names.map((n) => tf.tensor(params[n].values, params[n].shape)));
    return Object.fromEntries(names.map((n, i) => [n, Float32Array.from(grads[i].dataSync())]));
  });
}

// Both ways wasm computes convolutions: tfjs' kernels, and oneDNN's where the addon is built.
for (const oneDnn of [false, true]) {
  const skip = oneDnn && !oneDnnLoads();
  describe.skipIf(skip)(`full gradients of small conv nets on wasm (${oneDnn ? 'oneDNN' : 'wasm'} convolutions) equal those on cpu`, () => {
    beforeAll(async () => {
      await useBackend('cpu');
      const report = await useBackend('wasm', { oneDnn });
      expect(report.oneDnn?.loaded).toBe(oneDnn);
    });

    const cases = [
      { name: 'UNet', loss: unetLoss, shapes: UNET_SHAPES, target: [2, 8, 8, 3] },
      { name: 'ResNet', loss: resnetLoss, shapes: RESNET_SHAPES, target: [2, 1] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await useBackend('wasm', { oneDnn });
        const rand = seededRandom(41);
        const params = makeParams(42, c.shapes);
        const x = randomValues(rand, [2, 8, 8, 3]);
        const target = { shape: c.target, values: randomValues(rand, c.target) };
        const want = await onBackend('cpu', () => allGradients(c.loss, params, x, target));
        const before = tf.memory().numTensors;
        const got = await onBackend('wasm', () => allGradients(c.loss, params, x, target));
        expect(tf.memory().numTensors).toBe(before);
        let worst = 0;
        for (const name of Object.keys(params)) {
          const d = difference(got[name], want[name]);
          worst = Math.max(worst, d.relative);
          expect(d.relative, name).toBeLessThan(1e-5);
        }
        console.log(`${c.name} (${oneDnn ? 'oneDNN' : 'wasm'}): ${Object.keys(params).length} gradients, worst relative error ${worst.toExponential(2)}`);
      });
    }
  });
}

