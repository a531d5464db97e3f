import type { Command } from 'commander';
import { integer } from '../parse';
import { DEFAULT_QUEUE_NAME } from '../sweep/queue-executor';
import { runQueueWorker } from '../sweep/queue-worker';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("take a sweep's runs from a BullMQ queue on Redis (started by not sweep --queue), on any machine that sees the sweep's folder")
    .requiredOption('--queue <url>', 'the Redis of the queue, redis://host:port')
    .option('--queue-name <name>', 'the BullMQ queue', DEFAULT_QUEUE_NAME)
    .option('--concurrency <n>', 'runs at a time, each a process of its own', integer('--concurrency', 1), 1)
    .option('--name <name>', 'how this worker is named in sweep.json (default host:pid)')
    .option('--lock-ms <ms>', "how long a job stays this worker's without a sign of life: a killed worker's run goes back to the queue after it", integer('--lock-ms', 100), 30_000)
    .option('--stalled-ms <ms>', 'how often to look for runs whose worker died', integer('--stalled-ms', 100), 30_000)
    .option('--max-stalled <n>', 'how often a run may lose its worker before the queue gives up on it', integer('--max-stalled', 0), 5)
    .action(async (opts: { queue: string; queueName: string; concurrency: number; name?: string; lockMs: number; stalledMs: number; maxStalled: number }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const stop = new AbortController();
      // First SIGINT/SIGTERM: runs stop with a checkpoint and go back to the queue; a second one quits at once.
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runQueueWorker({ url: opts.queue, queueName: opts.queueName, concurrency: opts.concurrency, name: opts.name, lockMs: opts.lockMs, stalledMs: opts.stalledMs, maxStalled: opts.maxStalled, signal: stop.signal, log });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
