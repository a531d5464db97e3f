import { layoutCall, readEigenvalues } from './wasm/call-layout';
import { callKernels } from './wasm/wasm-kernels';

/**
 * Eigenvalues (ascending) of the symmetric n×n matrix `a` (raw row-major data, validated symmetric by the caller;
 * its lower triangle of (A + Aᵀ)/2 is used) with the WebAssembly kernels: two-stage tridiagonalization (band
 * reduction by matrix–matrix products, then bulge chasing) and root-free QL, ≈ (2/3)n³ multiply-adds on two threads
 * in Node. Null where the kernels are unavailable. @internal
 */
export function symmetricEigenvaluesWasm(
  a: Float64Array,
  n: number,
  fn: string,
  threads?: number,
): Float64Array | null {
  return callKernels(n, threads, (k, nthreads) => {
    const layout = layoutCall(k, n, undefined, true);
    if (layout === null) return null;
    k.f64().set(a.subarray(0, n * n), layout.r / 8);
    k.run('eigenvalues', nthreads);
    return readEigenvalues(k, layout, n, fn);
  });
}
