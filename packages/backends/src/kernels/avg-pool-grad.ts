import {
  backend_util,
  type AvgPoolGradAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseInputGradient } from '../conv-gradients';
import { type KernelArgs, wasmKernelOps, type WasmBackendLike } from '../wasm-kernel-ops';

/**
 * tfjs-backend-wasm 4.22's AvgPoolGrad is a scalar loop ~30× slower than the forward pool (25 ms for dy
 * [16, 16, 16, 32] of a 3×3 stride-2 pool). The gradient of an average pool is the input gradient of a depthwise
 * convolution whose taps are all 1/(kh·kw): this runs that as one XNNPACK depthwise convolution of the
 * zero-upsampled dy (the same path as DepthwiseConv2dNativeBackpropInput), ~8× faster.
 *
 * Semantics are tfjs's (cpu and wasm alike): every window divides by kh·kw, also where 'same' or numeric padding
 * cuts it (the forward divides those by the in-bounds count, so only 'valid' pooling, e.g. of an explicitly
 * zero-padded input as PyTorch's count_include_pad=True, has its true gradient). Non-float32 dy goes to the original.
 */
export function avgPoolGrad(existing: KernelConfig, args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (dy.dtype !== 'float32') return existing.kernelFunc(args) as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as AvgPoolGradAttrs & {
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (input.shape.length !== 4) {
    throw new Error(`AvgPoolGrad on wasm: expected input of rank 4 [B, H, W, C], got shape [${input.shape}]`);
  }
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== info.outShape[i])) {
    throw new Error(
      `AvgPoolGrad on wasm: expected dy of shape [${info.outShape}] for input [${input.shape}], filter ` +
        `${info.filterHeight}x${info.filterWidth}, strides ${info.strideHeight}x${info.strideWidth}, got [${dy.shape}]`,
    );
  }
  const backend = args.backend as WasmBackendLike;
  const { filterHeight: kh, filterWidth: kw, inChannels: c } = info;
  const filter = backend.makeOutput([kh, kw, c, 1], 'float32');
  (backend.typedArrayFromHeap(filter) as Float32Array).fill(1 / (kh * kw));
  try {
    return depthwiseInputGradient(wasmKernelOps(backend), dy, filter, info);
  } finally {
    backend.disposeData(filter.dataId);
  }
}
