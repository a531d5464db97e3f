// Blocked Cholesky without pivoting, the fast path for numerically positive-definite covariances (the usual FID
// case: more samples than features). For such matrices it is as accurate as the pivoted factorization (unpivoted
// Cholesky is backward stable for SPD matrices), and it avoids the symmetric row/column swaps, whose strided
// column accesses cost as much as the arithmetic at n = 2048. The caller falls back to pivoted_cholesky as soon as a
// pivot is not above the pivoted factorization's own stopping tolerance, so singular, nearly singular and
// indefinite inputs keep its rank decisions and error messages.
//
// Per panel of NB columns: unblocked Cholesky of the NB×NB diagonal block (in L1), a triangular solve for the rows
// below (one pass over each row: x·L₁₁ᵀ = a), then the rank-NB update of the trailing lower triangle (GEMM).
#include "common.h"
#include "kernels.h"

#define NB 64

INLINE f64 dot(const f64* x, const f64* y, int len) {
  v2 acc0 = vsplat(0), acc1 = acc0;
  int p = 0;
  for (; p + 4 <= len; p += 4) {
    acc0 = vmadd(acc0, vload(x + p), vload(y + p));
    acc1 = vmadd(acc1, vload(x + p + 2), vload(y + p + 2));
  }
  f64 s = vhsum(vadd(acc0, acc1));
  for (; p < len; p++) s += x[p] * y[p];
  return s;
}

// Unblocked Cholesky of the diagonal block [j0, j1) (earlier panels already applied). Returns −1, or the first
// index whose pivot is not above tol.
NOINLINE int factor_diagonal_block(f64* a, int ld, int j0, int j1, f64 tol) {
  for (int j = j0; j < j1; j++) {
    f64* rj = a + j * ld;
    f64 d = rj[j] - dot(rj + j0, rj + j0, j - j0);
    if (!(d > tol)) return j;
    f64 ljj = fsqrt(d);
    rj[j] = ljj;
    f64 inv = 1 / ljj;
    for (int i = j + 1; i < j1; i++) {
      f64* ri = a + i * ld;
      ri[j] = (ri[j] - dot(ri + j0, rj + j0, j - j0)) * inv;
    }
  }
  return -1;
}

// Rows [i0, i1) below the diagonal block: solve x L₁₁ᵀ = a_i for x = L[i][j0..j0+w), one row at a time.
NOINLINE void solve_rows(f64* a, int ld, int j0, int w, int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    f64* x = a + i * ld + j0;
    for (int q = 0; q < w; q++) {
      const f64* lq = a + (j0 + q) * ld + j0;
      x[q] = (x[q] - dot(x, lq, q)) / lq[q];
    }
  }
}

// Factors the lower triangle of a (row stride ld) in place, on the team: thread 0 factors each diagonal block, the
// threads split the rows below it and the trailing update. Returns n, or the first index j whose pivot is not above
// tol (the factorization is then abandoned, a is partly overwritten); every thread returns the same value.
// status: one shared int32 word. Returns −2 when the team aborted.
int cholesky_blocked(f64* a, int n, int ld, f64 tol, f64* ws, int* status, int* ctrl, int tid, int nthreads) {
  for (int j0 = 0; j0 < n; j0 += NB) {
    int j1 = imin(n, j0 + NB);
    if (tid == 0) *status = factor_diagonal_block(a, ld, j0, j1, tol);
    if (team_barrier(ctrl, nthreads)) return -2;
    int fail = __atomic_load_n(status, __ATOMIC_SEQ_CST);
    if (fail >= 0) return fail;
    int m = n - j1;
    int r0 = j1 + split_even(m, tid, nthreads), r1 = j1 + split_even(m, tid + 1, nthreads);
    for (int i0 = r0; i0 < r1; i0 += 64) solve_rows(a, ld, j0, j1 - j0, i0, imin(r1, i0 + 64));
    if (team_barrier(ctrl, nthreads)) return -2;
    if (m > 0) {
      // Lower-triangle rows split by area: thread t takes rows [m·√(t/T), m·√((t+1)/T)).
      int s0 = split_area(m, tid, nthreads), s1 = split_area(m, tid + 1, nthreads);
      const f64* l21 = a + j1 * ld + j0;
      if (s1 > s0)
        gemm(s1 - s0, s1, j1 - j0, -1.0, l21 + s0 * ld, ld, 1, A_PLAIN, 0, l21, 1, ld, B_PLAIN, 0,
             a + (j1 + s0) * ld + j1, ld, C_LOWER, s0, ws);
    }
    if (team_barrier(ctrl, nthreads)) return -2;
  }
  return n;
}
