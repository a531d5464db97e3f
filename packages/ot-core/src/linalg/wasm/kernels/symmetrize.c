// (A + Aᵀ)/2, as the JavaScript symmetrizedCopy: the inputs are symmetric only up to the checked tolerance.
#include "common.h"
#include "kernels.h"

// Tile row [i0, i0+32) of the lower triangle ← (A + Aᵀ)/2, as the JavaScript symmetrizedCopy; with `both`, the
// upper triangle gets the same values (else it is left as it was).
NOINLINE void symmetrize_tile_row(f64* a, int n, int i0, int both) {
  int i1 = imin(n, i0 + 32);
  for (int j0 = 0; j0 <= i0; j0 += 32) {
    int j1 = imin(n, j0 + 32);
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1 && j < i; j++) {
        f64 m = 0.5 * (a[i * n + j] + a[j * n + i]);
        a[i * n + j] = m;
        if (both) a[j * n + i] = m;
      }
    }
  }
}

// Lower triangle of the n×n matrix a ← (A + Aᵀ)/2 (with `both`, the upper too), tile rows dealt round-robin to
// the threads.
void symmetrize(f64* a, int n, int both, int tid, int nthreads) {
  for (int i0 = tid * 32; i0 < n; i0 += 32 * nthreads) symmetrize_tile_row(a, n, i0, both);
}
