// First stage of the two-stage tridiagonalization: an orthogonal similarity Qᵀ A Q that makes the symmetric
// matrix banded (bandwidth b). Unlike the one-stage Householder tridiagonalization, whose every column needs a
// matrix–vector product with the whole trailing matrix (memory-bound: the trailing matrix is re-read n times),
// every O(n³) step here is a matrix–matrix product, so the blocked GEMM runs at full speed:
//
//   for each panel of b columns (rows below the band): QR of the panel, Q = I − V T Vᵀ (compact WY), then
//   A₂₂ ← Qᵀ A₂₂ Q = A₂₂ − V Wᵀ − W Vᵀ with Y = A₂₂ V T and W = Y − ½ V (Tᵀ Vᵀ Y)  (A₂₂ V: symmetric product;
//   the update: one rank-2b product [V W]·[W V]ᵀ on the lower triangle).
//
// ≈ (2/3)n³ multiply-adds, as for the one-stage reduction. Only eigenvalues are wanted, so Q is never formed.
// The threads split every product by rows; the panel QR and the b×b algebra run on thread 0.
#include "common.h"
#include "kernels.h"

// Column j of the Householder QR of the m×nb panel p (row stride ld), in place: R on and above the diagonal, the
// reflector v (unit first entry implied) below it, H_j = I − tau_j v vᵀ (LAPACK dgeqr2/dlarfg conventions), applied
// to the columns right of j. w: nb scratch.
NOINLINE void reflect_column(f64* __restrict p, int m, int nb, int ld, int j, f64* __restrict tau,
                             f64* __restrict w) {
  tau[j] = 0;
  if (j >= m) return;
  f64 x0 = p[j * ld + j];
  f64 scale = 0;
  for (int i = j + 1; i < m; i++) {
    f64 t = fabs_(p[i * ld + j]);
    if (t > scale) scale = t;
  }
  if (scale == 0) return;  // already zero below the diagonal: H = I
  if (fabs_(x0) > scale) scale = fabs_(x0);
  f64 ss = 0;
  for (int i = j; i < m; i++) {
    f64 t = p[i * ld + j] / scale;
    ss += t * t;
  }
  f64 norm = scale * fsqrt(ss);
  f64 beta = x0 >= 0 ? -norm : norm;
  tau[j] = (beta - x0) / beta;
  f64 inv = 1 / (x0 - beta);
  for (int i = j + 1; i < m; i++) p[i * ld + j] *= inv;
  p[j * ld + j] = beta;
  // w = vᵀ P on the columns right of j, then P −= tau v w.
  int c0 = j + 1;
  if (c0 >= nb) return;
  for (int c = c0; c < nb; c++) w[c] = p[j * ld + c];
  for (int i = j + 1; i < m; i++) {
    f64 vi = p[i * ld + j];
    const f64* row = p + i * ld;
    for (int c = c0; c < nb; c++) w[c] += vi * row[c];
  }
  f64 t = tau[j];
  for (int c = c0; c < nb; c++) {
    w[c] *= t;
    p[j * ld + c] -= w[c];
  }
  for (int i = j + 1; i < m; i++) {
    f64 vi = p[i * ld + j];
    f64* row = p + i * ld;
    for (int c = c0; c < nb; c++) row[c] -= vi * w[c];
  }
}

// dst[i*ldd + q] = src[i*lds + q] for i < rows, q < cols.
NOINLINE void copy_block(f64* __restrict dst, int ldd, const f64* __restrict src, int lds, int rows, int cols) {
  for (int i = 0; i < rows; i++)
    for (int q = 0; q < cols; q++) dst[i * ldd + q] = src[i * lds + q];
}

// Rows [i0, i1) of V, explicitly (unit lower trapezoidal), from the reflectors below the diagonal of x (stride b).
NOINLINE void explicit_v(f64* __restrict u1, int lu, const f64* __restrict x, int b, int nb, int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    f64* row = u1 + i * lu;
    for (int q = 0; q < nb; q++) row[q] = i < q ? 0 : i == q ? 1 : x[i * b + q];
  }
}

// T of the forward product H_0 ⋯ H_{nb−1} = I − V T Vᵀ (LAPACK dlarft) from g = Vᵀ V:
// T[:q, q] = −tau_q T[:q, :q] g[:q, q].
NOINLINE void form_t(f64* __restrict t, const f64* __restrict g, const f64* __restrict tau, int nb) {
  for (int q = 0; q < nb; q++) {
    for (int r = 0; r < nb; r++) t[r * nb + q] = 0;
    t[q * nb + q] = tau[q];
    if (tau[q] == 0) continue;
    for (int r = 0; r < q; r++) {
      f64 s = 0;
      for (int c = r; c < q; c++) s += t[r * nb + c] * g[c * nb + q];
      t[r * nb + q] = -tau[q] * s;
    }
  }
}

// z = Tᵀ g (nb×nb, T upper triangular).
NOINLINE void t_transpose_times(f64* __restrict z, const f64* __restrict t, const f64* __restrict g, int nb) {
  for (int r = 0; r < nb; r++) {
    for (int c = 0; c < nb; c++) {
      f64 s = 0;
      for (int q = 0; q <= r; q++) s += t[q * nb + r] * g[q * nb + c];
      z[r * nb + c] = s;
    }
  }
}

// Rows [i0, i1): u2 = [W | V] from u1 = [V | W].
NOINLINE void swap_halves(f64* __restrict u2, const f64* __restrict u1, int lu, int nb, int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    const f64* s = u1 + i * lu;
    f64* d = u2 + i * lu;
    for (int q = 0; q < nb; q++) {
      d[q] = s[nb + q];
      d[nb + q] = s[q];
    }
  }
}

// QR of the panel (m×b, row stride ld) on thread 0: R back into the band, V explicitly into the left half of u1
// (row stride 2·nb), T of the block reflector I − V T Vᵀ into t. x (m×b), g (b×b), tau, w: scratch.
static void panel_factor(f64* panel, int m, int b, int ld, f64* u1, f64* x, f64* g, f64* t, f64* tau, f64* w,
                         f64* ws) {
  int nb = imin(b, m), lu = 2 * nb;
  // A contiguous copy: the panel's rows are n doubles apart in the matrix, a power-of-two stride that maps them all
  // onto a few cache sets.
  for (int i = 0; i < m; i += 64) copy_block(x + i * b, b, panel + i * ld, ld, imin(64, m - i), b);
  for (int j = 0; j < b; j++) reflect_column(x, m, b, b, j, tau, w);
  copy_block(panel, ld, x, b, nb, b);
  for (int i = 0; i < m; i += 64) explicit_v(u1, lu, x, b, nb, i, imin(m, i + 64));
  __builtin_memset(g, 0, sizeof(f64) * nb * nb);
  gemm(nb, nb, m, 1.0, u1, 1, lu, A_PLAIN, 0, u1, lu, 1, B_PLAIN, 0, g, nb, C_FULL, 0, ws);
  form_t(t, g, tau, nb);
}

// Rows handed out by the team's chunk counter (ctrl[CTRL_CHUNK]).
#define CHUNK 64

// Reduces the symmetric n×n matrix (lower triangle of a, row stride ld) to bandwidth b in place. Scratch (shared by
// the threads): sc needs 7·n·b + 3·b² + 2·b doubles. ws: this thread's GEMM workspace. Returns the abort flag.
//
// Lookahead: during each rank-2b update, thread 0 first updates the next panel's columns, factors that panel, and
// only then takes its share of the rest of the update, handed out in row chunks through an atomic counter, so the
// panel QR (sequential, ~5% of the work) overlaps the other thread's update instead of idling it. V alternates
// between two buffers, since the update still reads the current one while the next is formed.
int band_reduce(f64* a, int n, int ld, int b, f64* sc, f64* ws, int* ctrl, int tid, int nthreads) {
  // sc: two m × 2nb buffers [V | W] (W first holds Y), alternating between panels, at sc and sc + 2nb.
  f64* u2 = sc + 4 * n * b;     // m × 2nb: [W | V]
  f64* x = u2 + 2 * n * b;      // m × b: the panel during its QR, then A₂₂ V
  f64* t = x + n * b;           // nb × nb: T (upper triangular)
  f64* g = t + b * b;           // nb × nb: Vᵀ V, then Vᵀ Y
  f64* z = g + b * b;           // nb × nb: Tᵀ Vᵀ Y
  f64* tau = z + b * b;         // nb
  f64* w = tau + b;             // nb
  if (tid == 0 && b + 1 < n) panel_factor(a + b * ld, n - b, b, ld, sc, x, g, t, tau, w, ws);
  for (int k = 0, step = 0; k + b + 1 < n; k += b, step++) {
    int m = n - k - b;          // rows below the band
    int nb = imin(b, m);
    int lu = 2 * nb;
    f64* u1 = sc + (step & 1) * 2 * n * b;
    f64* a22 = a + (k + b) * ld + (k + b);
    int hasNext = k + 2 * b + 1 < n;
    if (team_barrier(ctrl, nthreads)) return 1;
    // X = A₂₂ V, then Y = X T into the right half of u1; rows split evenly (the symmetric product reads a full row).
    int r0 = split_even(m, tid, nthreads), r1 = split_even(m, tid + 1, nthreads);
    if (r1 > r0) {
      __builtin_memset(x + r0 * nb, 0, sizeof(f64) * (r1 - r0) * nb);
      gemm(r1 - r0, nb, m, 1.0, a22, ld, 1, A_SYM_LOWER, r0, u1, lu, 1, B_PLAIN, 0, x + r0 * nb, nb,
           C_FULL, 0, ws);
      for (int i = r0; i < r1; i++) __builtin_memset(u1 + i * lu + nb, 0, sizeof(f64) * nb);
      gemm(r1 - r0, nb, nb, 1.0, x + r0 * nb, nb, 1, A_PLAIN, 0, t, nb, 1, B_PLAIN, 0, u1 + r0 * lu + nb, lu,
           C_FULL, 0, ws);
    }
    // Vᵀ Y sums over all rows: wait for both halves of Y.
    if (team_barrier(ctrl, nthreads)) return 1;
    if (tid == 0) {
      // g = Vᵀ Y, z = Tᵀ g.
      __builtin_memset(g, 0, sizeof(f64) * nb * nb);
      gemm(nb, nb, m, 1.0, u1, 1, lu, A_PLAIN, 0, u1 + nb, lu, 1, B_PLAIN, 0, g, nb, C_FULL, 0, ws);
      t_transpose_times(z, t, g, nb);
      __atomic_store_n(&ctrl[CTRL_CHUNK], 0, __ATOMIC_SEQ_CST);
    }
    if (team_barrier(ctrl, nthreads)) return 1;
    if (r1 > r0) {
      // W = Y − ½ V Z in place, then u2 = [W | V] for these rows.
      gemm(r1 - r0, nb, nb, -0.5, u1 + r0 * lu, lu, 1, A_PLAIN, 0, z, nb, 1, B_PLAIN, 0, u1 + r0 * lu + nb, lu,
           C_FULL, 0, ws);
      for (int i = r0; i < r1; i += 64) swap_halves(u2, u1, lu, nb, i, imin(r1, i + 64));
    }
    if (team_barrier(ctrl, nthreads)) return 1;
    // A₂₂ −= [V W]·[W V]ᵀ on the lower triangle: the first b columns (the next panel) by thread 0, which then
    // factors the next panel; rows ≥ b right of them in chunks, by whichever thread is free.
    int strip = imin(b, m);
    if (tid == 0) {
      gemm(m, strip, lu, -1.0, u1, lu, 1, A_PLAIN, 0, u2, 1, lu, B_PLAIN, 0, a22, ld, C_LOWER, 0, ws);
      if (hasNext) {
        panel_factor(a22 + b * ld, m - b, b, ld, sc + ((step + 1) & 1) * 2 * n * b, x, g, t, tau, w, ws);
      }
    }
    for (;;) {
      int c = __atomic_fetch_add(&ctrl[CTRL_CHUNK], 1, __ATOMIC_SEQ_CST);
      int c0 = strip + c * CHUNK;
      if (c0 >= m) break;
      int c1 = imin(m, c0 + CHUNK);
      gemm(c1 - c0, c1 - strip, lu, -1.0, u1 + c0 * lu, lu, 1, A_PLAIN, 0, u2 + strip * lu, 1, lu, B_PLAIN, 0,
           a22 + c0 * ld + strip, ld, C_LOWER, c0 - strip, ws);
    }
  }
  return team_barrier(ctrl, nthreads);
}
