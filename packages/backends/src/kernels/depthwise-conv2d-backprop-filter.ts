import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseFilterGradient } from '../conv-gradients';
import { wasmKernelOps, type WasmBackendLike } from '../wasm-kernel-ops';

/** Missing on wasm 4.22: a depthwise XNNPACK convolution over (sample, channel) pairs, summed over the batch. */
function depthwiseConv2dBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: unknown;
  attrs?: unknown;
}): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    args.attrs as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  return depthwiseFilterGradient(wasmKernelOps(args.backend as WasmBackendLike), x, dy, info);
}

export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropFilter as unknown as KernelFunc,
};
