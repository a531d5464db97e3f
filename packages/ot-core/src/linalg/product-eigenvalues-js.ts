import { pivotedCholeskyRaw } from './cholesky';
import { gemmNT, mirrorUpper, transposeData } from './matmul';
import { symmetrizedCopy } from './matrix';
import type { ProductEigenRequest, ProductEigenvalues } from './product-eigenvalues';
import { eigenRaw } from './symmetric-eigen';

/**
 * The non-zero eigenvalues (ascending) of A·B for PSD A, B: the eigenvalues of K Kᵀ or Kᵀ K (whichever is
 * smaller) with K = (Pa La)ᵀ (Pb Lb). The pure-JavaScript path of {@link traceSqrtProduct} (and its reference in
 * the benchmark): used where the WebAssembly kernels cannot load. ≈ 2n³ multiply-adds at ~1.2 G/s. @internal
 */
export function productEigenvaluesJs(request: ProductEigenRequest): ProductEigenvalues {
  const { a, b, n, fn, nameA, nameB, psdTolerance } = request;
  const fa = pivotedCholeskyRaw(symmetrizedCopy(a, n), n, undefined, fn, nameA, psdTolerance);
  const fb = pivotedCholeskyRaw(symmetrizedCopy(b, n), n, undefined, fn, nameB, psdTolerance);
  const ra = fa.rank;
  const rb = fb.rank;
  if (ra === 0 || rb === 0) return { values: new Float64Array(0), fullRank: false };
  // Bring Lbᵀ's columns into A's pivot order: ltb[s][i] = Lb[position of perm_a[i] in perm_b][s].
  const posB = new Int32Array(n);
  for (let i = 0; i < n; i++) posB[fb.perm[i]] = i;
  const ltb = new Float64Array(rb * n);
  for (let s = 0; s < rb; s++) {
    const row = s * n;
    for (let i = 0; i < n; i++) ltb[row + i] = fb.lt[row + posB[fa.perm[i]]];
  }
  // K[q][s] = Σ_i Lta[q][i] ltb[s][i]; Lta row q is zero before i = q.
  const k = new Float64Array(ra * rb);
  gemmNT(k, fa.lt, ltb, ra, rb, n, { aUpperTriangular: true });
  let g: Float64Array;
  let r: number;
  if (ra <= rb) {
    r = ra;
    g = new Float64Array(r * r);
    gemmNT(g, k, k, r, r, rb, { upper: true });
  } else {
    r = rb;
    const kt = transposeData(k, ra, rb);
    g = new Float64Array(r * r);
    gemmNT(g, kt, kt, r, r, ra, { upper: true });
  }
  mirrorUpper(g, r);
  return { values: eigenRaw(g, r, false, fn).values, fullRank: ra === n && rb === n };
}
