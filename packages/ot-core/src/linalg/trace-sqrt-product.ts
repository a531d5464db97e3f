import { assertSymmetric, type Matrix } from './matrix';
import type { ProductEigenRequest, ProductEigenvalues } from './product-eigenvalues';
import { productEigenvaluesJs } from './product-eigenvalues-js';
import { productEigenvaluesWasm, type ProductEigenOptions } from './product-eigenvalues-wasm';

/** Options of {@link traceSqrtProduct}. */
export interface TraceSqrtProductOptions {
  /** Relative symmetry tolerance of the input checks (default 1e-6). */
  symmetryTolerance?: number;
  /** Cholesky pivots down to −psdTolerance·max(diag) count as rounding (default 1e-6); below that, not PSD. */
  psdTolerance?: number;
}

/**
 * Tr (A^{1/2} B A^{1/2})^{1/2} for symmetric positive semi-definite A and B: the cross term of the
 * Bures–Wasserstein / Fréchet distance. Equal to Σ √μ over the eigenvalues μ of A·B, and symmetric in A and B.
 *
 * Computed without any matrix square root, from Cholesky factors. With A = L Lᵀ positive definite, A·B has the
 * eigenvalues of the congruence C = Lᵀ B L, which is reduced to tridiagonal form (two-stage: to a band by
 * matrix–matrix products, then by bulge chasing) for a values-only eigen-solve: ≈ (1/6 + 1/2 + 2/3)n³
 * multiply-adds, run by SIMD WebAssembly kernels on two threads in Node (wasm/); d = 2048 takes ~2 s on two cores
 * where SciPy's sqrtm(σ1·σ2) takes ~10 s (pnpm bench). Singular covariances are fine: when A or B is numerically
 * singular, pivoted Cholesky factors stop at the numerical ranks ra, rb and the congruence is formed on the
 * smaller-rank side, so both null spaces are truncated; forming A^{1/2} B A^{1/2} for a singular B instead adds
 * terms of size √(ε‖A‖‖B‖) per null direction (~1e-8 relative), and eigenvalues at rounding level (≤ r·ε·max)
 * then count as 0.
 * Where WebAssembly is unavailable, the same factorizations run in JavaScript (K = (Pa La)ᵀ (Pb Lb), Σ √eig(K Kᵀ)),
 * about 8× slower.
 */
export function traceSqrtProduct(a: Matrix, b: Matrix, options: TraceSqrtProductOptions = {}): number {
  const fn = 'traceSqrtProduct';
  assertSymmetric(fn, 'a', a, options.symmetryTolerance);
  assertSymmetric(fn, 'b', b, options.symmetryTolerance);
  if (a.rows !== b.rows) {
    throw new Error(`${fn}: a and b must have the same size, got ${a.rows}×${a.rows} and ${b.rows}×${b.rows}`);
  }
  return traceSqrtProductRaw(a.data, b.data, a.rows, fn, 'a', 'b', options.psdTolerance);
}

/** {@link traceSqrtProduct} on validated raw data; errors name `fn`, `nameA` and `nameB`. @internal */
export function traceSqrtProductRaw(
  a: Float64Array,
  b: Float64Array,
  n: number,
  fn: string,
  nameA: string,
  nameB: string,
  psdTolerance?: number,
): number {
  if (n === 0) return 0;
  return sumSqrtAboveRounding(productEigenvalues({ a, b, n, fn, nameA, nameB, psdTolerance }));
}

/** How {@link traceSqrtProductRaw} computes: the WebAssembly kernels where they load ('auto'), or pinned. @internal */
export type TraceSqrtProductMethod = 'auto' | 'js' | ({ kind: 'wasm' } & ProductEigenOptions);

let method: TraceSqrtProductMethod = 'auto';

/** Pins the method of every later call (benchmarks and tests); returns the previous one. @internal */
export function setTraceSqrtProductMethod(next: TraceSqrtProductMethod): TraceSqrtProductMethod {
  const prev = method;
  method = next;
  return prev;
}

/** The eigenvalues (ascending) of A·B by the current method. */
function productEigenvalues(request: ProductEigenRequest): ProductEigenvalues {
  if (method === 'js') return productEigenvaluesJs(request);
  const mu = productEigenvaluesWasm(request, method === 'auto' ? {} : method);
  if (mu !== null) return mu;
  if (method !== 'auto') throw new Error(`${request.fn}: the WebAssembly kernels are not available here`);
  return productEigenvaluesJs(request);
}

/** Σ √μ over the eigenvalues of A·B: negatives (rounding) count as 0, and so does noise from a truncated null space. */
function sumSqrtAboveRounding({ values: mu, fullRank }: ProductEigenvalues): number {
  const r = mu.length;
  if (r === 0) return 0;
  // With a singular side, the reduced problem's eigenvalues carry absolute errors of about r·ε·μ_max: a direction
  // of range(A) that B annihilates comes out as ±1e-16·μ_max instead of 0, and its square root (1e-8) would
  // dominate the error, so values at that level count as 0. With both sides positive definite every eigenvalue is
  // genuine: nearly singular covariances (barely more samples than features) have hundreds below ε·μ_max whose
  // square roots add up to 1e-6 of the total, and SciPy's sqrtm counts them too.
  const floor = fullRank ? 0 : r * Number.EPSILON * mu[r - 1];
  let s = 0;
  for (let i = 0; i < r; i++) if (mu[i] > floor) s += Math.sqrt(mu[i]);
  return s;
}
