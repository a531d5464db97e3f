import { getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvOps } from './conv-ops';

/** The part of tfjs-backend-wasm's BackendWasm that kernel-level composition needs. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** What a kernel function is called with. */
export type KernelArgs = Parameters<KernelFunc>[0];

/**
 * A wasm kernel in place of `existing`, which `run` may still call for the cases it leaves alone: tfjs runs a
 * kernel's setup (binding its C function) only for the registered config, so the replacement carries the original's
 * setup and disposal.
 */
export function replacing(existing: KernelConfig, run: (existing: KernelConfig, args: KernelArgs) => TensorInfo): KernelConfig {
  return {
    kernelName: existing.kernelName,
    backendName: 'wasm',
    setupFunc: existing.setupFunc,
    disposeFunc: existing.disposeFunc,
    kernelFunc: ((args: KernelArgs) => run(existing, args)) as KernelFunc,
  };
}

/** Calls a registered wasm kernel directly (no engine, no tape): intermediates are ours to dispose. */
export function runWasmKernel(
  name: string,
  backend: WasmBackendLike,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(name, 'wasm');
  if (config === undefined) {
    throw new Error(`@not/backends: the wasm kernel ${name} is not registered; import @tensorflow/tfjs-backend-wasm first`);
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** ConvOps over the wasm backend's own kernels (XNNPACK conv, native transpose/pad). */
export function wasmKernelOps(backend: WasmBackendLike): ConvOps<TensorInfo> {
  const run = (name: string, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap) =>
    runWasmKernel(name, backend, inputs, attrs);
  return {
    shape: (t) => t.shape,
    transpose: (x, perm) => run('Transpose', { x }, { perm }),
    reshape: (x, shape) => run('Reshape', { x }, { shape }),
    pad: (x, paddings) => run('PadV2', { x }, { paddings, constantValue: 0 }),
    reverse: (x, axes) => run('Reverse', { x }, { dims: axes }),
    slice: (x, begin, size) => run('Slice', { x }, { begin, size }),
    sum: (x, axis) => run('Sum', { x }, { axis: [axis], keepDims: false }),
    matMul: (a, b) => {
      // BatchMatMul takes rank-3 operands; reshapes are views (no copy).
      const [m, k] = a.shape;
      const n = b.shape[1];
      const a3 = run('Reshape', { x: a }, { shape: [1, m, k] });
      const b3 = run('Reshape', { x: b }, { shape: [1, k, n] });
      const y = run('BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
      backend.disposeData(a3.dataId);
      backend.disposeData(b3.dataId);
      const y2 = run('Reshape', { x: y }, { shape: [m, n] });
      backend.disposeData(y.dataId);
      return y2;
    },
    conv2d: (x, filter, strides, pad, dilations) =>
      run('Conv2D', { x, filter }, { strides, pad, dilations, dataFormat: 'NHWC' }),
    depthwiseConv2d: (x, filter, strides, pad, dilations) =>
      run('DepthwiseConv2dNative', { x, filter }, { strides, pad, dilations }),
    dispose: (t) => {
      backend.disposeData(t.dataId);
    },
  };
}
