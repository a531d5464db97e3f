import { readFileSync } from 'node:fs';
import { matrixFromRows } from '@not/ot-core';
import type { GaussianPair } from '@not/datasets';

/** Reads `{"m1":[…],"S1":[[…]],"m2":[…],"S2":[[…]]}`; every problem is reported with the file and the field. */
export function readGaussianPair(path: string): GaussianPair {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`--pair ${path}: cannot read JSON (${(error as Error).message})`);
  }
  return parseGaussianPair(raw, `--pair ${path}`);
}

/** Checks parsed JSON `raw` as a Gaussian pair (equal-length means, matching square covariances); errors start with `where`. */
export function parseGaussianPair(raw: unknown, where: string): GaussianPair {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: expected an object with m1, S1, m2, S2`);
  const obj = raw as Record<string, unknown>;
  const vector = (key: string): Float64Array => {
    const v = obj[key];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`${where}: "${key}" must be a non-empty array of finite numbers`);
    }
    return Float64Array.from(v as number[]);
  };
  const square = (key: string, dim: number) => {
    const rows = obj[key];
    if (!Array.isArray(rows) || rows.length !== dim || !rows.every((r) => Array.isArray(r) && r.length === dim && r.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
      throw new Error(`${where}: "${key}" must be a ${dim}×${dim} array of finite numbers (matching the length of the means)`);
    }
    return matrixFromRows(rows as number[][]);
  };
  const m1 = vector('m1');
  const m2 = vector('m2');
  if (m2.length !== m1.length) throw new Error(`${where}: m1 has ${m1.length} entries but m2 has ${m2.length}`);
  return { m1, S1: square('S1', m1.length), m2, S2: square('S2', m1.length) };
}

/** Reads a JSON array of points (arrays of `dim` numbers) for --eval-points. */
export function readPoints(path: string, dim: number): Float32Array {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`--eval-points ${path}: cannot read JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`--eval-points ${path}: expected a non-empty JSON array of points`);
  const out = new Float32Array(raw.length * dim);
  raw.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== dim || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`--eval-points ${path}: point ${i} must be an array of ${dim} finite numbers`);
    }
    out.set(p as number[], i * dim);
  });
  return out;
}
