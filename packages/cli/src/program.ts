import { Command } from 'commander';
import { registerBench } from './commands/bench';
import { registerData } from './commands/data';
import { registerEval } from './commands/eval';
import { registerMetrics } from './commands/metrics';
import { registerNets } from './commands/nets';
import { registerReport } from './commands/report';
import { registerToy } from './commands/toy';
import { registerTrain } from './commands/train';
import { registerStack } from './commands/stack';
import { registerTranslate } from './commands/translate';
import { registerStyle } from './commands/style';
import { registerSweep } from './commands/sweep';
import { registerWorker } from './commands/worker';

/** The `not` command with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('not')
    .description('Neural Optimal Transport: learn and stack transport maps between distributions')
    .version('0.1.0')
    .showHelpAfterError();
  registerTrain(program);
  registerStack(program);
  registerTranslate(program);
  registerEval(program);
  registerReport(program);
  registerData(program);
  registerNets(program);
  registerMetrics(program);
  registerToy(program);
  registerStyle(program);
  registerBench(program);
  registerSweep(program);
  registerWorker(program);
  return program;
}

/** Runs the `not` command on `argv` as Node gives it (`process.argv`: node and script path first); rejects on a command error. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
