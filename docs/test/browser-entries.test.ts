import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Every library package's main entry bundles for a browser: esbuild (platform browser, as a web bundler resolves
// packages) must not meet a Node built-in anywhere in what the entry pulls in, ours or our dependencies'. Node-only
// parts live under each package's ./node subpath. And `sideEffects` lets bundlers drop what is not used: only
// ot-core's gradient registration runs on a bare import.

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const LIBRARIES = readdirSync(PACKAGES)
  .filter((name) => name !== 'cli')
  .sort();
const BUILTIN = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundles `contents` for a browser; returns the Node built-ins it met (with who imported each) and the output. */
async function bundle(contents: string, { external = [] as string[] } = {}): Promise<{ builtins: string[]; code: string }> {
  const builtins: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /^[a-z_:/]+$/ }, async (args) => {
        if (!BUILTIN.has(args.path) || args.pluginData === 'again') return undefined;
        // A package's "browser" field may map the built-in away (tfjs-core does, for its Node platform): ask esbuild.
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'again' });
        if (resolved.errors.length === 0 && !resolved.external) return undefined;
        builtins.push(`${args.path} (imported by ${args.importer.replace(/.*node_modules\//, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external,
    plugins: [recordBuiltins],
    logLevel: 'silent',
  });
  return { builtins, code: result.outputFiles[0].text };
}

describe('library main entries in a browser bundle', () => {
  it('cover every library package', () => {
    expect(LIBRARIES).toEqual(['backends', 'datasets', 'metrics', 'nets', 'ot-core', 'stacking', 'style']);
  });

  for (const name of LIBRARIES) {
    it(`@not/${name} pulls in no Node built-in`, async () => {
      const { builtins } = await bundle(`export * from '@not/${name}';`);
      expect(builtins, `@not/${name}'s main entry needs Node; move that part to @not/${name}/node`).toEqual([]);
    });
  }

  it('the check sees a built-in where one is imported (the ./node subpaths)', async () => {
    const { builtins } = await bundle(`export * from '@not/datasets/node'; export * from '@not/metrics/node';`, { external: ['h5wasm', 'pngjs'] });
    expect(builtins.some((b) => /^(node:)?fs /.test(b)), builtins.join('; ')).toBe(true);
  });
});

describe('sideEffects', () => {
  it('declares ot-core\'s gradient registration and nothing else of ours', () => {
    for (const name of LIBRARIES) {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, name, 'package.json'), 'utf8'));
      if (name === 'ot-core') expect(manifest.sideEffects).toEqual(['./dist/index.js', './src/index.ts', './src/gradients.ts']);
      else expect(manifest.sideEffects, `@not/${name}`).toBe(false);
    }
  });

  // tfjs-core stays out (external), so that the output is only our code.
  const tfjs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-core/*'];

  it('a bare import of ot-core keeps the gradient registration (bundlers must not drop it)', async () => {
    const { code } = await bundle(`import '@not/ot-core';`, { external: tfjs });
    expect(code).toMatch(/registerGradient/);
  });

  for (const name of LIBRARIES.filter((n) => n !== 'ot-core')) {
    it(`a bare import of @not/${name} bundles to (almost) nothing`, async () => {
      const { code } = await bundle(`import '@not/${name}';`, { external: tfjs });
      // What remains may only be ot-core's registration (packages that import ot-core keep it, as they must).
      const withoutGradients = code.replace(/registerGradient/g, '');
      expect(withoutGradients.length, `@not/${name} left ${code.length} bytes`).toBeLessThan(
        (await bundle(`import '@not/ot-core';`, { external: tfjs })).code.length + 200,
      );
    });
  }

  it('one function of metrics leaves its networks out', async () => {
    const { code } = await bundle(`export { l2Uvp } from '@not/metrics';`, { external: tfjs });
    expect(code).toMatch(/l2Uvp/);
    expect(code).not.toMatch(/class FidInceptionV3|class Lpips|class FashionClassifier/);
  });
});
