// What both paths behind traceSqrtProduct (product-eigenvalues-js.ts, product-eigenvalues-wasm.ts) take and return.

/**
 * One eigenvalue problem of A·B: raw row-major n×n data of symmetric PSD A and B (validated symmetric and finite by
 * the caller), and the names its errors use. @internal
 */
export interface ProductEigenRequest {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly n: number;
  /** The public function the errors name. */
  readonly fn: string;
  readonly nameA: string;
  readonly nameB: string;
  /** Cholesky pivots down to −psdTolerance·max(diag) count as rounding (default DEFAULT_PSD_TOLERANCE). */
  readonly psdTolerance?: number;
}

/** The eigenvalues of A·B. @internal */
export interface ProductEigenvalues {
  /** Ascending. */
  readonly values: Float64Array;
  /**
   * Both A and B are numerically positive definite: every eigenvalue is genuine, however small (nearly singular
   * covariances have many far below ε·max). Otherwise a null space was truncated, and values at rounding level
   * are noise.
   */
  readonly fullRank: boolean;
}
