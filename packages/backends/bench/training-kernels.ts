/**
 * The wasm kernels @not/backends replaces for speed (Reverse, Slice, AvgPoolGrad, LeakyRelu) and the LeakyRelu
 * gradient it overrides, each timed against tfjs-backend-wasm 4.22's own in the same process, alternating runs.
 * Run: pnpm --filter @not/backends bench   (after the convolution benchmark). RUNS changes how many (default 31).
 * Shapes are those of one NOT step with UNet base 16 + ResNet potential 16/64 at 32×32, batch 16.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/index';

const REPLACES = Symbol.for('@not/backends/replaced-kernel');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ms of one call of `f` (its result read back, then freed). */
function once(f: () => tf.Tensor): number {
  const t0 = performance.now();
  const out = f();
  out.dataSync();
  const ms = performance.now() - t0;
  out.dispose();
  return ms;
}

/** Median ms of `before` and `after`, run alternately `runs` times each after one warm-up of each. */
function sideBySide(before: () => tf.Tensor, after: () => tf.Tensor, runs: number): [number, number] {
  once(before);
  once(after);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(once(before));
    b.push(once(after));
  }
  return [median(a), median(b)];
}

/** Runs `f` with tfjs's own wasm kernel `name` registered in place of ours. */
function withStock<T>(name: string, f: () => T): T {
  const ours = tf.getKernel(name, 'wasm') as tf.KernelConfig & { [REPLACES]?: tf.KernelConfig };
  const stock = ours[REPLACES];
  if (stock === undefined) throw new Error(`training-kernels bench: ${name} on wasm is not a replacement by @not/backends`);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(stock);
  try {
    return f();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(ours);
  }
}

function kernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): () => tf.Tensor {
  return () => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

interface Row {
  label: string;
  before: number;
  after: number;
}

async function main(): Promise<void> {
  const runs = Number(process.env.RUNS ?? 31);
  await useBackend('wasm');
  const rows: Row[] = [];
  const compare = (label: string, name: string, f: () => tf.Tensor) => {
    const [before, after] = sideBySide(() => withStock(name, f), f, runs);
    rows.push({ label, before, after });
  };

  for (const shape of [[3, 3, 16, 16], [3, 3, 64, 64], [3, 3, 128, 64]]) {
    const w = random(shape, 1);
    compare(`Reverse [${shape}] axes [0, 1] (filter flip)`, 'Reverse', kernel('Reverse', { x: w }, { dims: [0, 1] }));
    w.dispose();
  }
  {
    const x = random([16, 32, 32, 16], 2);
    compare('Reverse [16,32,32,16] axis 3', 'Reverse', kernel('Reverse', { x }, { dims: [3] }));
    compare('Slice [16,34,34,32] crop H, W by 1', 'Slice', kernel('Slice', { x: random([16, 34, 34, 32], 3) }, { begin: [0, 1, 1, 0], size: [16, 32, 32, 32] }));
    compare('Slice [16,32,32,48] channels 16..47 (concat grad)', 'Slice', kernel('Slice', { x: random([16, 32, 32, 48], 4) }, { begin: [0, 0, 0, 16], size: [16, 32, 32, 32] }));
    compare('Slice [16,32,32,16] batch 0..7', 'Slice', kernel('Slice', { x }, { begin: [0, 0, 0, 0], size: [8, 32, 32, 16] }));
    x.dispose();
  }
  for (const [shape, label] of [[[16, 34, 34, 32], '16x34x34x32'], [[16, 18, 18, 64], '16x18x18x64'], [[16, 10, 10, 64], '16x10x10x64']] as const) {
    const input = random([...shape], 5);
    const attrs = { filterSize: 3, strides: 2, pad: 'valid' };
    const dy = tf.avgPool(input as tf.Tensor4D, 3, 2, 'valid');
    compare(`AvgPoolGrad input [${label}], 3x3 stride 2 valid`, 'AvgPoolGrad', kernel('AvgPoolGrad', { dy, input }, attrs));
    tf.dispose([input, dy]);
  }
  for (const shape of [[16, 32, 32, 16], [16, 32, 32, 64], [16, 8, 8, 64]]) {
    const x = random(shape, 6);
    const dy = random(shape, 7);
    compare(`LeakyRelu [${shape}]`, 'LeakyRelu', kernel('LeakyRelu', { x }, { alpha: 0.2 }));
    // The gradient: tfjs-core's formula against ours (what the registered gradients compute).
    const [before, after] = sideBySide(
      () => tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2))),
      () => tf.tidy(() => tf.mul(dy, tf.step(x, 0.2))),
      runs,
    );
    rows.push({ label: `LeakyRelu gradient [${shape}]`, before, after });
    tf.dispose([x, dy]);
  }

  console.log(`\nwasm kernels, median ms of ${runs} alternating runs: tfjs-backend-wasm 4.22 | @not/backends | speed-up`);
  for (const r of rows) {
    console.log(`  ${r.label.padEnd(52)} ${r.before.toFixed(2).padStart(8)} ${r.after.toFixed(2).padStart(8)} ${(r.before / r.after).toFixed(1).padStart(6)}×`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
