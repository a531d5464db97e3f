import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The release flow on a clone of the committed repository: `changeset version` consumes the pending changesets,
// bumps the @not packages together (they are one fixed group) and writes each one's CHANGELOG.md.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const clone = mkdtempSync(join(tmpdir(), 'not-changesets-'));
afterAll(() => rmSync(clone, { recursive: true, force: true }));

type Bump = 'major' | 'minor' | 'patch';

/** The packages and bump of each pending changeset, with the first line of its summary. */
function pendingChangesets(dir: string): { file: string; bumps: Record<string, Bump>; summary: string }[] {
  return readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md').map((file) => {
    const [, front, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(readFileSync(join(dir, file), 'utf8')) ?? [];
    if (!front) throw new Error(`${file}: no front matter`);
    const bumps = Object.fromEntries(front.split('\n').map((line) => /^['"](@not\/[\w-]+)['"]: (major|minor|patch)$/.exec(line.trim())!.slice(1, 3)));
    return { file, bumps, summary: body.trim().split('\n')[0] };
  });
}

describe('changeset version', () => {
  it('bumps every package to the same version and writes the changelogs from the pending changesets', () => {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
    const pending = pendingChangesets(join(clone, '.changeset'));
    expect(pending.length).toBeGreaterThan(0);
    const order: Bump[] = ['patch', 'minor', 'major'];
    const bump = order[Math.max(...pending.flatMap((c) => Object.values(c.bumps)).map((b) => order.indexOf(b)))];
    const [major, minor, patch] = JSON.parse(readFileSync(join(clone, 'packages/ot-core/package.json'), 'utf8')).version.split('.').map(Number);
    const next = bump === 'major' ? `${major + 1}.0.0` : bump === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;

    execFileSync(process.execPath, [join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: clone, stdio: 'ignore' });

    expect(readdirSync(join(clone, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
    for (const name of readdirSync(join(clone, 'packages'))) {
      const manifest = JSON.parse(readFileSync(join(clone, 'packages', name, 'package.json'), 'utf8'));
      expect(manifest.version, manifest.name).toBe(next);
      for (const range of Object.values({ ...manifest.dependencies })) if (String(range).startsWith('workspace:')) expect(range).toBe('workspace:*');
      const changelog = join(clone, 'packages', name, 'CHANGELOG.md');
      const mine = pending.filter((c) => manifest.name in c.bumps);
      if (mine.length === 0) continue;
      expect(existsSync(changelog), `${manifest.name} CHANGELOG.md`).toBe(true);
      const text = readFileSync(changelog, 'utf8');
      expect(text.startsWith(`# ${manifest.name}\n\n## ${next}\n`)).toBe(true);
      for (const c of mine) expect(text, `${manifest.name}: ${c.file}`).toContain(c.summary);
    }
  });
});
