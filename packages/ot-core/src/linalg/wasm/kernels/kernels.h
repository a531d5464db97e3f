// The building blocks behind the exported entry points (one file each).
#ifndef LINALG_KERNELS_H
#define LINALG_KERNELS_H
#include "common.h"

int cholesky_blocked(f64* a, int n, int ld, f64 tol, f64* ws, int* status, int* ctrl, int tid, int nthreads);
int pivoted_cholesky(f64* a, int n, int ld, int* perm, f64* dg, f64 tol, f64 negTol, f64* out, f64* ws);
int congruence_lower(f64* b, const f64* l, int n, int ld, int kb, f64* sc, f64* ws, int* ctrl, int tid,
                     int nthreads);
int band_reduce(f64* a, int n, int ld, int b, f64* sc, f64* ws, int* ctrl, int tid, int nthreads);
int band_to_tridiagonal(f64* ab, int n, int b, f64* scratch, int* ctrl, int tid, int nthreads);

int tridiagonal_eigenvalues(f64* d, const f64* e, f64* e2, int n);
int eigenvalues_of(int* prm, f64* a, int n, int tid, int nthreads);

void symmetrize(f64* a, int n, int both, int tid, int nthreads);

#endif
