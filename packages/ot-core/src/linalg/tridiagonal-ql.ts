/**
 * Records plane rotations and applies them to the eigenvector matrix in batches. Rotation (i, c, s) maps rows
 * i, i+1 of the row-stored eigenvectors to (c·wᵢ − s·wᵢ₊₁, s·wᵢ + c·wᵢ₊₁).
 *
 * Why batches: applying each rotation at once streams the whole n×n matrix once per QL sweep (≈2n sweeps).
 * A batch is applied four columns at a time, copied into a small contiguous buffer (n×4, in L1/L2); a QL
 * sweep is a run of rotations on rows (i, i+1), (i−1, i), …, so the shared row stays in registers along the
 * run and each rotation costs one load and one store per column.
 * @internal
 */
export class RotationBatch {
  private readonly idx: Int32Array;
  private readonly cs: Float64Array;
  private readonly sn: Float64Array;
  private readonly runStart: Int32Array;
  private readonly buf: Float64Array;
  private count = 0;
  private runs = 0;

  constructor(
    private readonly w: Float64Array,
    private readonly n: number,
    // QL needs about 1.05·n² rotations: small problems get a small buffer, large ones flush every 2^17.
    capacity = Math.min(1 << 17, 2 * n * n + 64),
  ) {
    this.idx = new Int32Array(capacity);
    this.cs = new Float64Array(capacity);
    this.sn = new Float64Array(capacity);
    this.runStart = new Int32Array(capacity + 1);
    this.buf = new Float64Array(4 * (n + 1));
  }

  push(i: number, c: number, s: number): void {
    if (this.count === this.idx.length) this.flush();
    const r = this.count;
    if (r === 0 || this.idx[r - 1] !== i + 1) this.runStart[this.runs++] = r;
    this.idx[r] = i;
    this.cs[r] = c;
    this.sn[r] = s;
    this.count = r + 1;
  }

  flush(): void {
    const { w, n, idx, cs, sn, runStart, buf, count, runs } = this;
    if (count === 0) return;
    runStart[runs] = count;
    for (let c0 = 0; c0 < n; c0 += 4) {
      const wd = Math.min(4, n - c0);
      // Pack 4 columns interleaved: buf[4·row + k] = w[row][c0 + k] (zeros past the last column).
      if (wd < 4) buf.fill(0);
      for (let r = 0; r < n; r++) {
        const src = r * n + c0;
        const dst = 4 * r;
        for (let k = 0; k < wd; k++) buf[dst + k] = w[src + k];
      }
      for (let q = 0; q < runs; q++) {
        const r1 = runStart[q + 1];
        let r = runStart[q];
        let i = idx[r];
        const b = 4 * (i + 1);
        let x0 = buf[b];
        let x1 = buf[b + 1];
        let x2 = buf[b + 2];
        let x3 = buf[b + 3];
        for (; r < r1; r++, i--) {
          const c = cs[r];
          const s = sn[r];
          const a = 4 * i;
          const y0 = buf[a];
          const y1 = buf[a + 1];
          const y2 = buf[a + 2];
          const y3 = buf[a + 3];
          buf[a + 4] = s * y0 + c * x0;
          buf[a + 5] = s * y1 + c * x1;
          buf[a + 6] = s * y2 + c * x2;
          buf[a + 7] = s * y3 + c * x3;
          x0 = c * y0 - s * x0;
          x1 = c * y1 - s * x1;
          x2 = c * y2 - s * x2;
          x3 = c * y3 - s * x3;
        }
        const a = 4 * (i + 1);
        buf[a] = x0;
        buf[a + 1] = x1;
        buf[a + 2] = x2;
        buf[a + 3] = x3;
      }
      for (let r = 0; r < n; r++) {
        const dst = r * n + c0;
        const src = 4 * r;
        for (let k = 0; k < wd; k++) w[dst + k] = buf[src + k];
      }
    }
    this.count = 0;
    this.runs = 0;
  }
}

const EPS = Number.EPSILON;

/**
 * Eigenvalues of the symmetric tridiagonal (d, e) by implicit QL with Wilkinson shifts, in place: on return
 * d holds the (unsorted) eigenvalues and e is destroyed. Rotations go to `rotations` when eigenvectors are
 * wanted. Expects entries scaled to order 1 (the caller scales), so plain sqrt(f² + g²) cannot overflow.
 * @internal
 */
export function tridiagonalQl(d: Float64Array, e: Float64Array, n: number, rotations: RotationBatch | null, fn: string): void {
  if (n > 0) e[n - 1] = 0;
  // A sub-diagonal entry is negligible relative to its neighbours on the diagonal, or below ε‖T‖: the reduction to
  // tridiagonal form already left errors of that size. Without the second test a rank-deficient matrix never
  // converges: its zero eigenvalues come out of the reduction as a block of entries ~ε‖T‖, whose sub-diagonal can
  // never fall to ε times its (equally tiny) diagonal.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  const absTol = EPS * norm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      // Find the first negligible sub-diagonal at or after l: the block l..m is unreduced.
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        const em = Math.abs(e[m]);
        if (em <= EPS * dd || em <= absTol || em < 1e-300) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error(`${fn}: the QL iteration did not converge for eigenvalue ${l}`);
      // Wilkinson shift: the eigenvalue of the leading 2×2 block nearer d[l]; g starts as d[m] − shift.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.sqrt(g * g + 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.sqrt(f * f + g * g);
        e[i + 1] = r;
        if (r === 0) {
          // The bulge vanished: the block splits here; restart from the top.
          d[i + 1] -= p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (rotations !== null) rotations.push(i, c, s);
      }
      if (deflated) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  if (rotations !== null) rotations.flush();
}
