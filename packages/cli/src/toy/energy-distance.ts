/**
 * Energy distance between two point clouds (Székely & Rizzo), in its squared form
 *   E(A, B) = 2·mean|a − b| − mean|a − a′| − mean|b − b′|,
 * each mean over all pairs, the diagonal included (the V-statistic). It is the squared MMD with the distance kernel,
 * so it is ≥ 0 and exactly 0 when both clouds hold the same points; between independent samples of one distribution it
 * is small but positive (about mean|a − a′|·(1/n + 1/m)), so compare against such a floor rather than against 0.
 *
 * Points are row-major `[n, dim]` values. Returns NaN when any value is not finite (a diverged map), so a report can
 * still be written.
 *
 * @example
 * energyDistance(mapped, target, 2); // T♯P vs Q on 1024 points each
 */
export function energyDistance(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): number {
  const n = rows('a', a, dim);
  const m = rows('b', b, dim);
  if (!allFinite(a) || !allFinite(b)) return Number.NaN;
  const cross = meanDistance(a, n, b, m, dim);
  return 2 * cross - meanDistance(a, n, a, n, dim) - meanDistance(b, m, b, m, dim);
}

/**
 * The expected energy distance between two independent n-point samples of the distribution `points` were drawn from:
 * with δ = E|y − y′|, the V-statistic's mean is 2δ − 2(1 − 1/n)δ = 2δ/n, and δ is estimated without bias by the
 * mean distance over the pairs i ≠ j of `points`. A perfect map scores about this against an n-point sample of Q, so
 * it is the floor that sampling noise alone puts under {@link energyDistance} at that sample size.
 *
 * @example
 * energyFloor(target, 2, 1024); // what T♯P vs Q would score on 1024 points each if T♯P were exactly Q
 */
export function energyFloor(points: ArrayLike<number>, dim: number, n: number): number {
  const m = rows('points', points, dim);
  if (m < 2) throw new Error(`energyFloor: points must hold at least 2 points to estimate E|y − y′|, got ${m}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`energyFloor: n must be a positive integer, got ${n}`);
  if (!allFinite(points)) return Number.NaN;
  // The all-pairs mean includes the m zero diagonal terms; rescale to the mean over i ≠ j.
  const delta = (meanDistance(points, m, points, m, dim) * m) / (m - 1);
  return (2 * delta) / n;
}

function rows(name: string, points: ArrayLike<number>, dim: number): number {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`energyDistance: dim must be a positive integer, got ${dim}`);
  if (points == null || typeof points.length !== 'number' || points.length === 0 || points.length % dim !== 0) {
    throw new Error(`energyDistance: ${name} must hold a non-empty whole number of ${dim}-D points, got ${points?.length} values`);
  }
  return points.length / dim;
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Mean Euclidean distance over all n·m pairs, accumulated in float64. */
function meanDistance(a: ArrayLike<number>, n: number, b: ArrayLike<number>, m: number, dim: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ai = i * dim;
    let row = 0;
    for (let j = 0; j < m; j++) {
      const bj = j * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = a[ai + d] - b[bj + d];
        s += t * t;
      }
      row += Math.sqrt(s);
    }
    total += row;
  }
  return total / (n * m);
}
