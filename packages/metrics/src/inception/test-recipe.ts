// The deterministic stand-in for the FID Inception weights that fixtures/make-fid-inception-fixture.py also computes
// (its docstring states the recipe). Integer hashing mod 2^32 gives the same bits in Python and JavaScript.
import { recipeUniform } from '../weights/recipe-uniform';
import { fidInceptionWeightShapes } from './fid-inception-v3';

export const RECIPE_SEED = 20240611;

const uniform = (k: number, j: number) => recipeUniform(RECIPE_SEED, k, j);

/** The recipe's value for one tensor (float64 arithmetic, rounded once to float32 on storing). */
export function recipeTensor(key: string, shape: readonly number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let map: (u: number) => number;
  if (key.endsWith('conv.weight')) {
    const bound = Math.sqrt(6 / (n / shape[0]));
    map = (u) => u * bound;
  } else if (key.endsWith('bn.weight')) map = (u) => 1 + 0.2 * u;
  else if (key.endsWith('bn.bias') || key.endsWith('bn.running_mean')) map = (u) => 0.1 * u;
  else if (key.endsWith('bn.running_var')) map = (u) => 1 + 0.5 * u;
  else if (key.startsWith('fc.')) map = (u) => 0.01 * u;
  else throw new Error(`recipeTensor: no recipe for "${key}"`);
  for (let j = 0; j < n; j++) out[j] = map(uniform(k, j));
  return out;
}

/** All recipe weights in state-dict order (470 keys; with `classifier`, also fc.weight and fc.bias). */
export function recipeWeights({ classifier = false } = {}): Record<string, { shape: number[]; data: Float32Array }> {
  const entries: [string, number[]][] = fidInceptionWeightShapes();
  if (classifier) entries.push(['fc.weight', [1008, 2048]], ['fc.bias', [1008]]);
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  entries.forEach(([key, shape], k) => {
    out[key] = { shape, data: recipeTensor(key, shape, k) };
  });
  return out;
}
