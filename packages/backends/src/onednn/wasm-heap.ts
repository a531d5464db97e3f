import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm the native kernels use: its heap and where each tensor lives in it. */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array; wasmMemory?: { buffer: ArrayBufferLike } };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

let lastBuffer: ArrayBufferLike | undefined;
let lastHeap: Uint8Array | undefined;

/**
 * A byte view of the whole wasm memory, taken anew when the memory has grown (growth replaces the buffer object:
 * an ArrayBuffer is detached, a SharedArrayBuffer is re-wrapped). Call after the kernel's last makeOutput.
 */
export function heapOf(backend: WasmBackendInternals): Uint8Array {
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  if (buffer !== lastBuffer || lastHeap === undefined || lastHeap.byteLength !== buffer.byteLength) {
    lastBuffer = buffer;
    lastHeap = new Uint8Array(buffer);
  }
  return lastHeap;
}

/** The byte offsets in the heap of the named tensors, in order, −1 for an absent one (an optional bias). */
export function offsetsOf(backend: WasmBackendInternals, kernel: string, tensors: [string, TensorInfo | undefined][]): Float64Array {
  return Float64Array.from(tensors, ([name, t]) => {
    if (t === undefined) return -1;
    const offset = backend.dataIdMap.get(t.dataId)?.memoryOffset;
    if (typeof offset !== 'number') {
      throw new Error(`${kernel} (oneDNN): ${name} has no data in the wasm heap (got offset ${String(offset)})`);
    }
    return offset;
  });
}
