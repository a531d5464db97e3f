import { hostname } from 'node:os';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { executeRun, type RunJob } from './execute-run';
import { type BranchJob, DEFAULT_QUEUE_NAME, redisConnection, runJobId } from './queue-executor';
import { describeOutcome } from './sweep-progress';

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Runs at a time in this worker (default 1), each in a process of its own. */
  concurrency?: number;
  /** How this worker is named in sweep.json (default host:pid). */
  name?: string;
  /**
   * How long a job stays this worker's without a sign of life (BullMQ's lock, renewed at half that): a killed worker's
   * job goes back to the queue after it. Default 30000 ms.
   */
  lockMs?: number;
  /** How often this worker looks for jobs whose worker died (BullMQ's stalled-job check). Default 30000 ms. */
  stalledMs?: number;
  /** How often a run may lose its worker before the queue gives up on it (BullMQ's maxStalledCount). Default 5. */
  maxStalled?: number;
  /** Stops the worker: runs in progress stop with a checkpoint and go back to the queue at once. */
  signal: AbortSignal;
  log?: (line: string) => void;
}

/**
 * `not worker`: takes runs from the BullMQ queue until `signal` stops it. Each run is a child process (executeRun,
 * which resumes from the run's checkpoint and writes the outcome into the run's folder); a run that fails fails its
 * job (and, in a stacking tree, the branch that waits on it). A branch job adds the stack runs that build on its train
 * run. A worker killed at any moment holds its job only until its lock lapses; another worker's stalled-job check then
 * puts it back in the queue, and whoever takes it resumes the run from its last checkpoint.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const { url, queueName = DEFAULT_QUEUE_NAME, concurrency = 1, lockMs = 30_000, stalledMs = 30_000, maxStalled = 5, signal, log = () => {} } = options;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const connection = redisConnection(url, { blocking: true });
  connection.on('error', () => {});
  const queue = new Queue(queueName, { connection });
  const stop = new AbortController();
  const process_ = async (job: Job, token?: string) => {
    if (job.name === 'branch') {
      const branch = job.data as BranchJob;
      await queue.addBulk(branch.children.map((c) => ({ name: 'run', data: c, opts: { jobId: runJobId(c), attempts: 1 } })));
      log(`${name}: run ${branch.parent} is done; queued the ${branch.children.length} stack run${branch.children.length === 1 ? '' : 's'} on it`);
      return { added: branch.children.length };
    }
    const run = job.data as RunJob;
    await job.updateProgress({ worker: name });
    log(`${name}: run ${run.id} (attempt ${run.attempt}) starts`);
    const outcome = await executeRun(run, name, { signal: stop.signal });
    if (outcome.status === 'interrupted') {
      // Stopping: the run wrote a checkpoint; its job goes back to the queue now rather than when its lock lapses.
      await job.moveToDelayed(Date.now(), token);
      log(`${name}: run ${run.id} stopped with a checkpoint; back in the queue`);
      throw new DelayedError();
    }
    log(`${name}: run ${run.id} ${describeOutcome(outcome)}`);
    if (outcome.status === 'failed') throw new Error(outcome.error ?? 'failed');
    return outcome;
  };
  const worker = new Worker(queueName, process_, { connection, concurrency, lockDuration: lockMs, stalledInterval: stalledMs, maxStalledCount: maxStalled });
  worker.on('error', (error) => log(`${name}: queue: ${error.message}`));
  log(`${name}: taking runs from ${queueName} on ${url} (${concurrency} at a time)`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log(`${name}: stopping (runs in progress stop with a checkpoint)`);
  stop.abort();
  // Waits for the jobs in progress to hand their runs back, then leaves.
  await worker.close();
  await queue.close();
  connection.disconnect();
}
