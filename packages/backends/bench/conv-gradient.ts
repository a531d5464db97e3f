/**
 * Median timings of the convolution gradient kernels: wasm (ours and tfjs's own) against cpu.
 * Run: pnpm --filter @not/backends bench   (bundles this file with tsup, then runs it in Node).
 * CPU_RUNS, CPU_SHAPES, WASM_RUNS change how much is measured.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/index';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/**
 * Median ms of `runs` calls of a kernel (after one warm-up). Inputs are made afresh for every call, as in training,
 * where weights change each step: XNNPACK repacks an operand it takes as weights whenever it is a new tensor.
 */
function time(kernel: string, inputs: Record<string, number[]>, attrs: object, runs: number): number {
  const once = (seed: number) => {
    const tensors = Object.entries(inputs).map(([k, shape], i) => [k, random(shape, seed + i)] as const);
    const t0 = performance.now();
    const out = tf.engine().runKernel(kernel, Object.fromEntries(tensors), attrs as tf.NamedAttrMap) as tf.Tensor;
    out.dataSync();
    const ms = performance.now() - t0;
    tf.dispose([out, ...tensors.map(([, t]) => t)]);
    return ms;
  };
  once(0);
  return median(Array.from({ length: runs }, (_, r) => once(10 * (r + 1))));
}

interface Shape {
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
}

async function main(): Promise<void> {
  const shapes: Shape[] = [
    { label: 'x [16,32,32,32], filter 3x3x32x32, stride 1, same', x: [16, 32, 32, 32], filter: [3, 3, 32, 32], strides: 1 },
    { label: 'x [16,64,64,16], filter 3x3x16x16, stride 1, same', x: [16, 64, 64, 16], filter: [3, 3, 16, 16], strides: 1 },
    { label: 'x [16,32,32,32], filter 4x4x32x64, stride 2, same', x: [16, 32, 32, 32], filter: [4, 4, 32, 64], strides: 2 },
    { label: 'x [16,64,64,64], filter 1x1x64x128 (pointwise: a matMul), stride 1', x: [16, 64, 64, 64], filter: [1, 1, 64, 128], strides: 1 },
  ];
  // cpu's Conv2DBackpropFilter takes about a minute per call at these sizes: by default only the first shape, 3 runs.
  const cpuRuns = Number(process.env.CPU_RUNS ?? 3);
  const cpuShapes = Number(process.env.CPU_SHAPES ?? 1);
  const wasmRuns = Number(process.env.WASM_RUNS ?? 21);

  // tfjs's own wasm Conv2DBackpropInput, captured before useBackend replaces it.
  await import('@tensorflow/tfjs-backend-wasm');
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  await useBackend('cpu');
  await useBackend('wasm');
  const oursInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  // It was unregistered before the wasm backend initialised, so its setup (binding the C function) never ran.
  stockInput.setupFunc?.(tf.findBackend('wasm'));

  for (const [index, s] of shapes.entries()) {
    const info = tf.backend_util.computeConv2DInfo(s.x, s.filter, s.strides, 1, 'same');
    const dy = info.outShape;
    const common = { strides: s.strides, pad: 'same', dataFormat: 'NHWC' };
    const filterAttrs = { ...common, filterShape: s.filter };
    const inputAttrs = { ...common, inputShape: s.x };
    const rows: Array<[string, number]> = [];

    await tf.setBackend('wasm');
    rows.push(['wasm Conv2D forward', time('Conv2D', { x: s.x, filter: s.filter }, { ...common, dilations: 1 }, wasmRuns)]);
    rows.push(['wasm Conv2DBackpropFilter (@not/backends)', time('Conv2DBackpropFilter', { x: s.x, dy }, filterAttrs, wasmRuns)]);
    rows.push(['wasm Conv2DBackpropInput (@not/backends)', time('Conv2DBackpropInput', { dy, filter: s.filter }, inputAttrs, wasmRuns)]);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(stockInput);
    rows.push(['wasm Conv2DBackpropInput (tfjs 4.22)', time('Conv2DBackpropInput', { dy, filter: s.filter }, inputAttrs, wasmRuns)]);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(oursInput);

    if (index < cpuShapes && cpuRuns > 0) {
      await tf.setBackend('cpu');
      rows.push(['cpu Conv2DBackpropFilter', time('Conv2DBackpropFilter', { x: s.x, dy }, filterAttrs, cpuRuns)]);
      rows.push(['cpu Conv2DBackpropInput', time('Conv2DBackpropInput', { dy, filter: s.filter }, inputAttrs, cpuRuns)]);
    }

    console.log(`\n${s.label}`);
    for (const [name, ms] of rows) console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
