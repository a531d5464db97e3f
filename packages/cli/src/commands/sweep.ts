import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { integer } from '../parse';
import { stopOnInterrupt } from '../stop-on-interrupt';
import { DEFAULT_QUEUE_NAME } from '../sweep/queue-executor';
import { runSweep, sweepTable } from '../sweep/run-sweep';
import { SWEEP_FILES } from '../sweep/sweep-record';

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run many not train / not stack runs from a spec (a grid or random search over flags and seeds, stacking trees), here or through a BullMQ queue')
    .argument('<spec>', 'the sweep: JSON, or YAML (.yaml/.yml): { "command": "train", "flags": {…}, "grid": { "seed": [1, 2, 3] } }')
    .option('--out <dir>', `the sweep's folder: ${SWEEP_FILES.record} and runs/<id>/ (with --queue, a path every worker sees the same)`, join('runs', 'sweep'))
    .option('--workers <n>', `runs at a time on this machine, each a process of its own (default: the cores, ${availableParallelism()} here)`, integer('--workers', 1))
    .option('--queue <url>', 'run through BullMQ on Redis (redis://host:port) instead: not worker --queue <url> takes the runs, on any machine')
    .option('--queue-name <name>', 'the BullMQ queue', DEFAULT_QUEUE_NAME)
    .action(async (spec: string, opts: { out: string; workers?: number; queue?: string; queueName: string }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const interrupt = stopOnInterrupt(log, opts.queue ? 'nothing (the runs stay in the queue)' : "each running run's checkpoint");
      try {
        const record = await runSweep({ spec, out: opts.out, workers: opts.workers, queue: opts.queue, queueName: opts.queueName, signal: interrupt.signal, log });
        process.stderr.write(`\n${sweepTable(record.runs)}\n`);
        const { done, failed } = record.counts();
        const total = record.runs.length;
        if (done + failed < total) log(`stopped with ${total - done - failed} of ${total} runs to go; not sweep again with the same --out continues`);
        if (failed > 0) {
          const first = record.runs.find((r) => r.status === 'failed')!;
          throw new Error(`sweep: ${failed} of ${total} runs failed (${first.id}: ${first.error}); the others are recorded in ${join(opts.out, SWEEP_FILES.record)}`);
        }
      } finally {
        interrupt.release();
      }
    });
}
