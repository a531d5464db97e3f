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
