import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packages as npm would publish them (`pnpm pack`), installed from their tarballs into a fresh project next to
// tfjs from the npm registry: they import in Node ESM, bundle with esbuild and run, and their types resolve under both
// of TypeScript's module resolutions a user picks (nodenext, bundler). @not/onednn (native/onednn, an optional
// dependency of @not/backends) builds its addon at npm install where oneDNN is installed, and says why not elsewhere.

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const names = readdirSync(PACKAGES).sort();
const ONEDNN = fileURLToPath(new URL('../../native/onednn/', import.meta.url));
const HAS_ONEDNN = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc', { paths: [fileURLToPath(new URL('../..', import.meta.url))] });
const project = mkdtempSync(join(tmpdir(), 'not-fresh-install-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
const tarball = (name: string) => join(project, 'tarballs', `not-${name}-0.1.0.tgz`);

/** Imports every package and uses each a little, on the cpu backend. */
const USE_EVERY_PACKAGE = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { quadraticCost, NeuralOT, Rng, gaussianOtMap, matrixFromRows } from '@not/ot-core';
import { UNetMap, ResNetPotential } from '@not/nets';
import { GaussianSampler, randomGaussianPair, toySampler } from '@not/datasets';
import { encodeIdx, parseIdx } from '@not/datasets/node';
import { l2Uvp, FeatureStatistics } from '@not/metrics';
import { loadFashionClassifier } from '@not/metrics/node';
import { Stack, trainStack } from '@not/stacking';
import { STROTSS_LAYERS } from '@not/style';
import { BACKEND_REQUESTS } from '@not/backends';
import { buildProgram } from '@not/cli';

await tf.setBackend('cpu');
const x = tf.randomUniform([2, 16, 16, 1], -1, 1);
const y = new UNetMap({ size: 16, channels: 1, base: 4 }).apply(x, undefined, { training: false });
const f = new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8 }).apply(y);
const cost = quadraticCost().evaluate(x, tf.expandDims(y, 1));
const points = toySampler('swiss-roll', { seed: 1 }).sample(8);
const { m1, S1 } = randomGaussianPair(2, new Rng(0));
const map = gaussianOtMap([0, 0], matrixFromRows([[1, 0], [0, 1]]), [1, 1], matrixFromRows([[4, 0], [0, 1]]));
console.log(JSON.stringify({
  scores: f.shape, cost: cost.shape, points: points.shape, sampler: new GaussianSampler(m1, S1, { seed: 1 }).sample(4).shape,
  uvp: l2Uvp({ data: [1, 1], shape: [1, 2] }, { data: [1, 1], shape: [1, 2] }, 1), shift: Array.from(map.b),
  solver: typeof NeuralOT, stats: new FeatureStatistics(2).dim, stack: typeof Stack, trainStack: typeof trainStack,
  idx: parseIdx(encodeIdx(new Uint8Array([1, 2, 3]), [3])).dims, classifier: typeof loadFashionClassifier,
  style: STROTSS_LAYERS.length > 0, backends: BACKEND_REQUESTS.includes('auto'), commands: buildProgram().commands.length,
}));
`;

beforeAll(() => {
  mkdirSync(join(project, 'tarballs'));
  for (const dir of [...names.map((name) => join(PACKAGES, name)), ONEDNN]) execFileSync('pnpm', ['pack', '--pack-destination', join(project, 'tarballs')], { cwd: dir, stdio: 'ignore' });
  const dependencies = Object.fromEntries([...names, 'onednn'].map((name) => [`@not/${name}`, `file:${tarball(name)}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'fresh', private: true, type: 'module',
    dependencies: { ...dependencies, '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0', esbuild: '0.27.7' },
  }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
}, 600_000);

describe('the packed packages in a fresh project', () => {
  it('carry every file their exports, types and bins name, and no source paths', () => {
    for (const name of names) {
      const files = new Set(run('tar', ['-tzf', tarball(name)]).split('\n').map((f) => f.replace(/^package\//, '')));
      const manifest = JSON.parse(run('tar', ['-xzOf', tarball(name), 'package/package.json']));
      for (const entry of Object.values(manifest.exports) as Record<string, string>[]) expect(Object.keys(entry), `@not/${name} exports`).toEqual(['types', 'import']);
      const paths = [manifest.main, manifest.types, ...(Object.values(manifest.exports) as Record<string, string>[]).flatMap((entry) => Object.values(entry)), ...Object.values(manifest.bin ?? {})].filter((p) => p !== undefined) as string[];
      for (const path of paths) expect(files.has(path.replace(/^\.\//, '')), `@not/${name}: ${path}`).toBe(true);
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      expect(manifest.exports['.'].source, `@not/${name} exports its sources`).toBeUndefined();
    }
  });

  const expected = { scores: [2], cost: [2], points: [8, 2], sampler: [4, 2], uvp: 0, shift: [1, 1], solver: 'function', stats: 2, idx: [3], classifier: 'function', stack: 'function', trainStack: 'function', style: true, backends: true };

  it('import and run in Node ESM, and the not command starts', () => {
    writeFileSync(join(project, 'use.mjs'), USE_EVERY_PACKAGE);
    expect(JSON.parse(run(process.execPath, ['use.mjs']).trim().split('\n').pop()!)).toMatchObject(expected);
    expect(run(process.execPath, ['node_modules/.bin/not', '--help'])).toContain('Usage: not [options] [command]');
  });

  it("@not/onednn built at install where oneDNN is, and @not/backends runs its kernels on wasm; else it says why", () => {
    const script = `import { useBackend } from '@not/backends';
      import { createRequire } from 'node:module';
      const report = await useBackend('wasm');
      console.log(JSON.stringify({ located: createRequire(import.meta.url)('@not/onednn').locateAddon(), oneDnn: report.oneDnn }));`;
    writeFileSync(join(project, 'onednn.mjs'), script);
    const { located, oneDnn } = JSON.parse(run(process.execPath, ['onednn.mjs']).trim().split('\n').pop()!);
    if (HAS_ONEDNN) {
      expect(located).toEqual({ file: join(project, 'node_modules/@not/onednn/build/Release/not_onednn.node') });
      expect(oneDnn).toMatchObject({ loaded: true, kernels: expect.arrayContaining(['Conv2D', 'NotBatchNormTraining']) });
    } else {
      expect(located.file).toBeNull();
      expect(oneDnn).toEqual({ loaded: false, why: `@not/onednn is not built: ${located.why}` });
    }
  });

  it('bundle with esbuild into one file that runs', () => {
    writeFileSync(join(project, 'entry.mjs'), USE_EVERY_PACKAGE);
    // h5wasm and tfjs's wasm backend find their .wasm files next to their own modules: they stay installed packages.
    // ESM entries first (as bundlers for the web do): tfjs-backend-cpu's CommonJS entry is not among the files its
    // package.json declares to have side effects, so a bundler would drop its backend registration.
    run(join(project, 'node_modules/.bin/esbuild'), ['entry.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=bundle.mjs', '--main-fields=module,main',
      '--external:h5wasm', '--external:@tensorflow/tfjs-backend-wasm', '--log-level=error',
      '--banner:js=import { createRequire as bannerCreateRequire } from "node:module"; const require = bannerCreateRequire(import.meta.url);']);
    expect(JSON.parse(run(process.execPath, ['bundle.mjs']).trim().split('\n').pop()!)).toMatchObject(expected);
  });

  it('have types that resolve under nodenext and bundler resolution', () => {
    writeFileSync(join(project, 'use.ts'), USE_EVERY_PACKAGE);
    for (const [module, resolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
      const out = (() => {
        try {
          return run(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', module, '--moduleResolution', resolution, 'use.ts']);
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error);
        }
      })();
      expect(out, `${module}/${resolution}`).toBe('');
    }
  });
});
