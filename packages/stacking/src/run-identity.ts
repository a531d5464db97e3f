/**
 * What defines a run, as a JSON value its caller chooses (settings that shape the result, hashes of its input files):
 * a checkpoint records it, and a resume that asks for a different one is refused rather than continuing another run.
 */
export type RunIdentity = null | boolean | number | string | RunIdentity[] | { [key: string]: RunIdentity };

/** One setting that differs between a stored run and the one asked for; `undefined` where one side lacks it. */
export interface IdentityDifference {
  /** Where it sits in the identity: keys joined by dots, array indices in brackets, e.g. `settings.seed`. */
  path: string;
  /** The value the stored run has there. */
  stored: unknown;
  /** The value asked for now. */
  asked: unknown;
}

/** Whether `value` is a JSON value that survives a JSON round trip unchanged (finite numbers, plain objects, arrays). */
export function isRunIdentity(value: unknown): value is RunIdentity {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isRunIdentity);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as object).every((v) => v === undefined || isRunIdentity(v));
}

/**
 * Every place where `asked` differs from `stored`, leaf by leaf (a key missing on one side is a difference; keys whose
 * value is `undefined` count as missing), in the order of the keys.
 */
export function identityDifferences(stored: unknown, asked: unknown, path = ''): IdentityDifference[] {
  if (isPlainObject(stored) && isPlainObject(asked)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(asked)])];
    return keys.flatMap((key) => identityDifferences(stored[key], asked[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(stored) && Array.isArray(asked) && stored.length === asked.length) {
    return stored.flatMap((item, i) => identityDifferences(item, asked[i], `${path}[${i}]`));
  }
  return Object.is(stored, asked) || JSON.stringify(stored) === JSON.stringify(asked) ? [] : [{ path, stored, asked }];
}

/** Differences in words, `path stored → asked` separated by semicolons (a missing side shows as "(none)"). */
export function describeDifferences(differences: readonly IdentityDifference[]): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  return differences.map((d) => `${d.path || '(the whole identity)'} ${show(d.stored)} → ${show(d.asked)}`).join('; ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
