/** The first NaN or ±Inf of an array (its index and value) and how many there are; null when every value is finite. */
export function nonFinite(data: ArrayLike<number>): { index: number; value: number; count: number } | null {
  let first = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    if (first < 0) first = i;
    count++;
  }
  return first < 0 ? null : { index: first, value: data[first], count };
}

/** "NaN at [2, 0, 5] (3 values are not finite)", with the position as indices into `shape`. */
export function describeNonFinite(found: { index: number; value: number; count: number }, shape: readonly number[]): string {
  const position: number[] = [];
  let rest = found.index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return `${found.value} at [${position.join(', ')}] (${found.count} value${found.count === 1 ? ' is' : 's are'} not finite)`;
}
