import type { Sampler } from '@not/ot-core';
import { eightGaussians, type EightGaussiansOptions } from './eight-gaussians';
import { moons, type MoonsOptions } from './moons';
import type { ToySeedOptions } from './seed-source';
import { standardNormal } from './standard-normal';
import { swissRoll, type SwissRollOptions } from './swiss-roll';

/** Names accepted by {@link toySampler}, in the order error messages list them. */
export const TOY_SAMPLER_NAMES = ['8gaussians', 'swiss-roll', 'moons', 'normal'] as const;

/** A toy data set's name. */
export type ToySamplerName = (typeof TOY_SAMPLER_NAMES)[number];

/** Options of the `'normal'` toy sampler: {@link standardNormal} with its dimension as an option (default 2). */
export interface NormalToyOptions extends ToySeedOptions {
  /** Dimension of each sample (default 2). */
  dim?: number;
}

/** Options per toy sampler name. */
export interface ToySamplerOptionsByName {
  /** Options of {@link eightGaussians}. */
  '8gaussians': EightGaussiansOptions;
  /** Options of {@link swissRoll}. */
  'swiss-roll': SwissRollOptions;
  /** Options of {@link moons}. */
  moons: MoonsOptions;
  /** Options of {@link standardNormal}, plus its dimension. */
  normal: NormalToyOptions;
}

/** True when `name` is one of {@link TOY_SAMPLER_NAMES}. */
export function isToySamplerName(name: string): name is ToySamplerName {
  return (TOY_SAMPLER_NAMES as readonly string[]).includes(name);
}

/**
 * A toy sampler by name, e.g. from a command-line flag. Throws for an unknown name, listing the valid ones.
 *
 * @example
 * const q = toySampler('swiss-roll', { seed: 1, noise: 0.5 });
 */
export function toySampler<N extends ToySamplerName>(name: N, options?: ToySamplerOptionsByName[N]): Sampler;
export function toySampler(name: string, options?: ToySamplerOptionsByName[ToySamplerName]): Sampler;
export function toySampler(name: string, options: object = {}): Sampler {
  switch (name) {
    case '8gaussians':
      return eightGaussians(options as EightGaussiansOptions);
    case 'swiss-roll':
      return swissRoll(options as SwissRollOptions);
    case 'moons':
      return moons(options as MoonsOptions);
    case 'normal': {
      const { dim, ...seed } = options as NormalToyOptions;
      return standardNormal(dim ?? 2, seed);
    }
    default:
      throw new Error(
        `toySampler: name must be one of ${TOY_SAMPLER_NAMES.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(name)}`,
      );
  }
}
