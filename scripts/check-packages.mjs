// Lints every package as npm would publish it: `pnpm pack` (which applies publishConfig and turns workspace:
// versions into real ones), then publint and @arethetypeswrong/cli on the tarball. Needs the packages built.
// Usage: node scripts/check-packages.mjs [folders...]   (default: every folder under packages/ and native/; a bare name
// means packages/NAME)
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const under = (parent) => readdirSync(join(root, parent)).sort().map((name) => `${parent}/${name}`);
const folders = process.argv.length > 2 ? process.argv.slice(2).map((f) => (f.includes('/') ? f : `packages/${f}`)) : [...under('packages'), ...under('native')];
const out = mkdtempSync(join(tmpdir(), 'not-packs-'));

/** Runs a command; resolves to its output, and whether it failed. */
async function check(command, args, cwd) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
    return { failed: false, output: stdout + stderr };
  } catch (error) {
    return { failed: true, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error) };
  }
}

let failures = 0;
try {
  await Promise.all(
    folders.map(async (folder) => {
      const dir = join(root, folder);
      const name = basename(folder);
      const dest = join(out, name);
      const packed = await check('pnpm', ['pack', '--pack-destination', dest], dir);
      if (packed.failed) {
        failures++;
        console.error(`✗ ${folder}: pnpm pack failed\n${packed.output}`);
        return;
      }
      const tarball = join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz')));
      // publint: suggestions count too (--strict makes warnings errors; --level suggestion prints everything).
      const lint = await check(bin('publint'), ['run', tarball, '--strict', '--level', 'suggestion'], dir);
      const publintClean = !lint.failed && !/Suggestions?:|Warnings?:|Errors?:/.test(lint.output);
      // ESM only (no CommonJS entry, by design): node16-cjs and node10 resolutions are not ours to serve.
      const types = await check(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'], dir);
      const ok = publintClean && !types.failed;
      if (!ok) failures++;
      console.log(`${ok ? '✓' : '✗'} @not/${name}: publint ${publintClean ? 'clean' : 'FAILED'}, attw ${types.failed ? 'FAILED' : 'clean'}`);
      if (!publintClean) console.log(lint.output);
      if (types.failed) console.log(types.output);
    }),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`check-packages: ${failures} of ${folders.length} packages failed publint or attw`);
  process.exit(1);
}
