// Eigenvalues of a symmetric matrix: band reduction (matrix–matrix products), bulge chasing to tridiagonal form,
// then the root-free QL iteration (tridiagonal-eigenvalues.c).
#include "common.h"
#include "kernels.h"

// Column j of the band storage (LD = 2·bw: the lower band and room for the bulge) from the matrix.
NOINLINE void band_column(f64* ab, const f64* a, int n, int ld, int bw, int j) {
  int LD = 2 * bw;
  f64* col = ab + j * LD;
  int top = imin(bw, n - 1 - j);
  for (int q = 0; q <= top; q++) col[q] = a[(j + q) * ld + j];
  for (int q = top + 1; q < LD; q++) col[q] = 0;
}

// Eigenvalues (unsorted, into the output block after the results; NaN first if the QL iteration failed) of the n×n
// symmetric matrix in the lower triangle of a (row stride PRM_N, destroyed); the tridiagonal form's sub-diagonal
// follows them. Returns the team's abort flag.
int eigenvalues_of(int* prm, f64* a, int n, int tid, int nthreads) {
  if (n <= 0) return 0;
  int ld = prm[PRM_N];
  int* ctrl = (int*)prm[PRM_CTRL];
  f64* sc = (f64*)prm[PRM_SC];
  f64* ab = (f64*)prm[PRM_BAND];
  f64* d = (f64*)prm[PRM_OUT] + OUT_WORDS;
  f64* e = d + ld;
  int bw = imax(1, imin(prm[PRM_BW], n - 1));
  if (band_reduce(a, n, ld, bw, sc, thread_ws(prm, tid), ctrl, tid, nthreads)) return 1;
  int LD = 2 * bw;
  if (tid == 0) {
    for (int j = 0; j < n; j++) band_column(ab, a, n, ld, bw, j);
    ctrl[CTRL_PROG0] = -1;
    ctrl[CTRL_PROG0 + 1] = -1;
    ctrl[CTRL_SLEEP] = 0;
  }
  if (team_barrier(ctrl, nthreads)) return 1;
  if (band_to_tridiagonal(ab, n, bw, sc, ctrl, tid, nthreads)) return 1;
  if (team_barrier(ctrl, nthreads)) return 1;
  if (tid == 0) {
    for (int j = 0; j < n; j++) d[j] = ab[j * LD];
    for (int j = 0; j + 1 < n; j++) e[j] = ab[j * LD + 1];
    // The eigenvalues themselves (d ← them, unsorted; e kept); out-of-range sweeps are reported by d[0] = NaN.
    if (tridiagonal_eigenvalues(d, e, sc, n)) d[0] = __builtin_nan("");
  }
  return 0;
}

// Entry point of symmetricEigenvalues: the matrix in buffer R (its lower triangle, after (A + Aᵀ)/2); the
// eigenvalues (unsorted) go after the results.
EXPORT(eigenvalues)
int eigenvalues(int tid, int nthreads, int* prm) {
  int n = prm[PRM_N];
  f64* r = (f64*)prm[PRM_R];
  symmetrize(r, n, 0, tid, nthreads);
  if (team_barrier((int*)prm[PRM_CTRL], nthreads)) return 1;
  return eigenvalues_of(prm, r, n, tid, nthreads);
}
