import { LINALG_KERNELS_THREADS_WASM, LINALG_KERNELS_WASM } from './linalg-kernels-wasm';
import { startWorkerTeam, WorkerTeamFailure, type WorkerTeam } from './worker-team';

/**
 * The WebAssembly float64 kernels (kernels/*.c): one instance on the main thread, plus, in Node, one worker thread
 * running a second instance on the same shared memory, so the O(n³) steps use two cores. Loaded synchronously on
 * first use; `null` where WebAssembly (with SIMD) is missing, and then the callers keep their JavaScript path.
 * @internal
 */
export interface WasmKernels {
  /** Threads a call may use: 2 with a worker, else 1. */
  readonly maxThreads: number;
  /** Makes the memory at least `bytes` long (from address 0). */
  reserve(bytes: number): void;
  f64(): Float64Array;
  i32(): Int32Array;
  /** Runs an entry point on `threads` threads with the parameter block at PRM; returns thread 0's result. */
  run(entry: KernelEntry, threads: number): number;
}

/** The exported entry points (kernels/trace-sqrt-product.c, kernels/symmetric-eigenvalues.c). */
const KERNEL_ENTRIES = ['tsp_fast', 'tsp_check_b', 'tsp_factor', 'tsp_reduce', 'eigenvalues'] as const;
export type KernelEntry = (typeof KERNEL_ENTRIES)[number];
type EntryFn = (tid: number, nthreads: number, prm: number) => number;

// Fixed addresses below the data (the kernels use no stack, but lld still reserves one at the bottom).
/** Control block of the team (int32 words, see kernels/common.h and worker-team.ts). @internal */
export const CTRL = 64 * 1024;
/** Parameter block (PRM_* words of kernels/common.h). @internal */
export const PRM = CTRL + 256;
/** First byte of the per-call data. @internal */
export const DATA = 128 * 1024;

/** Doubles of one thread's GEMM workspace (kernels/common.h WS_DOUBLES: MC·KC + KC·NC + MR·NR). @internal */
export const WS_DOUBLES = 128 * 256 + 256 * 1024 + 16;

const PAGE = 65536;
// The threaded build declares a 2 GiB maximum (build-kernels.sh).
const MAX_SHARED_PAGES = 32768;

let cached: WasmKernels | null | undefined;

/** The kernels, or null where they cannot run (no WebAssembly, no SIMD, or a synchronous compile refused). @internal */
export function wasmKernels(): WasmKernels | null {
  if (cached === undefined) cached = load();
  return cached;
}

// Below this order a call takes milliseconds, and the worker's wake-ups would cost more than they save.
const MIN_N_FOR_THREADS = 320;

/**
 * Runs `call` with the kernels on `threads` threads (default: 2 where a worker is available and n ≥ 320, else 1);
 * null where the kernels are unavailable. If the worker dies mid-call, the buffers are in no known state, so the
 * call starts over on this thread alone. @internal
 */
export function callKernels<T>(
  n: number,
  threads: number | undefined,
  call: (k: WasmKernels, threads: number) => T,
): T | null {
  const k = wasmKernels();
  if (k === null) return null;
  try {
    return call(k, Math.min(threads ?? (n >= MIN_N_FOR_THREADS ? 2 : 1), k.maxThreads));
  } catch (e) {
    if (e instanceof WorkerTeamFailure) return call(k, 1);
    throw e;
  }
}

function load(): WasmKernels | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') return null;
  return loadThreaded() ?? loadSingle();
}

function loadSingle(): WasmKernels | null {
  try {
    const module = new WebAssembly.Module(decodeBase64(LINALG_KERNELS_WASM));
    const memory = new WebAssembly.Memory({ initial: DATA / PAGE + 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return makeKernels(memory, instance, null);
  } catch {
    return null;
  }
}

/** Two threads: only in Node (worker_threads, Atomics.wait on the main thread) with cross-thread shared memory. */
function loadThreaded(): WasmKernels | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function' || typeof SharedArrayBuffer !== 'function') return null;
  try {
    const os = proc.getBuiltinModule('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] };
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    if (cores < 2) return null;
    const module = new WebAssembly.Module(decodeBase64(LINALG_KERNELS_THREADS_WASM));
    const memory = new WebAssembly.Memory({ initial: DATA / PAGE + 1, maximum: MAX_SHARED_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const team = startWorkerTeam(proc.getBuiltinModule, module, memory, CTRL, PRM, KERNEL_ENTRIES);
    if (team === null) return null;
    return makeKernels(memory, instance, team);
  } catch {
    return null;
  }
}

function makeKernels(memory: WebAssembly.Memory, instance: WebAssembly.Instance, team: WorkerTeam | null): WasmKernels {
  const exports = instance.exports as unknown as Record<KernelEntry, EntryFn>;
  let f64 = new Float64Array(memory.buffer);
  let i32 = new Int32Array(memory.buffer);
  const refresh = () => {
    if (f64.buffer !== memory.buffer || f64.byteLength !== memory.buffer.byteLength) {
      f64 = new Float64Array(memory.buffer);
      i32 = new Int32Array(memory.buffer);
    }
  };
  return {
    get maxThreads() {
      return team !== null && team.alive() ? 2 : 1;
    },
    reserve(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
      refresh();
    },
    f64() {
      refresh();
      return f64;
    },
    i32() {
      refresh();
      return i32;
    },
    run(entry: KernelEntry, threads: number): number {
      if (threads > 1 && team !== null && team.alive()) {
        return team.run(entry, () => exports[entry](0, 2, PRM));
      }
      return exports[entry](0, 1, PRM);
    },
  };
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
