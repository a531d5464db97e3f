import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from '../wasm-kernel-ops';

/** Raw elements: float32 and int32 as 32-bit integers (copies are bit-exact and skip float conversion), bool as bytes. */
export type HeapArray = Int32Array | Uint8Array;

/**
 * A view of a tensor's data inside the wasm heap (no copy), for copying elements. Take it after the kernel's last
 * makeOutput: allocating can grow the heap and detach earlier views.
 */
export function heapArray(backend: WasmBackendLike, t: TensorInfo): HeapArray {
  const view = backend.typedArrayFromHeap(t);
  return view instanceof Uint8Array ? view : new Int32Array(view.buffer, view.byteOffset, view.length);
}

/** Below this many elements a plain loop beats subarray + set (which allocates a view per call). */
const SET_FROM = 64;

/** dst[to .. to + n) = src[from .. from + n). */
export function copyRun(src: HeapArray, from: number, dst: HeapArray, to: number, n: number): void {
  if (n >= SET_FROM) {
    dst.set(src.subarray(from, from + n), to);
  } else {
    for (let j = 0; j < n; j++) dst[to + j] = src[from + j];
  }
}
