// The deterministic stand-in for the LPIPS weights and the test images that fixtures/make-lpips-fixture.py also
// computes (its docstring states the recipe). Integer hashing mod 2^32 gives the same bits in Python and JavaScript.
import { recipeUniform } from '../weights/recipe-uniform';
import { lpipsWeightShapes, type LpipsNet } from './lpips-architecture';

export const LPIPS_RECIPE_SEED = 20250107;

const uniform = (k: number, j: number) => recipeUniform(LPIPS_RECIPE_SEED, k, j);

/** The recipe's value for one tensor (float64 arithmetic, rounded once to float32 on storing). */
function recipeTensor(key: string, shape: readonly number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let map: (u: number) => number;
  if (key.startsWith('features.') && key.endsWith('.weight')) {
    const bound = Math.sqrt(6 / (n / shape[0]));
    map = (u) => u * bound;
  } else if (key.startsWith('features.') && key.endsWith('.bias')) map = (u) => 0.1 * u;
  else if (key.startsWith('lin')) map = (u) => 0.5 * (u + 1);
  else throw new Error(`recipeTensor: no recipe for "${key}"`);
  for (let j = 0; j < n; j++) out[j] = map(uniform(k, j));
  return out;
}

/** All recipe weights of `net` in state-dict order (the keys of lpipsWeightShapes). */
export function lpipsRecipeWeights(net: LpipsNet): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  lpipsWeightShapes(net).forEach(([key, shape], k) => {
    out[key] = { shape, data: recipeTensor(key, shape, k) };
  });
  return out;
}

/** The fixture's image cases: name, NHWC shape, noise scale per image (null: y is an unrelated image). */
export const LPIPS_CASES: [string, [number, number, number, number], (number | null)[]][] = [
  ['rgb64', [2, 64, 64, 3], [0.3, null]],
  ['rgb32', [1, 32, 32, 3], [0.5]],
  ['gray36x44', [1, 36, 44, 1], [0.3]],
];

/** Case c's x = U(10000 + 2c), n = U(10001 + 2c); y_i = clip(x_i + s_i n_i, -1, 1), or n_i when s_i is null. */
export function lpipsRecipeImages(c: number): { x: Float32Array; y: Float32Array; shape: [number, number, number, number] } {
  const [, shape, scales] = LPIPS_CASES[c];
  const size = shape.reduce((a, b) => a * b, 1);
  const per = size / shape[0];
  const x = new Float32Array(size);
  const y = new Float32Array(size);
  for (let j = 0; j < size; j++) {
    x[j] = uniform(10000 + 2 * c, j);
    const noise = Math.fround(uniform(10001 + 2 * c, j));
    const s = scales[Math.floor(j / per)];
    y[j] = s === null ? noise : Math.min(1, Math.max(-1, x[j] + s * noise));
  }
  return { x, y, shape };
}
