/** Where an array stops being finite: its first NaN or ±Inf, and how many there are. */
export interface NonFiniteValues {
  /** Flat index of the first NaN or ±Inf. */
  index: number;
  /** That value: NaN, Infinity or -Infinity. */
  value: number;
  /** How many values of the array are not finite. */
  count: number;
}

/** The first NaN or ±Inf of an array (its index and value) and how many there are; null when every value is finite. */
export function nonFinite(data: ArrayLike<number>): NonFiniteValues | null {
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
export function describeNonFinite(found: NonFiniteValues, shape: readonly number[]): string {
  const position: number[] = [];
  let rest = found.index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return `${found.value} at [${position.join(', ')}] (${found.count} value${found.count === 1 ? ' is' : 's are'} not finite)`;
}
