import type { BatchMatMulAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, runWasmKernel, type WasmBackendLike } from '../wasm-kernel-ops';

/**
 * tfjs-backend-wasm 4.22 multiplies transposed operands 10–18× slower than plain ones (measured: [1024,256]·[256,256]
 * 9.6 ms plain, 109 ms with transposeB, 184 ms with transposeA). Every matMul gradient uses a transposed operand, so
 * dense-network training pays that on each step. Transposing explicitly first (a cheap copy) and calling the plain
 * kernel gives the same products at the plain speed.
 */
export function batchMatMul(existing: KernelConfig, args: KernelArgs): TensorInfo {
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  if (!transposeA && !transposeB) return existing.kernelFunc(args) as TensorInfo;
  const backend = args.backend as WasmBackendLike;
  const swapLast = (x: TensorInfo) => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return runWasmKernel('Transpose', backend, { x }, { perm });
  };
  const a = transposeA ? swapLast(args.inputs.a as TensorInfo) : args.inputs.a;
  const b = transposeB ? swapLast(args.inputs.b as TensorInfo) : args.inputs.b;
  try {
    return existing.kernelFunc({ ...args, inputs: { ...args.inputs, a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
  } finally {
    if (transposeA) backend.disposeData((a as TensorInfo).dataId);
    if (transposeB) backend.disposeData((b as TensorInfo).dataId);
  }
}
