import { gemmNT } from './matmul';

/**
 * Householder reduction of a symmetric matrix to tridiagonal form, T = Qᵀ A Q with Q = H₀ H₁ ⋯ H_{n−3}.
 * @internal (used by symmetricEigen)
 */
export interface Tridiagonal {
  /** Diagonal of T (length n). */
  readonly d: Float64Array;
  /** Sub-diagonal of T: e[i] couples i and i+1 (length n, e[n−1] = 0). */
  readonly e: Float64Array;
  /** β_k of each reflector H_k = I − β_k v_k v_kᵀ (0 where no reflection was needed). */
  readonly beta: Float64Array;
  /** The working n×n array; row k's strict upper part holds v_k (entries k+1 … n−1). */
  readonly work: Float64Array;
}

/**
 * Reduces the symmetric row-major n×n `a` (only its lower triangle is read) to tridiagonal form,
 * overwriting `a`. Each step makes one pass over the trailing lower triangle that both applies the
 * rank-2 update of the previous reflector and accumulates the matrix–vector product the next reflector
 * needs, so memory is streamed once per column instead of twice. ~(4/3)n³ flops.
 * @internal
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const beta = new Float64Array(n);
  if (n <= 2) {
    for (let i = 0; i < n; i++) d[i] = a[i * n + i];
    if (n === 2) e[0] = a[n];
    return { d, e, beta, work: a };
  }
  let v = new Float64Array(n);
  let p = new Float64Array(n);
  let nv = new Float64Array(n);
  let np = new Float64Array(n);
  const w = new Float64Array(n);

  let b = reflector(a, n, 0, v, e);
  beta[0] = b;
  // p = A₂₂ v for the first trailing block (rows and columns ≥ 1), from the lower triangle.
  for (let i = 1; i < n; i++) {
    const row = i * n;
    const vi = v[i];
    let acc = 0;
    for (let j = 1; j < i; j++) {
      const x = a[row + j];
      acc += x * v[j];
      p[j] += x * vi;
    }
    p[i] += acc + a[row + i] * vi;
  }

  for (let k = 0; k <= n - 3; k++) {
    d[k] = a[k * n + k];
    // Symmetric rank-2 form of H A₂₂ H = A₂₂ − v wᵀ − w vᵀ with w = βp − (β²/2)(pᵀv) v.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] *= b;
      pv += p[i] * v[i];
    }
    const half = 0.5 * b * pv;
    for (let i = k + 1; i < n; i++) w[i] = p[i] - half * v[i];

    // Column k+1 first: the next reflector is built from it before the big pass.
    const c = k + 1;
    const vc = v[c];
    const wc = w[c];
    for (let i = c; i < n; i++) a[i * n + c] -= v[i] * wc + w[i] * vc;

    const hasNext = k + 1 <= n - 3;
    let nb = 0;
    if (hasNext) {
      nb = reflector(a, n, k + 1, nv, e);
      beta[k + 1] = nb;
      np.fill(0, k + 2);
    }
    if (hasNext) {
      fusedPass(a, n, k + 2, v, w, nv, np);
    } else {
      // Last step: only the bottom-right entry remains.
      const i = n - 1;
      a[i * n + i] -= 2 * v[i] * w[i];
    }
    let t = v;
    v = nv;
    nv = t;
    t = p;
    p = np;
    np = t;
    b = nb;
  }
  d[n - 2] = a[(n - 2) * n + (n - 2)];
  d[n - 1] = a[(n - 1) * n + (n - 1)];
  e[n - 2] = a[(n - 1) * n + (n - 2)];
  return { d, e, beta, work: a };
}

/**
 * One pass over rows/columns ≥ s of the lower triangle: A −= v wᵀ + w vᵀ, and np += A_new·nv.
 * Two rows at a time so every load of w, v, nv, np serves both rows.
 */
function fusedPass(
  a: Float64Array,
  n: number,
  s: number,
  v: Float64Array,
  w: Float64Array,
  nv: Float64Array,
  np: Float64Array,
): void {
  let i = s;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    const v0 = v[i];
    const w0 = w[i];
    const n0 = nv[i];
    const v1 = v[i + 1];
    const w1 = w[i + 1];
    const n1 = nv[i + 1];
    let acc0 = 0;
    let acc1 = 0;
    for (let j = s; j < i; j++) {
      const wj = w[j];
      const vj = v[j];
      const nj = nv[j];
      const x0 = a[r0 + j] - v0 * wj - w0 * vj;
      const x1 = a[r1 + j] - v1 * wj - w1 * vj;
      a[r0 + j] = x0;
      a[r1 + j] = x1;
      acc0 += x0 * nj;
      acc1 += x1 * nj;
      np[j] += x0 * n0 + x1 * n1;
    }
    // The 2×2 corner: (i, i), (i+1, i), (i+1, i+1).
    const d0 = a[r0 + i] - 2 * v0 * w0;
    const o = a[r1 + i] - v1 * w0 - w1 * v0;
    const d1 = a[r1 + i + 1] - 2 * v1 * w1;
    a[r0 + i] = d0;
    a[r1 + i] = o;
    a[r1 + i + 1] = d1;
    np[i] += acc0 + d0 * n0 + o * n1;
    np[i + 1] += acc1 + o * n0 + d1 * n1;
  }
  if (i < n) {
    const r0 = i * n;
    const v0 = v[i];
    const w0 = w[i];
    const n0 = nv[i];
    let acc0 = 0;
    for (let j = s; j < i; j++) {
      const x0 = a[r0 + j] - v0 * w[j] - w0 * v[j];
      a[r0 + j] = x0;
      acc0 += x0 * nv[j];
      np[j] += x0 * n0;
    }
    const d0 = a[r0 + i] - 2 * v0 * w0;
    a[r0 + i] = d0;
    np[i] += acc0 + d0 * n0;
  }
}

/**
 * Builds the reflector that zeroes column k below its sub-diagonal: x = a[k+1.., k], v = x − αe₁,
 * α = −sign(x₀)‖x‖, β = 2/(vᵀv). Writes v into `v` (absolute indices) and row k's upper part, α into e[k].
 */
function reflector(a: Float64Array, n: number, k: number, v: Float64Array, e: Float64Array): number {
  const x0 = a[(k + 1) * n + k];
  let scale = 0;
  for (let i = k + 2; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]));
  const row = k * n;
  if (scale === 0) {
    // Already tridiagonal in this column: H = I.
    e[k] = x0;
    for (let i = k + 1; i < n; i++) {
      v[i] = 0;
      a[row + i] = 0;
    }
    return 0;
  }
  scale = Math.max(scale, Math.abs(x0));
  let ss = 0;
  for (let i = k + 1; i < n; i++) {
    const t = a[i * n + k] / scale;
    ss += t * t;
  }
  const norm = scale * Math.sqrt(ss);
  const alpha = x0 >= 0 ? -norm : norm;
  const v0 = x0 - alpha;
  v[k + 1] = v0;
  a[row + k + 1] = v0;
  for (let i = k + 2; i < n; i++) {
    const x = a[i * n + k];
    v[i] = x;
    a[row + i] = x;
  }
  e[k] = alpha;
  return -1 / (alpha * v0);
}

/**
 * Writes Qᵀ = H_{n−3} ⋯ H₁ H₀ into the row-major n×n `out`, from the reflectors left in `t.work`.
 * Blocked (compact WY): NB reflectors at a time form P = I − Y T Yᵀ, applied to the trailing block M₂₂ of the
 * partial product as M₂₂ −= (M₂₂ Y) T Yᵀ with the matrix-multiply kernel. ~(4/3)n³ flops, nearly all in GEMM.
 * @internal
 */
export function accumulateQt(t: Tridiagonal, n: number, out: Float64Array): void {
  const { beta, work } = t;
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  if (n <= 2) return;
  const NB = 32;
  const yt = new Float64Array(NB * n); // Yᵀ: row q is the q-th reflector of the block, on indices ≥ kLo+1
  const y = new Float64Array(NB * n); // Y, row-major m×nb
  const tm = new Float64Array(NB * NB);
  const z = new Float64Array(NB * n); // Z = M₂₂ Y
  const zt = new Float64Array(NB * n); // −Z T
  // Qᵀ = ((H_{n−3} H_{n−4}) ⋯) H₀: right-multiply by H_k for k descending, NB at a time. Before block
  // [kLo, kHi] the partial product is the identity outside rows/columns ≥ kHi+2, so only rows and columns
  // ≥ kLo+1 change.
  for (let kHi = n - 3; kHi >= 0; kHi -= NB) {
    const kLo = Math.max(0, kHi - NB + 1);
    const nb = kHi - kLo + 1;
    const off = kLo + 1;
    const m = n - off;
    // Column q of Y is v_{kHi−q} (the order the reflectors multiply in), zero before its own start.
    yt.fill(0, 0, nb * m);
    for (let q = 0; q < nb; q++) {
      const k = kHi - q;
      const src = k * n;
      const dst = q * m;
      for (let c = k + 1; c < n; c++) yt[dst + c - off] = work[src + c];
    }
    for (let q = 0; q < nb; q++) {
      for (let c = 0; c < m; c++) y[c * nb + q] = yt[q * m + c];
    }
    // Forward T: P = H(y₀)⋯H(y_{nb−1}) = I − Y T Yᵀ, T upper triangular, T[:i, i] = −β_i T[:i,:i] Yᵀ[:i] y_i.
    tm.fill(0, 0, nb * nb);
    for (let i = 0; i < nb; i++) {
      const bi = beta[kHi - i];
      tm[i * nb + i] = bi;
      if (bi === 0 || i === 0) continue;
      const g = new Float64Array(i);
      for (let q = 0; q < i; q++) {
        let s = 0;
        const rq = q * m;
        const ri = i * m;
        for (let c = 0; c < m; c++) s += yt[rq + c] * yt[ri + c];
        g[q] = s;
      }
      for (let r = 0; r < i; r++) {
        let s = 0;
        for (let q = r; q < i; q++) s += tm[r * nb + q] * g[q];
        tm[r * nb + i] = -bi * s;
      }
    }
    // Z = M₂₂ Y (m×nb).
    z.fill(0, 0, m * nb);
    gemmNT(z, out, yt, m, nb, m, { aOffset: off * n + off, lda: n, ldb: m, ldc: nb });
    // zt = −Z T (m×nb; T is upper triangular), the left factor of the update.
    for (let r = 0; r < m; r++) {
      const zr = r * nb;
      for (let q = 0; q < nb; q++) {
        let s = 0;
        for (let p = 0; p <= q; p++) s += z[zr + p] * tm[p * nb + q];
        zt[zr + q] = -s;
      }
    }
    // M₂₂ += (−Z T) Yᵀ.
    gemmNT(out, zt, y, m, m, nb, { cOffset: off * n + off, ldc: n, lda: nb, ldb: nb });
  }
}
