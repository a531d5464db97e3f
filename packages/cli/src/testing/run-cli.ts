import { Command } from 'commander';
import { vi } from 'vitest';

/**
 * Runs `not <args>` on `program` in-process for tests: what the commands write to stdout and stderr (and commander's
 * help and errors) is captured and returned, and a commander error throws instead of exiting.
 */
export async function runCli(program: Command, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const capture = { writeOut: (s: string) => out.push(s), writeErr: (s: string) => err.push(s) };
  try {
    const all = [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)];
    for (const command of all) command.exitOverride().configureOutput(capture);
    await program.parseAsync(['node', 'not', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

/** A bare `not` program with one command group registered, for testing that group alone. */
export function programWith(register: (program: Command) => void): Command {
  const program = new Command('not');
  register(program);
  return program;
}
