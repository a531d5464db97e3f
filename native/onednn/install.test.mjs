// install.mjs on copies of this package: it builds the addon where it can, and otherwise leaves the reason where
// locateAddon finds it, never failing the install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const here = import.meta.dirname;
const copies = [];
after(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function copyPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'not-onednn-'));
  copies.push(dir);
  for (const f of ['install.mjs', 'index.cjs', 'binding.gyp', 'src']) cpSync(join(here, f), join(dir, f), { recursive: true });
  return dir;
}

function install(dir, env = {}) {
  const r = spawnSync(process.execPath, ['install.mjs'], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const locate = (dir) => createRequire(join(dir, 'index.cjs'))('./index.cjs').locateAddon();

// What a real build needs; without it the two build tests say so and skip.
const canBuild =
  existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && existsSync(process.env.npm_config_node_gyp ?? '/nonexistent')
    ? true
    : 'needs oneDNN (apt-get install libdnnl-dev) and node-gyp from the package manager (run through pnpm)';

test('NOT_ONEDNN=off skips the build, exits 0, and locateAddon says why', () => {
  const dir = copyPackage();
  const { status, output } = install(dir, { NOT_ONEDNN: 'off' });
  assert.equal(status, 0);
  assert.match(output, /@not\/onednn: not built \(NOT_ONEDNN=off at install\)/);
  assert.deepEqual(locate(dir), { file: null, why: 'NOT_ONEDNN=off at install' });
});

test('locateAddon before any install step says so', () => {
  assert.deepEqual(locate(copyPackage()), { file: null, why: 'its install step has not run' });
});

test('a failing compile exits 0, keeps the compiler output, and locateAddon names the failure', { skip: canBuild === true ? false : canBuild }, () => {
  const dir = copyPackage();
  writeFileSync(join(dir, 'src', 'conv.cc'), `${readFileSync(join(dir, 'src', 'conv.cc'), 'utf8')}\n#error deliberately broken\n`);
  const { status } = install(dir);
  assert.equal(status, 0);
  const found = locate(dir);
  assert.equal(found.file, null);
  assert.match(found.why, /^node-gyp rebuild failed \(.*\); full output in .*build-error\.log$/);
  assert.match(readFileSync(join(dir, 'build-error.log'), 'utf8'), /deliberately broken/);
});

test('where oneDNN and a compiler exist it builds an addon that loads', { skip: canBuild === true ? false : canBuild }, () => {
  const dir = copyPackage();
  const { status, output } = install(dir);
  assert.equal(status, 0, output);
  const found = locate(dir);
  assert.equal(found.file, join(dir, 'build', 'Release', 'not_onednn.node'));
  const addon = createRequire(import.meta.url)(found.file);
  assert.match(addon.version(), /^\d+\.\d+\.\d+$/);
  assert.ok(addon.threads() >= 1);
});
