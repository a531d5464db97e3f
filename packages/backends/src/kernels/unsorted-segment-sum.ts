import {
  UnsortedSegmentSum,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';

interface WasmBackendWithValues {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): TensorInfo;
}

/**
 * Missing on wasm 4.22; it is the gradient of tf.gather. No wasm kernel does a scatter-add, so this reads the data
 * and accumulates in JS: one pass, O(size of x), which is cheaper than cpu's one-mask-per-segment formulation.
 * Ids outside [0, numSegments) are dropped, as on cpu.
 */
function unsortedSegmentSum(args: {
  inputs: { x?: TensorInfo; segmentIds?: TensorInfo };
  backend: unknown;
  attrs?: unknown;
}): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as UnsortedSegmentSumAttrs;
  const backend = args.backend as WasmBackendWithValues;
  const xs = backend.readSync(x.dataId);
  const ids = backend.readSync(segmentIds.dataId);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xo = i * inner;
    for (let j = 0; j < inner; j++) out[o + j] += xs[xo + j];
  }
  return backend.makeOutput([numSegments, ...innerShape], x.dtype, undefined, out);
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
