import { getKernel, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../wasm-kernel-ops';

export interface BackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Calls a registered webgpu kernel directly (no engine, no tape): intermediates are ours to dispose. */
export function runWebGpuKernel(name: string, backend: BackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const config = getKernel(name, 'webgpu');
  if (config === undefined) throw new Error(`@not/backends: the webgpu kernel ${name} is not registered`);
  const out = config.kernelFunc({ inputs, backend: backend as never, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/**
 * tfjs-backend-webgpu 4.22's ResizeBilinearGrad with alignCorners returns zeros along an axis whose input size is 1
 * (its scale is 0/(out − 1), its search window 1/0: the UNet's upsampling of a 1×1 bottleneck, at 16×16 with four
 * poolings). Along such an axis every output copies the one input row, so its gradient is dy summed over that axis;
 * the other axis (if any) goes to the original kernel with dy summed, which it gets right.
 */
export function resizeBilinearGradWebGpu(original: KernelConfig, args: KernelArgs): TensorInfo {
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners } = args.attrs as { alignCorners?: boolean };
  const [, h, w] = images.shape;
  const [, oh, ow] = dy.shape;
  const axes = [...(alignCorners && h === 1 && oh > 1 ? [1] : []), ...(alignCorners && w === 1 && ow > 1 ? [2] : [])];
  if (axes.length === 0) return original.kernelFunc(args) as TensorInfo;
  const backend = args.backend as unknown as BackendLike;
  const summed = runWebGpuKernel('Sum', backend, { x: dy }, { axis: axes, keepDims: true });
  if (summed.shape.join() === images.shape.join()) return summed;
  const out = original.kernelFunc({ ...args, inputs: { images, dy: summed } }) as TensorInfo;
  backend.disposeData(summed.dataId);
  return out;
}
