import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Every ```ts block of every package README runs as written (a block marked ```ts fragment is an excerpt that needs
// files the reader brings, such as downloaded weights, and is only shown).

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const scratch = fileURLToPath(new URL('../.readme-examples/', import.meta.url));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The fenced blocks of a markdown text: their info string and code. */
export function fencedBlocks(markdown: string): { info: string; code: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code]) => ({ info: info.trim(), code }));
}

const examples = readdirSync(PACKAGES).flatMap((name) => {
  const blocks = fencedBlocks(readFileSync(join(PACKAGES, name, 'README.md'), 'utf8'));
  return blocks.filter((b) => b.info === 'ts').map((b, i) => ({ name: `@not/${name} README, example ${i + 1}`, file: `${name}-${i + 1}.ts`, code: b.code }));
});

describe('package README examples', () => {
  it('finds a runnable example in every package', () => {
    expect(new Set(examples.map((e) => e.name.split(' ')[0]))).toEqual(new Set(readdirSync(PACKAGES).map((name) => `@not/${name}`)));
  });

  for (const example of examples) {
    it(`${example.name} runs`, async () => {
      mkdirSync(scratch, { recursive: true });
      const path = join(scratch, example.file);
      writeFileSync(path, `${example.code}\nexport {};\n`);
      // Files an example writes (a picture) land in the scratch folder.
      const cwd = process.cwd();
      process.chdir(scratch);
      try {
        await import(path);
      } finally {
        process.chdir(cwd);
      }
    });
  }
});
