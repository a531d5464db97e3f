import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The API reference (`pnpm --filter not-docs api`, TypeDoc from the TSDoc comments) builds without a warning: every
// exported symbol is documented, exported where it is referenced, and every {@link} resolves.

const DOCS = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'not-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the API reference', () => {
  it('builds with every export documented and every link resolved, a module page per package and ./node subpath', () => {
    execFileSync(join(DOCS, 'node_modules/.bin/typedoc'), ['--out', out], { cwd: DOCS, stdio: 'pipe', timeout: 300_000 });
    const packages = readdirSync(fileURLToPath(new URL('../../packages/', import.meta.url))).sort();
    const modules = readdirSync(join(out, 'modules'));
    expect(packages.filter((name) => !modules.includes(`_not_${name}.html`))).toEqual([]);
    // The ./node subpaths have their own pages (each package's typedoc.json names its entries).
    expect(modules.filter((m) => m.endsWith('.node.html')).sort()).toEqual(['_not_datasets.node.html', '_not_metrics.node.html', '_not_stacking.node.html']);
    const solver = readFileSync(join(out, 'classes', '_not_ot-core.NeuralOT.html'), 'utf8');
    expect(solver).toContain('The Neural Optimal Transport solver');
    expect(solver).toContain('trainStep');
  }, 300_000);
});
