import { CTRL, DATA, PRM, WS_DOUBLES, type WasmKernels } from './wasm-kernels';

// Word indices of the parameter block that a caller sets after layoutCall (kernels/common.h PRM_*).
/** @internal */
export const PRM_X = 13;
/** @internal */
export const PRM_RX = 14;

const PRM_F64 = 8;
/** Doubles of results before d and e in the output block (kernels/common.h OUT_WORDS). @internal */
export const OUT_WORDS = 8;

/** Byte addresses of the buffers of one call that the caller fills or reads, in the kernels' memory. @internal */
export interface CallLayout {
  readonly a: number;
  readonly b: number;
  readonly r: number;
  readonly out: number;
}

/** Block size of the in-place congruence Lᵀ B L (kernels/congruence.c; also its scratch). */
export const CONGRUENCE_BLOCK = 128;

/** Default bandwidth of the two-stage tridiagonalization (measured best for n = 512 … 2048 on two cores). */
export const DEFAULT_BANDWIDTH = 32;

/**
 * Lays out the buffers of an n×n call (n×n matrices A, B and R, pivots, scratch, band, results) after DATA, grows the
 * memory to fit, and writes the parameter block. Returns null when it would not fit in the 2 GiB address space.
 * `onlyR`: calls that use only R (the eigenvalues) get no A and B.
 * @internal
 */
export function layoutCall(k: WasmKernels, n: number, bandwidth = DEFAULT_BANDWIDTH, onlyR = false): CallLayout | null {
  const bw = Math.max(1, bandwidth);
  let at = DATA;
  const take = (bytes: number) => {
    const p = at;
    at += Math.ceil(bytes / 16) * 16;
    return p;
  };
  const a = take(onlyR ? 0 : 8 * n * n);
  const b = take(onlyR ? 0 : 8 * n * n);
  const r = take(8 * n * n);
  const permA = take(4 * n);
  const permB = take(4 * n);
  const dg = take(16 * n);
  const ws = take(8 * 2 * WS_DOUBLES);
  // Shared scratch, for one step at a time: the congruence (6·kb·n + kb², kb = CONGRUENCE_BLOCK), the band reduction
  // (7·n·b + 3·b² + 2·b), the bulge chasing (2·b per thread), the QL iteration (n).
  const sc = take(8 * (n * Math.max(6 * CONGRUENCE_BLOCK, 7 * bw) + 4 * CONGRUENCE_BLOCK ** 2 + 4 * bw * bw + 4 * bw));
  const band = take(8 * 2 * bw * n);
  const out = take(8 * (OUT_WORDS + 2 * n));
  if (at > 2 ** 31 - 65536) return null;
  k.reserve(at);
  const i32 = k.i32();
  const p = PRM / 4;
  i32.fill(0, p, p + 64);
  // Words PRM_N … PRM_BW of kernels/common.h, in order.
  i32.set([n, a, b, r, permA, permB, dg, ws, CTRL, sc, band, out, bw], p);
  return { a, b, r, out };
}

/** Sets one int32 word of the parameter block. @internal */
export function setParam(k: WasmKernels, word: number, value: number): void {
  k.i32()[PRM / 4 + word] = value;
}

/** Stopping and negative-pivot tolerances of the Cholesky factorizations of A and B. @internal */
export interface PivotTolerances {
  readonly tol: number;
  readonly negTol: number;
}

/** Sets the tolerances (f64 words PRM_F64 …: tolA, negTolA, tolB, negTolB). @internal */
export function setTolerances(k: WasmKernels, a: PivotTolerances, b: PivotTolerances): void {
  k.f64().set([a.tol, a.negTol, b.tol, b.negTol], PRM / 8 + PRM_F64);
}

/** The r eigenvalues a call left after the results, sorted ascending; throws if the QL iteration failed. @internal */
export function readEigenvalues(k: WasmKernels, layout: CallLayout, r: number, fn: string): Float64Array {
  const o = layout.out / 8 + OUT_WORDS;
  const values = k.f64().slice(o, o + r);
  if (r > 0 && Number.isNaN(values[0])) throw new Error(`${fn}: the QL iteration did not converge`);
  return values.sort();
}
