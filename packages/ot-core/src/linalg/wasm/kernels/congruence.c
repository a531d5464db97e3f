// C = Lᵀ B L in place of B (lower triangles; L n×n lower triangular), in n³/2 multiply-adds instead of the
// n³/2 + n³/6 of W = B·L followed by Lᵀ·W, and with no n×n work array. The organization is LAPACK dsygst's
// (itype 2): C grows one block row of L at a time. With the leading K×K part done, C_K = L_Kᵀ B_K L_K, and the next
// block row (l₂₁ | l₂₂) of L and (b₂₁ | b₂₂) of B:
//   Y  = b₂₁ L_K                     (kb×K, triangular product)
//   Z  = Y + ½ b₂₂ l₂₁
//   C_K += Zᵀ l₂₁ + l₂₁ᵀ Z           (the rank-2kb update that carries most of the work)
//   C₂₁ = l₂₂ᵀ (Z + ½ b₂₂ l₂₁),  C₂₂ = l₂₂ᵀ b₂₂ l₂₂
// (expand [L_K 0; l₂₁ l₂₂]ᵀ [B_K b₂₁ᵀ; b₂₁ b₂₂] [L_K 0; l₂₁ l₂₂] to check). The threads split Y, Z by columns and
// the update by rows.
#include "common.h"
#include "kernels.h"

// dst (rows × cols, row stride ldd) = src (row stride lds).
NOINLINE void copy_rows(f64* __restrict dst, int ldd, const f64* __restrict src, int lds, int rows, int cols) {
  for (int i = 0; i < rows; i++) __builtin_memcpy(dst + i * ldd, src + i * lds, sizeof(f64) * cols);
}

// Column split of Y = b₂₁ L_K balanced by work: column j costs K − j.
static int split_triangular_columns(int k, int tid, int nthreads) {
  if (tid <= 0) return 0;
  if (tid >= nthreads) return k;
  // Σ_{j<c} (k − j) ≈ k² (1 − (1 − c/k)²)/2 = k²·tid/(2·nthreads).
  f64 f = 1 - __builtin_sqrt(1 - (f64)tid / nthreads);
  int c = (int)(k * f);
  return c < k ? c : k;
}

// B's lower triangle (row stride ld) ← that of Lᵀ B L, with L lower triangular in l (row stride ld). kb: block
// size. sc: shared scratch of 6·kb·n + kb² doubles. Returns the team's abort flag.
int congruence_lower(f64* b, const f64* l, int n, int ld, int kb, f64* sc, f64* ws, int* ctrl, int tid,
                     int nthreads) {
  f64* z = sc;                  // kb × n: Y, then Z
  f64* z2 = z + kb * n;         // kb × n: Z + ½ b₂₂ l₂₁
  f64* u = z2 + kb * n;         // 2kb × n: [Z; l₂₁]
  f64* v = u + 2 * kb * n;      // 2kb × n: [l₂₁; Z]
  f64* t1 = v + 2 * kb * n;     // kb × kb: b₂₂ l₂₂
  for (int k = 0; k < n; k += kb) {
    int w = imin(kb, n - k);
    f64* b21 = b + k * ld;          // w × k
    f64* b22 = b + k * ld + k;      // w × w, lower
    const f64* l21 = l + k * ld;    // w × k
    const f64* l22 = l + k * ld + k;
    int c0 = split_triangular_columns(k, tid, nthreads), c1 = split_triangular_columns(k, tid + 1, nthreads);
    if (c1 > c0) {
      // Y = b₂₁ L_K (L_K(p, j) = 0 for p < j), then Z = Y + ½ b₂₂ l₂₁ and Z2 = Z + ½ b₂₂ l₂₁, on these columns.
      for (int i = 0; i < w; i++) __builtin_memset(z + i * n + c0, 0, sizeof(f64) * (c1 - c0));
      gemm(w, c1 - c0, k, 1.0, b21, ld, 1, A_PLAIN, 0, l + c0, ld, 1, B_LOWER, c0, z + c0, n, C_FULL, 0, ws);
      gemm(w, c1 - c0, w, 0.5, b22, ld, 1, A_SYM_LOWER, 0, l21 + c0, ld, 1, B_PLAIN, 0, z + c0, n, C_FULL, 0, ws);
      copy_rows(z2 + c0, n, z + c0, n, w, c1 - c0);
      gemm(w, c1 - c0, w, 0.5, b22, ld, 1, A_SYM_LOWER, 0, l21 + c0, ld, 1, B_PLAIN, 0, z2 + c0, n, C_FULL, 0, ws);
      copy_rows(u + c0, n, z + c0, n, w, c1 - c0);
      copy_rows(u + w * n + c0, n, l21 + c0, ld, w, c1 - c0);
      copy_rows(v + c0, n, l21 + c0, ld, w, c1 - c0);
      copy_rows(v + w * n + c0, n, z + c0, n, w, c1 - c0);
    }
    if (tid == 0) {
      // t1 = b₂₂ l₂₂ (l₂₂(p, j) = 0 for p < j).
      __builtin_memset(t1, 0, sizeof(f64) * w * w);
      gemm(w, w, w, 1.0, b22, ld, 1, A_SYM_LOWER, 0, l22, ld, 1, B_LOWER, 0, t1, w, C_FULL, 0, ws);
    }
    if (team_barrier(ctrl, nthreads)) return 1;
    // C_K += [Z; l₂₁]ᵀ [l₂₁; Z] on the lower triangle, rows split by area.
    int s0 = split_area(k, tid, nthreads), s1 = split_area(k, tid + 1, nthreads);
    if (s1 > s0)
      gemm(s1 - s0, s1, 2 * w, 1.0, u + s0, 1, n, A_PLAIN, 0, v, n, 1, B_PLAIN, 0, b + s0 * ld, ld, C_LOWER, s0, ws);
    // C₂₁ = l₂₂ᵀ Z2 over b₂₁ (l₂₂ᵀ(i, p) = l₂₂(p, i) = 0 for p < i), columns split evenly.
    int e0 = split_even(k, tid, nthreads), e1 = split_even(k, tid + 1, nthreads);
    if (e1 > e0) {
      for (int i = 0; i < w; i++) __builtin_memset(b21 + i * ld + e0, 0, sizeof(f64) * (e1 - e0));
      gemm(w, e1 - e0, w, 1.0, l22, 1, ld, A_UPPER, 0, z2 + e0, n, 1, B_PLAIN, 0, b21 + e0, ld, C_FULL, 0, ws);
    }
    if (tid == 0) {
      // C₂₂ = l₂₂ᵀ t1 over b₂₂ (b₂₂ is no longer needed).
      for (int i = 0; i < w; i++) __builtin_memset(b22 + i * ld, 0, sizeof(f64) * (i + 1));
      gemm(w, w, w, 1.0, l22, 1, ld, A_UPPER, 0, t1, w, 1, B_PLAIN, 0, b22, ld, C_LOWER, 0, ws);
    }
    if (team_barrier(ctrl, nthreads)) return 1;
  }
  return 0;
}
