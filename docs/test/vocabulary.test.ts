import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's vocabulary table, checked on what users see: the published type declarations of every library.
const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const LIBRARIES = ['ot-core', 'nets', 'datasets', 'metrics', 'stacking', 'style', 'backends'];

/** Names the table rules out, as option or property names (`name:` or `name?:`), and what to use instead. */
const RETIRED: Record<string, string> = {
  batch: 'batchSize',
  noiseSamples: 'noise: { samples }',
  noiseStd: 'noise: { std }',
  lrScale: 'learningRateScale',
  shouldStop: 'signal: AbortSignal',
};

function declarations(pkg: string): [string, string][] {
  const dist = join(PACKAGES, pkg, 'dist');
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.d.ts'))
    .map((name) => [`${pkg}/dist/${name}`, readFileSync(join(dist, name), 'utf8')]);
}

describe('one vocabulary', () => {
  it('no published type of a library names an option or property the table retires, nor takes a seed positionally', () => {
    const found: string[] = [];
    for (const pkg of LIBRARIES) {
      for (const [file, text] of declarations(pkg)) {
        text.split('\n').forEach((line, i) => {
          const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, '');
          for (const [name, instead] of Object.entries(RETIRED)) {
            if (new RegExp(`(^|[{,(\\s])(readonly\\s+)?${name}\\??\\s*:`).test(code)) found.push(`${file}:${i + 1}: ${name} (use ${instead})`);
          }
          // A positional seed: a parameter list holding `seed: number` beside other parameters.
          if (/\(\w+[^()]*,\s*seed\??: number/.test(code)) found.push(`${file}:${i + 1}: positional seed (use a { seed } option)`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
