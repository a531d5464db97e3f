import type { Options } from 'tsup';

/** Shared tsup settings: ESM, types, tfjs-core and our own packages stay external. */
export function libraryConfig(extra: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    external: [/^@not\//, /^@tensorflow\/tfjs-core$/, /^@tensorflow\/tfjs-backend-/],
    ...extra,
  };
}
