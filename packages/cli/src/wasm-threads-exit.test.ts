import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// A child process with the built @not/backends (built before this package's tests): tfjs's threaded wasm keeps a
// pool of worker threads, and a command must still end on its own when its work is done.
const script = (threads: string) => `
  import * as tf from '@tensorflow/tfjs-core';
  import { useBackend } from '@not/backends';
  import '@not/ot-core'; // registers tfjs's gradients
  const report = await useBackend('wasm', ${threads});
  const x = tf.randomNormal([4, 16, 16, 8], 0, 1, 'float32', 1);
  const w = tf.variable(tf.randomNormal([3, 3, 8, 8], 0, 1, 'float32', 2));
  const { value } = tf.variableGrads(() => tf.sum(tf.square(tf.conv2d(x, w, 1, 'same'))), [w]);
  console.log(JSON.stringify({ detail: report.detail.split(';')[0], loss: value.dataSync()[0] }));
`;

const run = async (threads: string, flags: string[] = []) => {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', script(threads)], {
    cwd: new URL('..', import.meta.url),
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { detail: string; loss: number };
};

describe('threaded wasm in Node', () => {
  it('runs on every core, gives the single-threaded result, and lets the process exit by itself', async () => {
    // A V8 flag on the main process (which Worker would refuse to inherit) must not stop the threads.
    const [threaded, single] = await Promise.all([run('{}', ['--max-old-space-size=2048']), run('{ threads: 1 }')]);
    const cores = Math.min(availableParallelism(), 8);
    // oneDNN's kernels, where @not/onednn is built, on as many threads as wasm's.
    const detail = (n: number) => {
      const threads = `${n} thread${n === 1 ? '' : 's'}`;
      return new RegExp(`^SIMD, ${threads}, (oneDNN \\S+ convolutions and batch norm on ${threads}|no oneDNN kernels \\(.+\\))$`);
    };
    expect(threaded.detail).toMatch(detail(cores));
    expect(single.detail).toMatch(detail(1));
    expect(threaded.loss).toBeGreaterThan(0);
    expect(Math.abs(threaded.loss - single.loss) / single.loss).toBeLessThan(1e-5);
  });
});
