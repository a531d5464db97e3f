import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { installConv2dGradient } from './conv2d-gradient';
import { adamUpdateConfig } from './kernels/adam-update';
import { avgPoolGrad } from './kernels/avg-pool-grad';
import { batchMatMul } from './kernels/batch-mat-mul';
import { conv2dBackpropFilterConfig } from './kernels/conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './kernels/conv2d-backprop-input';
import { depthwiseConv2dBackpropFilterConfig } from './kernels/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInputConfig } from './kernels/depthwise-conv2d-backprop-input';
import { leakyRelu } from './kernels/leaky-relu';
import { maxPoolGradConfig } from './kernels/max-pool-grad';
import { GUARDED_KERNELS, numericPadGuard } from './kernels/numeric-pad-guard';
import { resizeBilinearGrad } from './kernels/resize-bilinear-grad';
import { reverse } from './kernels/reverse';
import { slice } from './kernels/slice';
import { transpose } from './kernels/transpose';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';
import { installLeakyReluGradient } from './leaky-relu-gradient';
import { replacing } from './wasm-kernel-ops';

/** Marks kernel configs registered by us, across module copies, so a second call changes nothing. */
const OURS = Symbol.for('@not/backends/kernel');

/**
 * On a replacement: the wasm kernel config it replaced, so that a benchmark can time both side by side
 * (`tf.getKernel(name, 'wasm')[Symbol.for('@not/backends/replaced-kernel')]`).
 */
const REPLACES = Symbol.for('@not/backends/replaced-kernel');

type Marked = KernelConfig & { [OURS]?: true; [REPLACES]?: KernelConfig };

function mark(config: KernelConfig, replaces?: KernelConfig): Marked {
  return Object.assign(config, { [OURS]: true as const }, replaces ? { [REPLACES]: replaces } : {});
}

/** Kernels wasm 4.22 lacks, and the fused Adam update @not/ot-core runs where registered. */
const ADDED: KernelConfig[] = [
  adamUpdateConfig,
  conv2dBackpropFilterConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];

type Replacement = { name: string; make: (existing: KernelConfig) => KernelConfig };

/**
 * wasm kernels replaced: too slow (Conv2DBackpropInput, BatchMatMul with transposed operands, AvgPoolGrad,
 * LeakyRelu, Reverse, Slice, Transpose) or wrong (MaxPoolGrad, ResizeBilinearGrad half-pixel).
 */
const REPLACED: Replacement[] = [
  { name: 'AvgPoolGrad', make: (existing) => replacing(existing, avgPoolGrad) },
  { name: 'BatchMatMul', make: (existing) => replacing(existing, batchMatMul) },
  { name: 'Conv2DBackpropInput', make: () => conv2dBackpropInputConfig },
  { name: 'LeakyRelu', make: (existing) => replacing(existing, leakyRelu) },
  { name: 'MaxPoolGrad', make: () => maxPoolGradConfig },
  { name: 'ResizeBilinearGrad', make: (existing) => replacing(existing, resizeBilinearGrad) },
  { name: 'Reverse', make: (existing) => replacing(existing, reverse) },
  { name: 'Slice', make: (existing) => replacing(existing, slice) },
  { name: 'Transpose', make: (existing) => replacing(existing, transpose) },
];

/** Forward conv/pool kernels wrapped to refuse a numeric pad that tfjs sizes wrongly (see numeric-pad-guard). */
const GUARDED: Replacement[] = GUARDED_KERNELS.map((name) => ({ name, make: numericPadGuard }));

/** What {@link registerWasmTrainingKernels} set up, as tfjs kernel names (for a report line). */
export interface WasmTrainingKernels {
  /** Kernels wasm lacked, now registered (ours, or one a later tfjs-backend-wasm already ships, which we keep). */
  added: string[];
  /** wasm kernels replaced by ours (faster, or correct where the original is not). */
  replaced: string[];
  /** wasm forward kernels that now refuse numeric pads tfjs 4.22 sizes wrongly (instead of corrupting memory). */
  guarded: string[];
  /** Gradients overridden for the wasm backend only (other backends keep the original). */
  gradients: string[];
}

/**
 * Registers the training kernels that tfjs-backend-wasm 4.22 lacks, replaces the ones that are slow or wrong, and
 * installs the wasm Conv2D and LeakyRelu gradients. Call after `@tensorflow/tfjs-backend-wasm` is imported
 * (useBackend('wasm' | 'auto') does both). Safe to call any number of times.
 */
export function registerWasmTrainingKernels(): WasmTrainingKernels {
  if (getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error(
      'registerWasmTrainingKernels: the wasm backend is not loaded; expected `import "@tensorflow/tfjs-backend-wasm"` ' +
        'first (or call useBackend("wasm"))',
    );
  }
  for (const config of ADDED) {
    // Keep a kernel wasm already has (a newer tfjs-backend-wasm): we only fill gaps.
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(mark(config));
  }
  for (const { name, make } of [...REPLACED, ...GUARDED]) {
    const existing = getKernel(name, 'wasm') as Marked | undefined;
    if (existing === undefined || existing[OURS]) continue;
    const config = mark(make(existing), existing);
    unregisterKernel(name, 'wasm');
    registerKernel(config);
  }
  installConv2dGradient();
  installLeakyReluGradient();
  return {
    added: ADDED.map((k) => k.kernelName),
    replaced: REPLACED.map((k) => k.name),
    guarded: GUARDED.map((k) => k.name),
    gradients: ['Conv2D', 'LeakyRelu'],
  };
}
