import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { conv2dInputGradient } from '../conv-gradients';
import { wasmKernelOps, type WasmBackendLike } from '../wasm-kernel-ops';

/**
 * Replaces tfjs-backend-wasm's own Conv2DBackpropInput (a direct loop, several times slower than a forward conv):
 * a forward XNNPACK convolution of the zero-upsampled dy with the flipped filter. Also makes conv2dTranspose and
 * the gradient of tf.fused.conv2d fast on wasm.
 */
function conv2dBackpropInput(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: unknown;
  attrs?: unknown;
}): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return conv2dInputGradient(wasmKernelOps(args.backend as WasmBackendLike), dy, filter, info);
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
