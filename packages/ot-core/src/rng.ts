import { checkFinite, checkPositiveInt } from './checks';

/** A saved {@link Rng} position. */
export interface RngState {
  /** The four xoshiro128** state words, as unsigned 32-bit integers (not all zero). */
  words: number[];
  /** The second normal of the last Box–Muller pair, not yet returned; null when none is pending. */
  spareNormal: number | null;
}

/**
 * Seeded pseudo-random numbers (xoshiro128**, seeded through splitmix32), reproducible on every platform.
 * `fork()` derives an independent stream, so adding draws to one consumer never shifts another's.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    checkFinite('Rng', 'seed', seed);
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    checkPositiveInt('Rng.int', 'n', n);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** n standard normals as a Float32Array (or Float64Array when asked). */
  normals(n: number, type: 'float32' | 'float64' = 'float32'): Float32Array | Float64Array {
    const out = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** A seed for tfjs random ops (`tf.randomNormal(shape, mean, std, dtype, seed)`). */
  seed(): number {
    return this.nextUint32();
  }

  /** An independent generator derived from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /** The generator's full state, as plain JSON, so a resumed run continues the same stream. */
  getState(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3].map((w) => w >>> 0), spareNormal: this.spareNormal };
  }

  /** Continues from a state saved by getState. */
  setState(state: RngState): void {
    const words = state?.words;
    if (!(Array.isArray(words) && words.length === 4 && words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32))) {
      throw new Error(`Rng.setState: expected { words: four uint32 values, spareNormal }, got ${JSON.stringify(state)}`);
    }
    if (words.every((w) => w === 0)) throw new Error('Rng.setState: an all-zero state would only ever produce zeros');
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.spareNormal = typeof state.spareNormal === 'number' ? state.spareNormal : null;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * `seed` as tfjs random ops take it. tfjs treats a seed of 0 as no seed at all (it draws from Math.random), so 0
 * becomes 0.5, a value no integer seed gives: every seed, 0 included, then gives the same draws on every run.
 */
export function tfSeed(seed: number): number {
  return seed === 0 ? 0.5 : seed;
}
