import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../wasm-kernel-ops';
import { type BackendLike, runWebGpuKernel } from './resize-bilinear-grad-webgpu';

/**
 * tfjs-backend-webgpu 4.22's BatchMatMul with transposeB gives wrong products for long inner dimensions (measured:
 * K = 2048 with M·N of 4×128 or 16×128 off by a factor of ten and more, K = 1024 right; the split-K program it picks
 * for such shapes mishandles a transposed b). B is transposed first, and the product taken without transposeB, which
 * it gets right. The Fashion-MNIST classifier's hidden layer (2048 → 128) is such a product.
 */
export function batchMatMulWebGpu(original: KernelConfig, args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  if (!(args.attrs as { transposeB?: boolean }).transposeB) return original.kernelFunc(args) as TensorInfo;
  const backend = args.backend as unknown as BackendLike;
  const rank = b.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const bt = runWebGpuKernel('Transpose', backend, { x: b }, { perm });
  const out = original.kernelFunc({ ...args, inputs: { a, b: bt }, attrs: { ...args.attrs, transposeB: false } }) as TensorInfo;
  backend.disposeData(bt.dataId);
  return out;
}
