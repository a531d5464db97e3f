import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// A child process with the built package (turbo builds it before its tests): it trains a little on webgpu, calls
// release(), and must then end on its own, with WebGPU gone from the process.
const script = `
  import * as tf from '@tensorflow/tfjs-core';
  import '@not/ot-core'; // registers tfjs's gradients
  import { useBackend } from '@not/backends';
  let report;
  try {
    report = await useBackend('webgpu');
  } catch (error) {
    console.log(JSON.stringify({ skip: error.message }));
    process.exit(0);
  }
  const x = tf.randomNormal([4, 16, 16, 8], 0, 1, 'float32', 1);
  const w = tf.variable(tf.randomNormal([3, 3, 8, 8], 0, 0.1, 'float32', 2));
  let loss;
  for (let i = 0; i < 10; i++) {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.conv2d(x, w, 1, 'same'))), [w]);
    tf.tidy(() => w.assign(tf.sub(w, tf.mul(grads[w.name], 0.1))));
    loss = (await value.data())[0];
    tf.dispose([value, grads]);
  }
  report.release();
  const gone = { factory: tf.findBackendFactory('webgpu') != null, navigator: typeof globalThis.navigator?.gpu };
  // Starts again on a fresh device after a release, and releases again.
  const again = await useBackend('webgpu');
  const sum = (await tf.sum(tf.ones([5])).data())[0];
  again.release();
  console.log(JSON.stringify({
    ...gone,
    sum,
    loss,
    software: report.adapter.software,
  }));
`;

describe('release()', () => {
  it('after training on webgpu, the process exits by itself and WebGPU is gone from it; it can start again', async (ctx) => {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      timeout: 90_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    if (out.skip) {
      console.warn(`webgpu exit test skipped: ${out.skip}`);
      ctx.skip();
    }
    expect(out.loss).toBeGreaterThan(0);
    expect(out.factory).toBe(false);
    expect(out.navigator).toBe('undefined');
    expect(out.sum).toBe(5);
    console.log(`child ended ${Date.now() - started} ms after start; last loss ${out.loss}`);
  });
});
