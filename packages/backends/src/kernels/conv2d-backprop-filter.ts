import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { conv2dFilterGradient } from '../conv-gradients';
import { wasmKernelOps, type WasmBackendLike } from '../wasm-kernel-ops';

/** tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: this one is a forward XNNPACK convolution (see conv-gradients). */
function conv2dBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: unknown;
  attrs?: unknown;
}): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return conv2dFilterGradient(wasmKernelOps(args.backend as WasmBackendLike), x, dy, info);
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
