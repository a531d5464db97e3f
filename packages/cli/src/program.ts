import { Command } from 'commander';
import { registerBench } from './commands/bench';
import { registerToy } from './commands/toy';

/** The `not` command with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('not')
    .description('Neural Optimal Transport: learn and stack transport maps between distributions')
    .version('0.1.0')
    .showHelpAfterError();
  registerBench(program);
  registerToy(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
