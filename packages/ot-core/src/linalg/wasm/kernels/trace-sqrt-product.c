// Tr (A^{1/2} B A^{1/2})^{1/2} = Σ √eig(A·B) for symmetric PSD A, B.
//
// A·B has the non-zero eigenvalues of the congruence C = Lᵀ Y' L, where X = P L Lᵀ Pᵀ is one input (the one of
// smaller rank), Y the other, Y' = Pᵀ Y P: n³/2 multiply-adds in place (congruence.c) when L is square, n²·r when
// it has r < n columns (W = Y'·L, then Lᵀ·W on C's lower triangle), versus n³/2 + n³/2 for K = Laᵀ Lb and K Kᵀ.
// C's eigenvalues then come from symmetric-eigenvalues.c (two-stage tridiagonalization and QL).
//
// tsp_fast, the usual case (covariances of more samples than features): unpivoted Cholesky of A, C = Lᵀ B L in
//   place of B (congruence.c: n³/2, no work array). The caller keeps the result only if A's pivots all exceed the
//   pivoted factorization's stopping tolerance and C has no eigenvalue clearly below 0 (then B is PSD too, by
//   Sylvester's law of inertia). If some eigenvalues are at rounding level, either they are genuine (nearly
//   singular but full-rank covariances) or B has a null space: tsp_check_b tells which, from B's own Cholesky.
// tsp_factor + tsp_reduce otherwise: pivoted Cholesky of both inputs (the same pivots, stopping rule and errors as
//   the JavaScript path), then the congruence on the smaller-rank side, which keeps the problem rank×rank and free
//   of the other side's null space.
#include "common.h"
#include "kernels.h"

// dst = src[perm] (one row of R = Pᵀ Y P).
NOINLINE void gather_row(f64* __restrict dst, const f64* __restrict src, const int* __restrict perm, int n) {
  for (int j = 0; j < n; j++) dst[j] = src[perm[j]];
}

// Column split of W = Y'·L balanced by work: column j costs n − j.
static int split_columns(int n, int rx, int tid, int nthreads) {
  if (tid <= 0) return 0;
  if (tid >= nthreads) return rx;
  f64 total = 0;
  for (int j = 0; j < rx; j++) total += n - j;
  f64 want = total * tid / nthreads, acc = 0;
  int j = 0;
  for (; j < rx && acc < want; j++) acc += n - j;
  return j;
}

// C = Lᵀ Y' L (rx×rx, lower triangle) over Y' (row stride n), with W = Y'·L in w; then C's eigenvalues.
static int congruence_eigenvalues(int* prm, f64* yp, f64* w, const f64* l, int n, int rx, int tid, int nthreads) {
  int* ctrl = (int*)prm[PRM_CTRL];
  f64* ws = thread_ws(prm, tid);
  // W = Y'·L (n×rx, row stride n); L(p, j) = 0 for p < j.
  int c0 = split_columns(n, rx, tid, nthreads), c1 = split_columns(n, rx, tid + 1, nthreads);
  if (c1 > c0) {
    for (int i = 0; i < n; i++) __builtin_memset(w + i * n + c0, 0, sizeof(f64) * (c1 - c0));
    gemm(n, c1 - c0, n, 1.0, yp, n, 1, A_PLAIN, 0, l + c0, n, 1, B_LOWER, c0, w + c0, n, C_FULL, 0, ws);
  }
  if (team_barrier(ctrl, nthreads)) return 1;
  // C = Lᵀ W, lower triangle, over Y'; Lᵀ(i, p) = L(p, i) = 0 for p < i. Rows split evenly (equal work).
  int i0 = split_even(rx, tid, nthreads), i1 = split_even(rx, tid + 1, nthreads);
  if (i1 > i0) {
    for (int i = i0; i < i1; i++) __builtin_memset(yp + i * n, 0, sizeof(f64) * (i + 1));
    gemm(i1 - i0, i1, n, 1.0, l + i0, 1, n, A_UPPER, i0, w, n, 1, B_PLAIN, 0, yp + i0 * n, n, C_LOWER, i0, ws);
  }
  if (team_barrier(ctrl, nthreads)) return 1;
  return eigenvalues_of(prm, yp, rx, tid, nthreads);
}

// Unpivoted Cholesky of the n×n matrix m (its lower triangle, after (M + Mᵀ)/2) in place, on the team: the rank
// reached (n, or the index of the first pivot not above tol), or −2 when the team aborted.
static int symmetrized_cholesky(int* prm, f64* m, f64 tol, int tid, int nthreads) {
  int n = prm[PRM_N];
  int* ctrl = (int*)prm[PRM_CTRL];
  symmetrize(m, n, 0, tid, nthreads);
  if (team_barrier(ctrl, nthreads)) return -2;
  return cholesky_blocked(m, n, n, tol, thread_ws(prm, tid), ctrl + CTRL_STATUS, ctrl, tid, nthreads);
}

// The fast path. out[0] = n when A's unpivoted Cholesky succeeded (then C's eigenvalues follow the results), else
// the index of the first pivot not above tolA.
EXPORT(tsp_fast)
int tsp_fast(int tid, int nthreads, int* prm) {
  int n = prm[PRM_N];
  f64* a = (f64*)prm[PRM_A];
  f64* b = (f64*)prm[PRM_B];
  f64* tol = (f64*)prm + PRM_F64;
  symmetrize(b, n, 0, tid, nthreads);  // the congruence reads only the lower triangle
  int r = symmetrized_cholesky(prm, a, tol[0], tid, nthreads);
  if (r == -2) return 1;
  if (tid == 0) ((f64*)prm[PRM_OUT])[0] = r;
  if (r < n) return 0;
  int* ctrl = (int*)prm[PRM_CTRL];
  if (congruence_lower(b, a, n, n, CONGRUENCE_BLOCK, (f64*)prm[PRM_SC], thread_ws(prm, tid), ctrl, tid, nthreads))
    return 1;
  return eigenvalues_of(prm, b, n, tid, nthreads);
}

// Certificate that B (a fresh copy in buffer R) is numerically positive definite, when tsp_fast's eigenvalues
// leave the question open: out[4] = n when B's unpivoted Cholesky succeeds (pivots above tolB), else less.
EXPORT(tsp_check_b)
int tsp_check_b(int tid, int nthreads, int* prm) {
  f64* tol = (f64*)prm + PRM_F64;
  int r = symmetrized_cholesky(prm, (f64*)prm[PRM_R], tol[2], tid, nthreads);
  if (r == -2) return 1;
  if (tid == 0) ((f64*)prm[PRM_OUT])[4] = r;
  return 0;
}

// Pivoted Cholesky of A (buffer A) and B (buffer B), one per thread. out[4·side …]: the rank (or −1, −2 on
// failure), the failing value, the rank reached.
EXPORT(tsp_factor)
int tsp_factor(int tid, int nthreads, int* prm) {
  int n = prm[PRM_N];
  f64* out = (f64*)prm[PRM_OUT];
  f64* tol = (f64*)prm + PRM_F64;
  f64* ws = thread_ws(prm, tid);
  for (int side = 0; side < 2; side++) {
    if (nthreads > 1 && side != tid) continue;
    f64* a = (f64*)prm[side == 0 ? PRM_A : PRM_B];
    int* perm = (int*)prm[side == 0 ? PRM_PERM_A : PRM_PERM_B];
    f64* dg = (f64*)prm[PRM_DG] + side * n;
    symmetrize(a, n, 0, 0, 1);
    f64* o = out + 4 * side;
    o[1] = 0;
    o[2] = 0;
    o[0] = pivoted_cholesky(a, n, n, perm, dg, tol[2 * side], tol[2 * side + 1], o + 1, ws);
  }
  return 0;
}

// After tsp_factor: X = B if PRM_X else A, of rank PRM_RX; the other buffer holds Y again (its factor was only needed
// for the rank). Y' is gathered into R, W goes to Y's buffer.
EXPORT(tsp_reduce)
int tsp_reduce(int tid, int nthreads, int* prm) {
  int n = prm[PRM_N];
  int useB = prm[PRM_X];
  int* ctrl = (int*)prm[PRM_CTRL];
  f64* y = (f64*)prm[useB ? PRM_A : PRM_B];
  const int* px = (const int*)prm[useB ? PRM_PERM_B : PRM_PERM_A];
  f64* yp = (f64*)prm[PRM_R];
  symmetrize(y, n, 1, tid, nthreads);
  if (team_barrier(ctrl, nthreads)) return 1;
  for (int i = split_even(n, tid, nthreads), i1 = split_even(n, tid + 1, nthreads); i < i1; i++)
    gather_row(yp + i * n, y + px[i] * n, px, n);
  if (team_barrier(ctrl, nthreads)) return 1;
  return congruence_eigenvalues(prm, yp, y, (f64*)prm[useB ? PRM_B : PRM_A], n, prm[PRM_RX], tid, nthreads);
}
