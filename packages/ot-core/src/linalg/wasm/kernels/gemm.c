// C += alpha·A·B, the one matrix-multiply routine every O(n³) step is built on (Cholesky's trailing updates, the
// congruence Lᵀ·Y·L, the band reduction's symmetric products and rank-2k updates).
//
// Goto-style blocking: a KC×NC block of B is packed into NR-wide micro-panels (reused for every row block), an
// MC×KC block of A into MR-tall micro-panels (kept in L2), and a 4×4 register tile of C is accumulated from one
// A micro-panel and one B micro-panel (the B micro-panel, KC·NR doubles, stays in L1). Packing also absorbs the
// operand shapes: transposed access, a symmetric matrix stored as its lower triangle, triangular zeros (read as
// zero, so the unused triangle may hold anything), and alpha.
#include "common.h"

_Static_assert(MR == 4 && NR == 4, "the packing helpers fill 4-wide micro-panel rows");

// Micro-panel rows p < len from four contiguous entries each (row p at s + p·stride), times alpha. Entry q of row
// p is a structural zero where p < z + q (a triangle's zeros, read as zero whatever memory holds; z ≤ −3: none).
INLINE void pack_contiguous4(f64* d, const f64* s, int stride, int len, int z, f64 alpha) {
  int full = imax(0, imin(len, z + 3));  // rows from here on have no structural zero
  for (int p = 0; p < full; p++)
    for (int q = 0; q < 4; q++) d[p * 4 + q] = p < z + q ? 0 : alpha * s[p * stride + q];
  v2 al = vsplat(alpha);
  for (int p = full; p < len; p++) {
    vstore(d + p * 4, vmul(vload(s + p * stride), al));
    vstore(d + p * 4 + 2, vmul(vload(s + p * stride + 2), al));
  }
}

// Micro-panel rows p < len from four streams (entry q of row p at s + q·stride + p), times alpha.
INLINE void pack_streams4(f64* d, const f64* s, int stride, int len, f64 alpha) {
  const f64* s0 = s;
  const f64* s1 = s0 + stride;
  const f64* s2 = s1 + stride;
  const f64* s3 = s2 + stride;
  for (int p = 0; p < len; p++) {
    d[p * 4] = alpha * s0[p];
    d[p * 4 + 1] = alpha * s1[p];
    d[p * 4 + 2] = alpha * s2[p];
    d[p * 4 + 3] = alpha * s3[p];
  }
}

// A(i, p) for the block starting at (i0, p0), r rows, into MR-interleaved micro-panels: dst[ir*kc + p*MR + q].
NOINLINE void pack_a(int mc, int kc, const f64* a, int ars, int acs, int amode, int adiag, int m, int i0, int p0,
                     f64 alpha, f64* dst) {
  for (int ir = 0; ir < mc; ir += MR) {
    f64* d = dst + ir * kc;
    int gi = i0 + ir;
    int rows = imin(MR, m - gi);
    if (amode == A_SYM_LOWER) {
      // Rows r = adiag+gi+q of the symmetric matrix at a (row stride ars): a[r*ld + p] left of the diagonal (four
      // row streams), a[p*ld + r] right of it (four neighbours of row p), entry by entry only where the four rows
      // straddle the diagonal.
      int gs = gi + adiag;
      int pl = imin(kc, imax(0, gs - p0));             // local p < pl: p < gs, left of every row's diagonal
      int pr = imin(kc, imax(pl, gs + MR - 1 - p0));   // local p ≥ pr: right of (or on) every row's diagonal
      if (rows < MR) pl = pr = 0;
      pack_streams4(d, a + gs * ars + p0, ars, pl, alpha);
      int pmid = rows < MR ? kc : pr;
      for (int p = pl; p < pmid; p++) {
        int gp = p0 + p;
        for (int q = 0; q < MR; q++) {
          int r = gs + q;
          f64 x = 0;
          if (q < rows) x = r >= gp ? a[r * ars + gp] : a[gp * ars + r];
          d[p * MR + q] = alpha * x;
        }
      }
      pack_contiguous4(d + pmid * MR, a + (p0 + pmid) * ars + gs, ars, kc - pmid, -MR, alpha);
      continue;
    }
    if (ars == 1 && rows == MR) {
      // Transposed operand: the MR rows' entries for one p are contiguous. A_UPPER: row q is zero for p < gi+q+adiag.
      int z = amode == A_UPPER ? gi + adiag - p0 : -MR;
      pack_contiguous4(d, a + gi + p0 * acs, acs, kc, z, alpha);
      continue;
    }
    for (int q = 0; q < MR; q++) {
      int r = gi + q;
      int zs = 0;  // local p below which the row is structurally zero
      if (q >= rows) zs = kc;
      else if (amode == A_UPPER) zs = imax(0, imin(kc, r + adiag - p0));
      int p = 0;
      for (; p < zs; p++) d[p * MR + q] = 0;
      if (p < kc) {
        const f64* s = a + r * ars + (p0 + p) * acs;
        if (alpha == 1.0) {
          for (; p < kc; p++, s += acs) d[p * MR + q] = *s;
        } else {
          for (; p < kc; p++, s += acs) d[p * MR + q] = alpha * *s;
        }
      }
    }
  }
}

// B(p, j) for the block starting at (p0, j0) into NR-interleaved micro-panels: dst[jr*kc + p*NR + q].
NOINLINE void pack_b(int kc, int nc, const f64* b, int brs, int bcs, int bmode, int bdiag, int n, int p0, int j0,
                     f64* dst) {
  for (int jr = 0; jr < nc; jr += NR) {
    f64* d = dst + jr * kc;
    int gj = j0 + jr;
    int cols = imin(NR, n - gj);
    if (bcs == 1 && cols == NR) {
      // Rows of B contiguous: four neighbours per row p. B_LOWER: column q is zero for p < gj+q+bdiag.
      int z = bmode == B_LOWER ? gj + bdiag - p0 : -NR;
      pack_contiguous4(d, b + p0 * brs + gj, brs, kc, z, 1.0);
      continue;
    }
    if (brs == 1 && cols == NR && bmode == B_PLAIN) {
      // Transposed operand (B = Uᵀ): column q of the micro-panel is a contiguous row of U.
      pack_streams4(d, b + p0 + gj * bcs, bcs, kc, 1.0);
      continue;
    }
    for (int q = 0; q < NR; q++) {
      int c = gj + q;
      int zs = 0;
      if (q >= cols) zs = kc;
      else if (bmode == B_LOWER) zs = imax(0, imin(kc, c + bdiag - p0));
      int p = 0;
      for (; p < zs; p++) d[p * NR + q] = 0;
      const f64* s = b + (p0 + p) * brs + c * bcs;
      for (; p < kc; p++, s += brs) d[p * NR + q] = *s;
    }
  }
}

// The 4×4 register tile: C[0..4][0..4] += Σ_p A[p][0..4]ᵀ B[p][0..4], two f64x2 lanes per row of C.
static void kernel_4x4(int k, const f64* a, const f64* b, f64* c, int ldc) {
  v2 c00 = vsplat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < k; p++) {
    v2 b0 = vload(b), b1 = vload(b + 2);
    v2 x = wasm_v128_load64_splat(a);
    c00 = vmadd(c00, x, b0);
    c01 = vmadd(c01, x, b1);
    x = wasm_v128_load64_splat(a + 1);
    c10 = vmadd(c10, x, b0);
    c11 = vmadd(c11, x, b1);
    x = wasm_v128_load64_splat(a + 2);
    c20 = vmadd(c20, x, b0);
    c21 = vmadd(c21, x, b1);
    x = wasm_v128_load64_splat(a + 3);
    c30 = vmadd(c30, x, b0);
    c31 = vmadd(c31, x, b1);
    a += MR;
    b += NR;
  }
  f64* r = c;
  vstore(r, vadd(vload(r), c00));
  vstore(r + 2, vadd(vload(r + 2), c01));
  r += ldc;
  vstore(r, vadd(vload(r), c10));
  vstore(r + 2, vadd(vload(r + 2), c11));
  r += ldc;
  vstore(r, vadd(vload(r), c20));
  vstore(r + 2, vadd(vload(r + 2), c21));
  r += ldc;
  vstore(r, vadd(vload(r), c30));
  vstore(r + 2, vadd(vload(r + 2), c31));
}

// All micro-tiles of one packed MC×KC block of A (rows ic…) times one packed KC×NC block of B (columns jc…), k range
// pc…: structurally zero and unwanted tiles are skipped, edge tiles go through a zeroed buffer.
NOINLINE void macro_kernel(int mc, int nc, int kc, int ic, int jc, int pc, const f64* pa, const f64* pb, f64* c,
                           int ldc, int amode, int adiag, int bmode, int bdiag, int cmode, int cdiag, f64* edge) {
  for (int jr = 0; jr < nc; jr += NR) {
    int gj = jc + jr;
    if (cmode == C_LOWER && gj > ic + mc - 1 + cdiag) break;
    if (bmode == B_LOWER && gj + bdiag >= pc + kc) break;
    const f64* bp = pb + jr * kc;
    int cols = imin(NR, nc - jr);
    for (int ir = 0; ir < mc; ir += MR) {
      int gi = ic + ir;
      if (cmode == C_LOWER && gj > gi + MR - 1 + cdiag) continue;
      int ps = 0;
      if (amode == A_UPPER) ps = imax(ps, gi + adiag - pc);
      if (bmode == B_LOWER) ps = imax(ps, gj + bdiag - pc);
      if (ps >= kc) {
        if (amode == A_UPPER) break;
        continue;
      }
      int rows = imin(MR, mc - ir);
      f64* ct = c + gi * ldc + gj;
      if (rows == MR && cols == NR) {
        kernel_4x4(kc - ps, pa + ir * kc + ps * MR, bp + ps * NR, ct, ldc);
      } else {
        for (int q = 0; q < MR * NR; q++) edge[q] = 0;
        kernel_4x4(kc - ps, pa + ir * kc + ps * MR, bp + ps * NR, edge, NR);
        for (int i = 0; i < rows; i++)
          for (int j = 0; j < cols; j++) ct[i * ldc + j] += edge[i * NR + j];
      }
    }
  }
}

void gemm(int m, int n, int k, f64 alpha,
          const f64* a, int ars, int acs, int amode, int adiag,
          const f64* b, int brs, int bcs, int bmode, int bdiag,
          f64* c, int ldc, int cmode, int cdiag, f64* ws) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  f64* pa = ws + WS_PACK_A;
  f64* pb = ws + WS_PACK_B;
  f64* edge = ws + WS_EDGE;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = imin(NC, n - jc);
    // C_LOWER: rows above jc − cdiag want none of these columns.
    int iStart = cmode == C_LOWER ? imax(0, jc - cdiag) : 0;
    if (iStart >= m) break;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = imin(KC, k - pc);
      if (bmode == B_LOWER && jc + bdiag >= pc + kc) continue;  // every column of the block is zero in this k range
      pack_b(kc, nc, b, brs, bcs, bmode, bdiag, n, pc, jc, pb);
      for (int ic = iStart; ic < m; ic += MC) {
        int mc = imin(MC, m - ic);
        if (amode == A_UPPER && ic + adiag >= pc + kc) break;  // these rows (and all later ones) are zero here
        pack_a(mc, kc, a, ars, acs, amode, adiag, m, ic, pc, alpha, pa);
        macro_kernel(mc, nc, kc, ic, jc, pc, pa, pb, c, ldc, amode, adiag, bmode, bdiag, cmode, cdiag, edge);
      }
    }
  }
}
