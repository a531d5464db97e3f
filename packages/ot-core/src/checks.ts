// Argument checks in the house format: `fn: name must be <expected>, got <value>`. Each returns the checked value,
// so a check reads as an assignment: `const n = checkPositiveInt('Rng.int', 'n', n0)`.

/** A value as an error message shows it: numbers as written, strings quoted, arrays in brackets, objects by kind. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(describeValue).join(', ')}]` : `an array of ${value.length}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** The error for an argument that is not what `fn` expects: `fn: name must be expected, got value`. */
export function argumentError(fn: string, name: string, expected: string, got: unknown): Error {
  return new Error(`${fn}: ${name} must be ${expected}, got ${describeValue(got)}`);
}

/** Bounds of {@link checkInteger} and {@link checkFinite}, both inclusive. */
export interface Bounds {
  /** The least value allowed (inclusive); no lower bound when absent. */
  min?: number;
  /** The greatest value allowed (inclusive); no upper bound when absent. */
  max?: number;
}

function bounded(kind: string, { min, max }: Bounds): string {
  if (min !== undefined && max !== undefined) return `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

function within(v: number, { min = -Infinity, max = Infinity }: Bounds): boolean {
  return v >= min && v <= max;
}

/** `value` if it is an integer within `bounds`; else throws naming `fn`, `name`, the bounds and the value. */
export function checkInteger(fn: string, name: string, value: unknown, bounds: Bounds = {}): number {
  if (typeof value === 'number' && Number.isInteger(value) && within(value, bounds)) return value;
  throw argumentError(fn, name, bounded('an integer', bounds), value);
}

/** `value` if it is an integer >= 1 (a count, a size, a width); else throws naming `fn` and `name`. */
export function checkPositiveInt(fn: string, name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw argumentError(fn, name, 'a positive integer', value);
}

/** `value` if it is a finite number within `bounds`; else throws naming `fn`, `name`, the bounds and the value. */
export function checkFinite(fn: string, name: string, value: unknown, bounds: Bounds = {}): number {
  if (typeof value === 'number' && Number.isFinite(value) && within(value, bounds)) return value;
  throw argumentError(fn, name, bounded('a finite number', bounds), value);
}
