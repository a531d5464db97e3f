/**
 * The hash behind the parity fixtures' deterministic weights (fixtures/make-*-fixture.py compute the same): u in
 * [-1, 1) for element j of recipe tensor k, lowbias32(j + (k + 1)·0x9E3779B1 + seed) >> 8, over 2^23, minus 1.
 * Integer hashing mod 2^32 gives the same bits in Python and JavaScript. For tests.
 */
export function recipeUniform(seed: number, k: number, j: number): number {
  let h = (j + Math.imul(k + 1, 0x9e3779b1) + seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return (h >>> 8) / 8388608 - 1;
}
