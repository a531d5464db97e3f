// Cholesky with complete (diagonal) pivoting, blocked: the same pivots and stopping rule as the JavaScript
// pivotedCholeskyRaw (LAPACK dpstrf's), with the O(n³) part moved into matrix multiplies.
//
// Within a panel of NB columns the factorization is left-looking: column j subtracts only the panel's earlier
// columns (the trailing matrix already holds every earlier panel's update), and the pivot is chosen from the
// running Schur-complement diagonal dg. After the panel, one rank-NB update A₂₂ −= L₂₁ L₂₁ᵀ (lower triangle)
// brings the trailing matrix up to date. A symmetric row/column swap on the lower triangle also swaps the rows
// of L computed so far, because L lives in the same array.
#include "common.h"

#define NB 32

INLINE f64 dot(const f64* x, const f64* y, int len) {
  v2 acc = vsplat(0);
  int p = 0;
  for (; p + 2 <= len; p += 2) acc = vmadd(acc, vload(x + p), vload(y + p));
  f64 s = vhsum(acc);
  if (p < len) s += x[p] * y[p];
  return s;
}

INLINE void swap_f64(f64* x, f64* y) {
  f64 t = *x;
  *x = *y;
  *y = t;
}

INLINE void swap_int(int* x, int* y) {
  int t = *x;
  *x = *y;
  *y = t;
}

// Swaps indices j < piv of the symmetric matrix held in its lower triangle (LAPACK dsyswapr's pattern).
static void swap_lower(f64* a, int n, int ld, int j, int piv) {
  f64* rj = a + j * ld;
  f64* rp = a + piv * ld;
  for (int c = 0; c < j; c++) swap_f64(rj + c, rp + c);
  swap_f64(rj + j, rp + piv);
  for (int k = j + 1; k < piv; k++) swap_f64(a + k * ld + j, rp + k);
  for (int k = piv + 1; k < n; k++) swap_f64(a + k * ld + j, a + k * ld + piv);
}

// Column j of the panel starting at j0: pivot choice, swap, the column from the panel's earlier columns, and the
// running diagonal. Returns 0, 1 (stop: no pivot above tol) or −1 (a remaining pivot below −negTol, in out[0]).
NOINLINE int pivot_column(f64* a, int n, int ld, int j0, int j, int* perm, f64* dg, f64 tol, f64 negTol, f64* out) {
  int piv = j;
  f64 minRemaining = dg[j];
  for (int i = j + 1; i < n; i++) {
    if (dg[i] > dg[piv]) piv = i;
    if (dg[i] < minRemaining) minRemaining = dg[i];
  }
  if (minRemaining < -negTol) {
    out[0] = minRemaining;
    return -1;
  }
  if (!(dg[piv] > tol)) return 1;
  if (piv != j) {
    swap_lower(a, n, ld, j, piv);
    swap_int(perm + j, perm + piv);
    swap_f64(dg + j, dg + piv);
  }
  const f64* lj = a + j * ld;
  for (int i = j + 1; i < n; i++) {
    f64* li = a + i * ld;
    li[j] -= dot(li + j0, lj + j0, j - j0);
  }
  f64 ljj = fsqrt(dg[j]);
  a[j * ld + j] = ljj;
  f64 inv = 1 / ljj;
  for (int i = j + 1; i < n; i++) {
    f64 x = a[i * ld + j] * inv;
    a[i * ld + j] = x;
    dg[i] -= x * x;
  }
  return 0;
}

// Rows [i0, i1) of the unfactored remainder (columns ≥ r): the first entry above tol in magnitude, as its flat
// index, or −1.
NOINLINE int remainder_violation(const f64* a, int ld, int r, int i0, int i1, f64 tol) {
  for (int i = i0; i < i1; i++)
    for (int c = r; c <= i; c++)
      if (fabs_(a[i * ld + c]) > tol) return i * ld + c;
  return -1;
}

// Factors the n×n symmetric matrix whose lower triangle is in `a` (row stride ld): afterwards columns 0..rank−1
// of the lower trapezoid hold L, perm[i] is the original index of pivot position i. Returns the rank, or
// −1 (a remaining pivot below −negTol; out[0] = that pivot) or −2 (an entry of the unfactored remainder above
// negTol in magnitude; out[0] = that entry, out[1] = the rank reached).
int pivoted_cholesky(f64* a, int n, int ld, int* perm, f64* dg, f64 tol, f64 negTol, f64* out, f64* ws) {
  for (int i = 0; i < n; i++) {
    perm[i] = i;
    dg[i] = a[i * ld + i];
  }
  for (int j0 = 0; j0 < n; j0 += NB) {
    int j1 = imin(n, j0 + NB);
    int stop = -1;
    for (int j = j0; j < j1; j++) {
      int status = pivot_column(a, n, ld, j0, j, perm, dg, tol, negTol, out);
      if (status < 0) return -1;
      if (status > 0) {
        stop = j;
        break;
      }
    }
    int jend = stop >= 0 ? stop : j1;
    if (jend < n && jend > j0) {
      // A₂₂ −= L₂₁ L₂₁ᵀ with this panel's columns (the remainder, when the factorization stopped inside it).
      const f64* l21 = a + jend * ld + j0;
      gemm(n - jend, n - jend, jend - j0, -1.0, l21, ld, 1, A_PLAIN, 0, l21, 1, ld, B_PLAIN, 0,
           a + jend * ld + jend, ld, C_LOWER, 0, ws);
    }
    if (stop >= 0) {
      // What is left must be negligible: for PSD, |s_ij| ≤ √(s_ii s_jj), but an indefinite remainder can hide
      // behind a small diagonal (e.g. [[0, 1], [1, 0]]), so every entry is checked.
      for (int i0 = stop; i0 < n; i0 += 64) {
        int at = remainder_violation(a, ld, stop, i0, imin(n, i0 + 64), negTol);
        if (at >= 0) {
          out[0] = a[at];
          out[1] = stop;
          return -2;
        }
      }
      return stop;
    }
  }
  return n;
}
