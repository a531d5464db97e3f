import { util, type KernelConfig, type TensorInfo, type TransposeAttrs } from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackendLike } from '../wasm-kernel-ops';
import { heapArray } from './heap-copy';

/**
 * The permutation on merged axes: drops axes of length 1 and merges input axes that stay next to each other, in
 * order, in the output (NHWC → CHWN, perm [3, 1, 2, 0], becomes [N, H·W, C] → [C, H·W, N], perm [2, 1, 0]).
 */
export function transposeAxes(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  // Runs of input axes that follow each other in the output order become one axis.
  const runs: number[][] = [];
  for (const axis of kept) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === axis - 1) last.push(axis);
    else runs.push([axis]);
  }
  const byInput = [...runs].sort((a, b) => a[0] - b[0]);
  return {
    shape: byInput.map((run) => run.reduce((n, axis) => n * shape[axis], 1)),
    perm: runs.map((run) => byInput.indexOf(run)),
  };
}

/** Side of the square tiles the innermost two axes are copied in: 32×32 elements of 4 bytes stay in L1. */
const TILE = 32;

/**
 * tfjs-backend-wasm 4.22's Transpose walks the output in order and reads the input at a stride wherever the
 * innermost axis moves: ~12 ns per element for NHWC → CHWN (the layout a filter gradient needs), against ~1 for a
 * copy. This one copies such permutations in square tiles of the two axes that are innermost in the input and in the
 * output, so that reads and writes both stay within a few cache lines (~2× faster); other permutations, where rows
 * stay contiguous and tfjs's kernel is fast, go to the original.
 */
export function transpose(existing: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { perm } = args.attrs as unknown as TransposeAttrs;
  const merged = transposeAxes(x.shape, perm);
  const n = merged.shape.length;
  if (x.dtype === 'string' || x.dtype === 'complex64' || n < 2 || merged.perm[n - 1] === n - 1) {
    return existing.kernelFunc(args) as TensorInfo;
  }
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(perm.map((axis) => x.shape[axis]), x.dtype);
  const src = heapArray(backend, x);
  const dst = heapArray(backend, out);
  const { shape, perm: p } = merged;
  const inStrides = util.computeStrides(shape).concat(1);
  const outShape = p.map((axis) => shape[axis]);
  const outStrides = util.computeStrides(outShape).concat(1);
  // Output stride of each input axis; the tile's axes: `row` (innermost in the output), `col` (innermost in the input).
  const outStrideOf = new Array<number>(n);
  p.forEach((axis, j) => (outStrideOf[axis] = outStrides[j]));
  const row = p[n - 1];
  const col = n - 1;
  const rowStride = inStrides[row];
  const colStride = outStrideOf[col];
  const others = shape.map((_, axis) => axis).filter((axis) => axis !== row && axis !== col);
  const outer = others.reduce((count, axis) => count * shape[axis], 1);
  for (let o = 0; o < outer; o++) {
    // The input and output offsets of outer index o, axis by axis (the last of `others` varies fastest).
    let rest = o;
    let from = 0;
    let to = 0;
    for (let k = others.length - 1; k >= 0; k--) {
      const axis = others[k];
      const i = rest % shape[axis];
      rest = (rest - i) / shape[axis];
      from += i * inStrides[axis];
      to += i * outStrideOf[axis];
    }
    for (let r0 = 0; r0 < shape[row]; r0 += TILE) {
      const r1 = Math.min(shape[row], r0 + TILE);
      for (let c0 = 0; c0 < shape[col]; c0 += TILE) {
        const c1 = Math.min(shape[col], c0 + TILE);
        for (let c = c0; c < c1; c++) {
          let read = from + r0 * rowStride + c;
          let write = to + c * colStride + r0;
          for (let r = r0; r < r1; r++, read += rowStride, write++) dst[write] = src[read];
        }
      }
    }
  }
  return out;
}
