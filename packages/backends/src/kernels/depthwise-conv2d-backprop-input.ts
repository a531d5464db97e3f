import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseInputGradient } from '../conv-gradients';
import { wasmKernelOps, type WasmBackendLike } from '../wasm-kernel-ops';

/** Missing on wasm 4.22: a depthwise XNNPACK convolution of the zero-upsampled dy with the flipped filter. */
function depthwiseConv2dBackpropInput(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: unknown;
  attrs?: unknown;
}): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } =
    args.attrs as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  return depthwiseInputGradient(wasmKernelOps(args.backend as WasmBackendLike), dy, filter, info);
}

export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropInput as unknown as KernelFunc,
};
