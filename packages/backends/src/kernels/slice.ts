import {
  slice_util,
  util,
  type KernelConfig,
  type SliceAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackendLike } from '../wasm-kernel-ops';
import { copyRun, heapArray } from './heap-copy';

/** One axis of a slice after merging: the input's length along it, the first index kept and how many. */
export interface SliceAxis {
  extent: number;
  begin: number;
  size: number;
}

/**
 * Merges each axis into its outer neighbour when the inner one is kept whole or the outer one keeps a single index:
 * either way the merged axis still reads one contiguous range per outer index. Leaves the longest possible innermost
 * run (a crop of H and W in NHWC copies W·C at a time instead of C).
 */
export function sliceAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]): SliceAxis[] {
  const axes: SliceAxis[] = [];
  let cur: SliceAxis | undefined;
  for (let a = shape.length - 1; a >= 0; a--) {
    const next = { extent: shape[a], begin: begin[a], size: size[a] };
    if (cur === undefined) {
      cur = next;
    } else if (cur.size === cur.extent || next.size === 1) {
      cur = { extent: next.extent * cur.extent, begin: next.begin * cur.extent + cur.begin, size: next.size * cur.size };
    } else {
      axes.unshift(cur);
      cur = next;
    }
  }
  if (cur !== undefined) axes.unshift(cur);
  return axes;
}

/**
 * tfjs-backend-wasm 4.22's Slice copies a 4-D slice one innermost row at a time with subarray + set: cropping H and
 * W of an NHWC tensor with 16 channels makes one 64-byte set call per pixel (2.6 ms for [16, 32, 32, 16], 4× a full
 * copy). This one merges axes (see `sliceAxes`) so that runs are as long as possible and copies short runs with a
 * loop. Strings and scalars go to the original kernel.
 */
export function slice(existing: KernelConfig, args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) {
    return existing.kernelFunc(args) as TensorInfo;
  }
  const { begin, size } = args.attrs as unknown as SliceAttrs;
  const [b, s] = slice_util.parseSliceParams(x, begin, size);
  slice_util.assertParamsValid(x, b, s);
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(s, x.dtype);
  const total = util.sizeFromShape(s);
  if (total === 0) return out;
  const src = heapArray(backend, x);
  const dst = heapArray(backend, out);
  const axes = sliceAxes(x.shape, b, s);
  const inner = axes.pop() as SliceAxis;
  const run = inner.size;
  const strides = new Array<number>(axes.length);
  let stride = inner.extent;
  for (let a = axes.length - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= axes[a].extent;
  }
  let from = inner.begin;
  for (let a = 0; a < axes.length; a++) from += axes[a].begin * strides[a];
  const index = new Array<number>(axes.length).fill(0);
  for (let to = 0; to < total; to += run) {
    copyRun(src, from, dst, to, run);
    for (let a = axes.length - 1; a >= 0; a--) {
      if (++index[a] < axes[a].size) {
        from += strides[a];
        break;
      }
      index[a] = 0;
      from -= strides[a] * (axes[a].size - 1);
    }
  }
  return out;
}
