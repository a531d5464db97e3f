import { DEFAULT_PSD_TOLERANCE } from './matrix';
import type { ProductEigenRequest, ProductEigenvalues } from './product-eigenvalues';
import {
  layoutCall,
  PRM_RX,
  PRM_X,
  readEigenvalues,
  setParam,
  setTolerances,
  type PivotTolerances,
} from './wasm/call-layout';
import { callKernels, type WasmKernels } from './wasm/wasm-kernels';

/** Options of {@link productEigenvaluesWasm} (benchmarks and tests pin them; callers leave them out). @internal */
export interface ProductEigenOptions {
  /** Threads to use (default: 2 where a worker is available and n ≥ 320, else 1). */
  threads?: number;
  /** Bandwidth of the two-stage tridiagonalization. */
  bandwidth?: number;
}

/**
 * The eigenvalues (ascending) of A·B with the WebAssembly kernels (kernels/trace-sqrt-product.c); null where they
 * are unavailable.
 *
 * Fast path, for numerically positive-definite covariances: unpivoted Cholesky A = L Lᵀ, the congruence C = Lᵀ B L
 * in place, and C's eigenvalues by two-stage tridiagonalization: ≈ (1/6 + 1/2 + 2/3)n³ multiply-adds, nearly all in
 * blocked SIMD matrix products, on two threads in Node. Otherwise the same contract as productEigenvaluesJs:
 * pivoted Cholesky of both sides (same pivots, stopping rule and error messages), then the eigenvalues of the
 * rank×rank congruence on the smaller-rank side.
 * @internal
 */
export function productEigenvaluesWasm(
  request: ProductEigenRequest,
  options: ProductEigenOptions = {},
): ProductEigenvalues | null {
  return callKernels(request.n, options.threads, (k, threads) => run(k, request, threads, options.bandwidth));
}

function run(
  k: WasmKernels,
  request: ProductEigenRequest,
  threads: number,
  bandwidth: number | undefined,
): ProductEigenvalues | null {
  const { a, b, n, fn } = request;
  const layout = layoutCall(k, n, bandwidth);
  if (layout === null) return null;
  const tolerances = [a, b].map((m) => pivotTolerances(m, n, request.psdTolerance ?? DEFAULT_PSD_TOLERANCE));
  setTolerances(k, tolerances[0], tolerances[1]);
  const put = (m: Float64Array, at: number) => k.f64().set(m.subarray(0, n * n), at / 8);
  const result = (word: number) => k.f64()[layout.out / 8 + word];

  // Fast path: A numerically positive definite (every unpivoted pivot above the pivoted stopping tolerance), and
  // C = Laᵀ B La positive semi-definite up to rounding, hence B too (Sylvester's law of inertia). Eigenvalues at
  // rounding level are either genuine (nearly singular covariances) or B's null space: B's own Cholesky decides.
  // Otherwise (A or B singular, or an eigenvalue clearly negative) the pivoted path truncates the null spaces
  // (or throws).
  put(a, layout.a);
  put(b, layout.b);
  k.run('tsp_fast', threads);
  if (result(0) === n) {
    const values = readEigenvalues(k, layout, n, fn);
    const floor = n * Number.EPSILON * values[n - 1];
    if (values[0] > floor) return { values, fullRank: true };
    if (values[0] >= -floor) {
      put(b, layout.r);
      k.run('tsp_check_b', threads);
      if (result(4) === n) return { values, fullRank: true };
    }
  }

  // Rank-revealing path: pivoted Cholesky of both.
  put(a, layout.a);
  put(b, layout.b);
  k.run('tsp_factor', threads);
  const [ra, rb] = [0, 1].map((side) => {
    const [code, value, rankReached] = [0, 1, 2].map((i) => result(4 * side + i));
    const name = side === 0 ? request.nameA : request.nameB;
    const { maxDiag, negTol } = tolerances[side];
    if (code === -1) {
      throw new Error(
        `${fn}: ${name} must be positive semi-definite, got a remaining pivot of ${value.toExponential(3)} ` +
          `(largest diagonal ${maxDiag.toExponential(3)})`,
      );
    }
    if (code === -2) {
      throw new Error(
        `${fn}: ${name} must be positive semi-definite, got a remainder entry of ${value.toExponential(3)} after ` +
          `rank ${rankReached} (tolerance ${negTol.toExponential(3)})`,
      );
    }
    return code;
  });
  if (ra === 0 || rb === 0) return { values: new Float64Array(0), fullRank: false };
  // Congruence on the smaller-rank side X; Y's buffer (its factor is no longer needed) gets Y back.
  const useB = rb < ra;
  const rx = useB ? rb : ra;
  put(useB ? a : b, useB ? layout.a : layout.b);
  setParam(k, PRM_X, useB ? 1 : 0);
  setParam(k, PRM_RX, rx);
  k.run('tsp_reduce', threads);
  return { values: readEigenvalues(k, layout, rx, fn), fullRank: ra === n && rb === n };
}

/** pivotedCholeskyRaw's tolerances: stop at n·ε·max(diag); pivots down to −max(psdTol·max, 10·stop) are rounding. */
function pivotTolerances(m: Float64Array, n: number, psdTolerance: number): PivotTolerances & { maxDiag: number } {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, m[i * n + i]);
  const tol = n * Number.EPSILON * maxDiag;
  return { maxDiag, tol, negTol: Math.max(psdTolerance * maxDiag, 10 * tol) };
}
