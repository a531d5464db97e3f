import { Rng } from '@not/ot-core';

/**
 * Where a toy sampler gets its randomness: a `seed`, or an existing `Rng` to fork from.
 * Give at most one; with neither, seed 0 is used so an unseeded sampler is still reproducible.
 */
export interface ToySeedOptions {
  /** Seed of the sampler's own stream. */
  seed?: number;
  /** Parent generator; the sampler forks it once at construction (one draw from the parent). */
  rng?: Rng;
}

/**
 * The sampler's private stream. Forking (rather than sharing) the given `Rng` means later draws from the sampler never
 * shift the parent's other consumers, and vice versa.
 */
export function samplerRng(fn: string, options: ToySeedOptions): Rng {
  const { seed, rng } = options;
  if (seed !== undefined && rng !== undefined) {
    throw new Error(`${fn}: give either seed or rng, not both`);
  }
  if (rng !== undefined) {
    if (!(rng instanceof Rng)) throw new Error(`${fn}: rng must be an Rng, got ${typeof rng}`);
    return rng.fork();
  }
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new Error(`${fn}: seed must be a finite number, got ${seed}`);
  }
  return new Rng(seed ?? 0);
}
