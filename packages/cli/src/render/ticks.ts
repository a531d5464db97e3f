/** Round tick values (steps of 1, 2 or 5 × 10^k) inside [lo, hi], about `count` of them, with their labels. */
export function ticks(lo: number, hi: number, count: number): { values: number[]; labels: string[] } {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) {
    // Snap to the decimal grid so that 0 is exactly 0 (it gets the darker axis line).
    values.push(Number((k * step).toFixed(decimals)));
  }
  return { values, labels: values.map((v) => (v === 0 ? '0' : v.toFixed(decimals))) };
}
