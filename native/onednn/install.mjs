// Builds the addon at install where it can be built, and never fails the install: where a piece is missing (oneDNN's
// headers, a C++ compiler, node-gyp) it writes why to build/not-built.txt, which @not/backends reports, and exits 0.
// NOT_ONEDNN=off skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const build = join(here, 'build');
const HOW = 'apt-get install libdnnl-dev g++ make python3, then `pnpm rebuild @not/onednn`';

function skip(why) {
  mkdirSync(build, { recursive: true });
  rmSync(join(build, 'Release', 'not_onednn.node'), { force: true });
  writeFileSync(join(build, 'not-built.txt'), `${why}\n`);
  console.log(`@not/onednn: not built (${why}); @not/backends keeps tfjs' wasm kernels`);
  process.exit(0);
}

const onPath = (name) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));

if (process.env.NOT_ONEDNN === 'off') skip('NOT_ONEDNN=off at install');
if (process.platform !== 'linux') skip(`built on Linux only, this is ${process.platform}`);
const includeDirs = ['/usr/include', '/usr/local/include', ...(process.env.CPATH ?? '').split(delimiter).filter(Boolean)];
if (!includeDirs.some((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  skip(`oneDNN's header oneapi/dnnl/dnnl.hpp is not in ${includeDirs.join(', ')}: ${HOW}`);
}
for (const tool of ['c++', 'make', 'python3']) if (!onPath(tool)) skip(`${tool} is not on PATH: ${HOW}`);
// npm and pnpm give their own node-gyp to install scripts; else one on PATH.
const gyp = process.env.npm_config_node_gyp;
const command = gyp && existsSync(gyp) ? [process.execPath, gyp] : onPath('node-gyp') ? ['node-gyp'] : null;
if (command === null) skip('node-gyp was not found (npm_config_node_gyp unset, none on PATH)');
// Node's own headers where this Node has them (Debian's /usr/include/node): nothing to download, so offline works.
const prefix = join(dirname(process.execPath), '..');
const env = { ...process.env };
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
const result = spawnSync(command[0], [...command.slice(1), 'rebuild'], { cwd: here, env, encoding: 'utf8' });
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  const log = join(here, 'build-error.log');
  writeFileSync(log, output.join('\n'));
  skip(`node-gyp rebuild failed (${output.filter((l) => /error/i.test(l)).slice(0, 2).join(' / ') || `exit ${result.status}`}); full output in ${log}`);
}
rmSync(join(build, 'not-built.txt'), { force: true });
console.log('@not/onednn: built build/Release/not_onednn.node (oneDNN kernels for @not/backends on wasm)');
