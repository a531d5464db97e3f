import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks } from './fenced-blocks';

// Every ```ts block of every package README runs as written (a block marked ```ts fragment is an excerpt that needs
// files the reader brings, such as downloaded weights, and is only shown), as a user would run it.
// Each package's README opens with the line that installs what its examples need (`pnpm add @not/x …`). Every package
// on that line is the package itself, one it declares (dependencies or peerDependencies), or the backend the examples
// pick (tfjs-backend-cpu or @not/backends: a backend is the user's choice); every import of the examples is on that
// line. Then, in a fresh pnpm project per package holding only what that line names (our packages from their packed
// tarballs, the rest from the registry; pnpm lets a project import only its own dependencies), the examples run as
// published.

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const names = readdirSync(PACKAGES).sort();
const BACKENDS = ['@tensorflow/tfjs-backend-cpu', '@not/backends'];
const BUILTIN = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const work = mkdtempSync(join(tmpdir(), 'not-readme-installs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const exec = promisify(execFile);
const tarball = (name: string) => join(work, 'tarballs', `not-${name}-0.1.0.tgz`);
const manifest = (name: string) => JSON.parse(readFileSync(join(PACKAGES, name, 'package.json'), 'utf8'));

/** The package an import specifier names: '@scope/name' or 'name'. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const readmes = names.map((name) => {
  const text = readFileSync(join(PACKAGES, name, 'README.md'), 'utf8');
  const blocks = fencedBlocks(text);
  const install = blocks.find((b) => b.info === 'sh' && /^pnpm add /m.test(b.code));
  const line = install?.code.split('\n').find((l) => l.startsWith('pnpm add '));
  const installs = line ? line.replace(/#.*/, '').trim().split(/\s+/).slice(2) : [];
  const ts = blocks.filter((b) => b.info === 'ts' || b.info === 'ts fragment');
  const imports = ts.flatMap((b) => [...b.code.matchAll(/^\s*(?:import|export)\b[^'"]*?['"]([^'"]+)['"]/gm)].map((m) => m[1]));
  return { name, installs, imports, runnable: ts.filter((b) => b.info === 'ts').map((b) => b.code) };
});

/** Our packages that `name` needs installed: itself and its @not dependencies, transitively. */
function ourClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(manifest(name).dependencies ?? {})) if (dep.startsWith('@not/')) ourClosure(dep.slice(5), seen);
  return seen;
}

describe('each package README declares what its examples need', () => {
  it('finds a runnable example in every package', () => {
    expect(readmes.filter((r) => r.runnable.length === 0).map((r) => r.name)).toEqual([]);
  });

  for (const { name, installs, imports } of readmes) {
    it(`@not/${name}: the install line names only the package, what it declares and the examples' backend; the examples import only those`, () => {
      expect(installs[0], `@not/${name} README: expected a \`pnpm add @not/${name} …\` line in a sh block`).toBe(`@not/${name}`);
      const m = manifest(name);
      const declared = new Set([`@not/${name}`, ...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {}), ...BACKENDS]);
      expect(installs.filter((p) => !declared.has(p)), `@not/${name}: on its install line but not declared by it`).toEqual([]);
      const imported = [...new Set(imports.filter((s) => !BUILTIN.has(s)).map(packageOf))];
      expect(imported.filter((p) => !installs.includes(p)), `@not/${name}: imported by its README but not on its install line`).toEqual([]);
    });
  }
});

describe('each package README runs in a fresh project holding only its install line', () => {
  beforeAll(async () => {
    mkdirSync(join(work, 'tarballs'));
    await Promise.all(names.map((name) => exec('pnpm', ['pack', '--pack-destination', join(work, 'tarballs')], { cwd: join(PACKAGES, name) })));
    // Two installs at a time: the machine may have few cores.
    const queue = readmes.filter((r) => r.runnable.length > 0);
    const next = async (): Promise<void> => {
      const readme = queue.shift();
      if (readme === undefined) return;
      const { name, installs } = readme;
      const dir = join(work, name);
      mkdirSync(dir);
      const spec = (pkg: string) => (pkg.startsWith('@not/') ? `file:${tarball(pkg.slice(5))}` : pkg === '@tensorflow/tfjs-core' || pkg.startsWith('@tensorflow/tfjs-backend-') ? '4.22.0' : 'latest');
      // Our packages that the named ones depend on come from their tarballs too (overrides: they are not on the
      // registry), installed as dependencies of dependencies, not as the project's own.
      const ours = new Set(installs.filter((p) => p.startsWith('@not/')).flatMap((p) => [...ourClosure(p.slice(5))]));
      const overrides = Object.fromEntries([...ours].map((n) => [`@not/${n}`, `file:${tarball(n)}`]));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fresh-${name}`, private: true, type: 'module', dependencies: Object.fromEntries(installs.map((p) => [p, spec(p)])), pnpm: { overrides } }));
      await exec('pnpm', ['install', '--prefer-offline', '--reporter=append-only'], { cwd: dir, timeout: 300_000 }).catch((error) => {
        throw new Error(`pnpm install for @not/${name}'s README (${installs.join(' ')}) failed:\n${error.stdout}${error.stderr}`);
      });
      await next();
    };
    await Promise.all([next(), next()]);
  }, 900_000);

  for (const { name, runnable } of readmes.filter((r) => r.runnable.length > 0)) {
    it(`@not/${name}'s README examples run`, async () => {
      const dir = join(work, name);
      for (const [i, code] of runnable.entries()) {
        const file = join(dir, `example-${i + 1}.mjs`);
        writeFileSync(file, (await transform(`${code}\nexport {};\n`, { loader: 'ts', format: 'esm', target: 'es2022' })).code);
        const run = await exec(process.execPath, [file], { cwd: dir, timeout: 300_000 }).catch((error) => error);
        expect(run.code ?? 0, `@not/${name} README example ${i + 1}:\n${run.stderr}`).toBe(0);
      }
    }, 600_000);
  }
});
