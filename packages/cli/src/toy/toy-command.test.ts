import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerToy } from '../commands/toy';

/** Parses `not toy …` without exiting, returning commander's error message (or '' when the action would run). */
async function parseError(args: string[]): Promise<string> {
  const program = new Command('not');
  registerToy(program);
  let message = '';
  program.exitOverride();
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({ writeErr: (s) => (message += s), writeOut: () => {} });
  }
  try {
    await program.parseAsync(['node', 'not', 'toy', ...args]);
  } catch (error) {
    return message || (error instanceof Error ? error.message : String(error));
  }
  return message;
}

describe('not toy', () => {
  it('names the option and the valid choices for a bad set name or cost', async () => {
    expect(await parseError(['--target', 'spiral'])).toMatch(
      /--target <name>' argument 'spiral' is invalid.*8gaussians, swiss-roll, moons, normal/,
    );
    expect(await parseError(['--target', 'moons', '--source', 'uniform'])).toMatch(/--source <name>' argument 'uniform' is invalid/);
    expect(await parseError(['--target', 'moons', '--cost', 'kernel'])).toMatch(
      /--cost <cost>' argument 'kernel' is invalid.*strong, weak/,
    );
  });

  it('requires --target and checks numbers', async () => {
    expect(await parseError([])).toMatch(/required option '--target <name>' not specified/);
    expect(await parseError(['--target', 'moons', '--steps', '0'])).toMatch(/--steps must be an integer >= 1, got "0"/);
    expect(await parseError(['--target', 'moons', '--gamma', 'x'])).toMatch(/--gamma must be a number, got "x"/);
  });

  it('rejects weak-only options with the strong cost, and a missing --out directory, before training', async () => {
    expect(await parseError(['--target', 'moons', '--gamma', '1'])).toMatch(/toy: --gamma applies only to --cost weak/);
    expect(await parseError(['--target', 'moons', '--out', '/no/such/dir/map.png'])).toMatch(
      /toy: --out \/no\/such\/dir\/map.png: directory \/no\/such\/dir does not exist/,
    );
  });
});
