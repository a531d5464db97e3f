// Eigenvalues of a symmetric tridiagonal matrix: the root-free implicit QL iteration with Wilkinson shifts (Pal,
// Walker and Kahan; Parlett, The Symmetric Eigenvalue Problem, §8.15). The rotation is carried as c² and s², the
// bulge as γ and p = γ²/c², so a step costs a few multiplies and two divisions and no square root (tridiagonalQl in
// tridiagonal-ql.ts, which also accumulates eigenvectors, needs a square root and three divisions per step, in one
// dependency chain). O(n²): ~80 ms at n = 2048, after the O(n³) reduction.
#include "common.h"
#include "kernels.h"

#define EPS 2.220446049250313e-16

// The power of two nearest above x's leading bit (x > 0, finite): scaling by it is exact.
static f64 pow2_of(f64 x) {
  union {
    f64 f;
    unsigned long long u;
  } v;
  v.f = x;
  v.u &= 0x7ff0000000000000ULL;
  return v.f;
}

// One QL sweep on the unreduced block l..m with shift sigma.
NOINLINE void ql_sweep(f64* d, f64* e2, int l, int m, f64 sigma) {
  f64 c2 = 1, s2 = 0;
  f64 gamma = d[m] - sigma;
  f64 p = gamma * gamma;
  for (int i = m - 1; i >= l; i--) {
    f64 bb = e2[i];
    f64 t = p + bb;
    if (i != m - 1) e2[i + 1] = s2 * t;
    f64 c2old = c2;
    f64 inv = 1 / t;
    c2 = p * inv;
    s2 = bb * inv;
    f64 gammaOld = gamma;
    f64 alpha = d[i];
    gamma = c2 * (alpha - sigma) - s2 * gammaOld;
    d[i + 1] = gammaOld + (alpha - gamma);
    p = c2 != 0 ? (gamma * gamma) / c2 : c2old * bb;
  }
  e2[l] = s2 * p;
  d[l] = sigma + gamma;
}

// Overwrites d (n) with the eigenvalues (unsorted) of the tridiagonal matrix (d, e), e having n−1 entries; e2 is
// n doubles of scratch. Returns 0, or 1 when an eigenvalue needed more than 60 sweeps.
int tridiagonal_eigenvalues(f64* d, const f64* e, f64* e2, int n) {
  if (n <= 0) return 0;
  f64 maxAbs = 0;
  for (int i = 0; i < n; i++) {
    if (fabs_(d[i]) > maxAbs) maxAbs = fabs_(d[i]);
    if (i + 1 < n && fabs_(e[i]) > maxAbs) maxAbs = fabs_(e[i]);
  }
  if (maxAbs == 0) return 0;
  // Entries of order 1, so that squares neither overflow nor underflow.
  f64 scale = pow2_of(maxAbs), inv = 1 / scale;
  f64 norm = 0;
  for (int i = 0; i < n; i++) {
    d[i] *= inv;
    f64 ei = i + 1 < n ? e[i] * inv : 0;
    e2[i] = ei * ei;
  }
  for (int i = 0; i < n; i++) {
    f64 row = fabs_(d[i]) + fsqrt(e2[i]) + (i > 0 ? fsqrt(e2[i - 1]) : 0);
    if (row > norm) norm = row;
  }
  // e_m negligible: e_m² ≤ ε²·|d_m d_m+1|, or below (ε‖T‖)² (the reduction's own error; without this test the
  // rounding-level block a rank-deficient matrix leaves would never converge).
  f64 eps2 = EPS * EPS, abs2 = eps2 * norm * norm;
  for (int l = 0; l < n; l++) {
    for (int iter = 0;; iter++) {
      int m = l;
      for (; m < n - 1; m++) {
        f64 t = e2[m];
        if (t <= eps2 * fabs_(d[m] * d[m + 1]) || t <= abs2 || t < 1e-300) break;
      }
      if (m == l) break;
      if (iter >= 60) return 1;
      // Wilkinson shift: the eigenvalue of the leading 2×2 block nearer d_l.
      f64 rte = fsqrt(e2[l]);
      f64 g = (d[l + 1] - d[l]) / (2 * rte);
      f64 r = fsqrt(g * g + 1);
      ql_sweep(d, e2, l, m, d[l] - rte / (g + (g >= 0 ? r : -r)));
    }
  }
  for (int i = 0; i < n; i++) d[i] *= scale;
  return 0;
}
