// Second stage of the two-stage tridiagonalization: bulge chasing from bandwidth b to tridiagonal, by
// Householder reflectors of length ≤ b (Lang's scheme, as in LAPACK's dsytrd_sb2st kernels).
//
// Sweep s annihilates column s below the sub-diagonal with one reflector H on rows I₀ = s+1 … s+b, applies it on
// both sides of the diagonal block I₀×I₀, and from the right to the block I₁×I₀ just below (I₁ = the next b rows),
// which fills in. Only the first column of that fill is then annihilated (a reflector on I₁, applied from the left
// to I₁×I₀, on both sides of I₁×I₁ and from the right to I₂×I₁), and so on down the band; the rest of the fill
// is removed by later sweeps. Fill never reaches more than 2b−1 below the diagonal.
//
// Storage: column-major lower band, ab[j·LD + d] = A(j+d, j) with LD = 2b; any block (i₀.., j₀..) is then a
// column-major dense view at ab + j₀·LD + (i₀ − j₀) with leading dimension LD − 1. ≈ 3b·n² multiply-adds, on
// b×b blocks that stay in L1.
#include "common.h"
#include "kernels.h"

// Reflector H = I − tau v vᵀ with H x = (beta, 0, …): overwrites x by that, writes v (v[0] = 1), returns tau.
static f64 house(int len, f64* x, f64* v) {
  f64 x0 = x[0];
  f64 scale = 0;
  for (int i = 1; i < len; i++) {
    f64 t = fabs_(x[i]);
    if (t > scale) scale = t;
  }
  if (scale == 0) return 0;
  if (fabs_(x0) > scale) scale = fabs_(x0);
  f64 ss = 0;
  for (int i = 0; i < len; i++) {
    f64 t = x[i] / scale;
    ss += t * t;
  }
  f64 norm = scale * fsqrt(ss);
  f64 beta = x0 >= 0 ? -norm : norm;
  f64 inv = 1 / (x0 - beta);
  v[0] = 1;
  for (int i = 1; i < len; i++) {
    v[i] = x[i] * inv;
    x[i] = 0;
  }
  x[0] = beta;
  return (beta - x0) / beta;
}

// y[i] += c[i]·f for i in [s, e), and returns Σ c[i]·v[i] over the same range (two f64x2 lanes).
INLINE f64 axpy_dot(f64* __restrict y, const f64* __restrict c, const f64* __restrict v, f64 f, int s, int e) {
  f64 acc = 0;
  int i = s;
  if (i < e && (i & 1)) {
    y[i] += c[i] * f;
    acc += c[i] * v[i];
    i++;
  }
  v2 vf = vsplat(f), va = vsplat(0);
  for (; i + 2 <= e; i += 2) {
    v2 ci = vload(c + i);
    vstore(y + i, vmadd(vload(y + i), ci, vf));
    va = vmadd(va, ci, vload(v + i));
  }
  acc += vhsum(va);
  for (; i < e; i++) {
    y[i] += c[i] * f;
    acc += c[i] * v[i];
  }
  return acc;
}

// c[i] −= v[i]·f + w[i]·g for i in [s, e).
INLINE void rank2(f64* __restrict c, const f64* __restrict v, const f64* __restrict w, f64 f, f64 g, int s, int e) {
  int i = s;
  if (i < e && (i & 1)) {
    c[i] -= v[i] * f + w[i] * g;
    i++;
  }
  v2 vf = vsplat(f), vg = vsplat(g);
  for (; i + 2 <= e; i += 2) vstore(c + i, vsub(vload(c + i), vadd(vmul(vload(v + i), vf), vmul(vload(w + i), vg))));
  for (; i < e; i++) c[i] -= v[i] * f + w[i] * g;
}

// y[0..len) += c·f
INLINE void axpy(f64* __restrict y, const f64* __restrict c, f64 f, int len) {
  v2 vf = vsplat(f);
  int i = 0;
  for (; i + 2 <= len; i += 2) vstore(y + i, vmadd(vload(y + i), vload(c + i), vf));
  for (; i < len; i++) y[i] += c[i] * f;
}

INLINE f64 dot(const f64* __restrict x, const f64* __restrict y, int len) {
  v2 acc = vsplat(0);
  int i = 0;
  for (; i + 2 <= len; i += 2) acc = vmadd(acc, vload(x + i), vload(y + i));
  f64 s = vhsum(acc);
  for (; i < len; i++) s += x[i] * y[i];
  return s;
}

// D ← H D H on the symmetric len×len block whose lower triangle is the column-major view (d, ld).
// y = τ D v, w = y − ½τ(yᵀv) v, D −= v wᵀ + w vᵀ.
static void two_sided(f64* d, int ld, int len, const f64* __restrict v, f64 tau, f64* __restrict y) {
  for (int i = 0; i < len; i++) y[i] = 0;
  for (int j = 0; j < len; j++) {
    f64* col = d + j * ld;
    y[j] += col[j] * v[j] + axpy_dot(y, col, v, v[j], j + 1, len);
  }
  f64 yv = 0;
  for (int i = 0; i < len; i++) {
    y[i] *= tau;
    yv += y[i] * v[i];
  }
  f64 alpha = -0.5 * tau * yv;
  for (int i = 0; i < len; i++) y[i] += alpha * v[i];
  for (int j = 0; j < len; j++) rank2(d + j * ld, v, y, y[j], v[j], j, len);
}

// B ← B H for the rows×cols column-major view (bm, ld); v has cols entries.
static void apply_right(f64* bm, int ld, int rows, int cols, const f64* __restrict v, f64 tau, f64* __restrict y) {
  for (int i = 0; i < rows; i++) y[i] = 0;
  for (int j = 0; j < cols; j++) axpy(y, bm + j * ld, v[j], rows);
  for (int j = 0; j < cols; j++) axpy(bm + j * ld, y, -tau * v[j], rows);
}

// One column x ← H x (len entries).
static void apply_left_column(f64* x, int len, const f64* __restrict v, f64 tau) {
  axpy(x, v, -tau * dot(v, x, len), len);
}

// Progress of the two threads' sweeps (two shared words): s·stride + steps done, s·stride + stride − 1 once sweep s is
// finished. Sweep s+1's step j touches band columns [s+2+(j−1)b, s+2+(j+1)b), and sweep s's steps ≥ T only columns
// ≥ s+1+(T−1)b, so step j may run as soon as sweep s has done j+3 steps: the two threads chase alternate sweeps, one
// a few blocks behind the other, and meet on these words instead of barriers.
// (Plain arguments rather than a struct: a struct passed by address would live on the shadow stack.) A step takes
// a few microseconds, about what waking a sleeping thread costs, so the follower spins for a while (the other core
// has nothing else to do in this phase) before it sleeps, and the leader wakes it only when it says it sleeps
// (ctrl[CTRL_SLEEP]): memory.atomic.notify takes a lock even when nobody waits.
static int wait_for(int* other, int need, int* ctrl) {
#ifdef LINALG_THREADS
  for (int spin = 0;; spin++) {
    int seen = __atomic_load_n(other, __ATOMIC_SEQ_CST);
    if (seen >= need) return 0;
    if (spin < 20000) continue;
    if (__atomic_load_n(&ctrl[CTRL_ABORT], __ATOMIC_SEQ_CST)) return 1;
    __atomic_store_n(&ctrl[CTRL_SLEEP], 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(other, __ATOMIC_SEQ_CST) == seen)
      __builtin_wasm_memory_atomic_wait32(other, seen, 1000000LL);
    __atomic_store_n(&ctrl[CTRL_SLEEP], 0, __ATOMIC_SEQ_CST);
  }
#else
  (void)other;
  (void)need;
  (void)ctrl;
  return 0;
#endif
}

static void publish(int* mine, int value, int* ctrl) {
#ifdef LINALG_THREADS
  __atomic_store_n(mine, value, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ctrl[CTRL_SLEEP], __ATOMIC_SEQ_CST)) __builtin_wasm_memory_atomic_notify(mine, 1);
#else
  (void)mine;
  (void)value;
  (void)ctrl;
#endif
}

// Sweep s: annihilates column s below the sub-diagonal and chases the bulge down the band. Returns 1 on abort.
// mine = 0: single-threaded, no waiting.
NOINLINE int sweep(f64* ab, int n, int b, int s, f64* v, f64* y, int* mine, int* other, int* ctrl, int stride) {
  int LD = 2 * b;
  int ldv = LD - 1;
  int pi = s + 1;
  int pl = imin(b, n - pi);
  int threaded = mine != 0;
  if (threaded && s > 0 && wait_for(other, (s - 1) * stride + 3, ctrl)) return 1;
  f64 tau = house(pl, ab + s * LD + 1, v);
  if (tau != 0) {
    two_sided(ab + pi * LD, ldv, pl, v, tau, y);
    int ni = pi + pl, nl = imin(b, n - ni);
    if (nl > 0) apply_right(ab + pi * LD + (ni - pi), ldv, nl, pl, v, tau, y);
  }
  for (int j = 1;; j++) {
    int ni = pi + pl;
    int nl = imin(b, n - ni);
    if (nl < 2) break;
    if (threaded) {
      publish(mine, s * stride + j, ctrl);
      if (s > 0 && wait_for(other, (s - 1) * stride + j + 3, ctrl)) return 1;
    }
    int c = pi;
    tau = house(nl, ab + c * LD + (ni - c), v);
    if (tau != 0) {
      for (int jj = 1; jj < pl; jj++) apply_left_column(ab + (c + jj) * LD + (ni - c - jj), nl, v, tau);
      two_sided(ab + ni * LD, ldv, nl, v, tau, y);
      int nni = ni + nl, nnl = imin(b, n - nni);
      if (nnl > 0) apply_right(ab + ni * LD + (nni - ni), ldv, nnl, nl, v, tau, y);
    }
    pi = ni;
    pl = nl;
  }
  if (threaded) publish(mine, s * stride + stride - 1, ctrl);
  return 0;
}

// Reduces the band (ab, bandwidth b, LD = 2b, n columns) to tridiagonal form, the threads taking alternate sweeps.
// scratch: 2b doubles per thread. ctrl[CTRL_PROG0 + t] must be −1 on entry (reset before the last barrier).
// Returns 1 on abort.
int band_to_tridiagonal(f64* ab, int n, int b, f64* scratch, int* ctrl, int tid, int nthreads) {
  int stride = n / (b > 1 ? b : 1) + 8;
  int* mine = nthreads > 1 ? ctrl + CTRL_PROG0 + tid : 0;
  int* other = ctrl + CTRL_PROG0 + 1 - tid;
  f64* v = scratch + tid * 2 * b;
  for (int s = tid; s + 2 < n && b > 1; s += nthreads)
    if (sweep(ab, n, b, s, v, v + b, mine, other, ctrl, stride)) return 1;
  return 0;
}
