import { FlowProducer, type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import type { RunJob } from './execute-run';
import { readOutcome } from './execute-run';
import { allFinal, failOrphans, jobFor } from './sweep-jobs';
import { type RunOutcome, SWEEP_FILES, type SweepEntry, type SweepRecord } from './sweep-record';

/** The queue `not sweep --queue` and `not worker` share unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'not-sweep';

/** A branch job's data: the stack runs to add once their train run (the branch job's child in the flow) is done. */
export interface BranchJob {
  sweep: string;
  parent: string;
  children: RunJob[];
}

/** The queue's job id of a run's attempt (BullMQ ids may not hold ':'). */
export function runJobId(job: Pick<RunJob, 'sweep' | 'id' | 'attempt'>): string {
  return `${job.sweep}.${job.id}.${job.attempt}`.replaceAll(':', '_');
}

/** Checks a redis:// URL and makes a connection for BullMQ. */
export function redisConnection(url: string, options: { blocking?: boolean } = {}): Redis {
  checkRedisUrl(url);
  // A worker's blocking connection waits for Redis as long as it takes (BullMQ needs that); `not sweep` polls, and
  // its commands fail fast while Redis is away so that it can say so and try again.
  return new Redis(url, { maxRetriesPerRequest: options.blocking ? null : 1 });
}

/** Says what is wrong with a --queue that is not a redis:// URL. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--queue must be a URL such as redis://host:6379, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`--queue must be a redis:// or rediss:// URL, got "${url}"`);
}

export interface QueueSweepOptions {
  url: string;
  queueName?: string;
  /** Milliseconds between looks at the runs' folders and the queue (default 1000). */
  pollMs?: number;
  /** Stops waiting (the jobs stay in the queue; `not sweep` again picks the sweep up). */
  signal?: AbortSignal;
  onChange?: (entry: SweepEntry, outcome?: RunOutcome) => void;
  log?: (line: string) => void;
}

/**
 * The BullMQ executor's side in `not sweep`: puts the runs on the queue and follows them until all have ended.
 * A train run with stack runs on it goes in as a flow (FlowProducer): a branch job whose child is the train run, so the
 * branch becomes ready only when the train run is done, and the worker that takes it adds the stack runs.
 *
 * The record is the runs' folders, not Redis: each poll first reads <run>/sweep-run.json, which a worker writes when
 * a run ends. A job that is missing from the queue (Redis restarted empty) is added again (a run resumes from its
 * checkpoint); a job that failed in the queue (its worker died more often than the queue allows) records the run failed.
 */
export async function runQueueSweep(record: SweepRecord, options: QueueSweepOptions): Promise<void> {
  const { url, queueName = DEFAULT_QUEUE_NAME, pollMs = 1000, signal, onChange, log = () => {} } = options;
  const connection = redisConnection(url);
  let lastError = '';
  connection.on('error', (error: Error) => {
    if (error.message !== lastError) log(`queue: ${error.message}; trying again`);
    lastError = error.message;
  });
  const queue = new Queue(queueName, { connection });
  const flows = new FlowProducer({ connection });
  queue.on('error', () => {});
  flows.on('error', () => {});
  const childrenOf = (id: string) => record.runs.filter((r) => r.parent === id);
  const submit = async (entry: SweepEntry) => {
    const job = jobFor(record, entry);
    const opts = { jobId: runJobId(job), attempts: 1 };
    const children = childrenOf(entry.id).filter((c) => !record.final(c.id));
    if (entry.parent || children.length === 0) {
      await queue.add('run', job, opts);
      return;
    }
    const branch: BranchJob = { sweep: job.sweep, parent: job.id, children: children.map((c) => jobFor(record, c)) };
    await flows.add({
      name: 'branch',
      queueName,
      data: branch,
      opts: { jobId: `${runJobId(job)}.branch`, attempts: 1 },
      children: [{ name: 'run', queueName, data: job, opts: { ...opts, failParentOnFailure: true } }],
    });
  };
  const follow = async (entry: SweepEntry) => {
    const outcome = readOutcome(join(record.runDir(entry.id), SWEEP_FILES.outcome));
    if (outcome && outcome.attempt === entry.attempt && outcome.status !== 'interrupted') {
      if (record.finish(outcome)) onChange?.(record.entry(entry.id), outcome);
      return;
    }
    const job: Job | undefined = await queue.getJob(runJobId({ sweep: record.file.id, id: entry.id, attempt: entry.attempt }));
    if (!job) {
      // Not in the queue: never added, added by a branch job not yet run, or lost with Redis. Only a run that may
      // start is (re)added; the job id makes adding twice harmless.
      if (!entry.parent || record.entry(entry.parent).status === 'done') await submit(entry);
      return;
    }
    const state = await job.getState();
    if (state === 'failed') {
      // A run's own failure leaves its outcome on disk, read above; this is the queue giving up on it.
      if (readOutcome(join(record.runDir(entry.id), SWEEP_FILES.outcome))?.attempt === entry.attempt) return;
      if (record.fail(entry.id, `the queue gave up on it: ${job.failedReason}`)) onChange?.(record.entry(entry.id));
    } else if (state === 'completed') {
      // Done in the queue, yet no outcome in the run's folder: the worker writes into another folder than this one.
      // (Or it wrote it just after the look above: then it is there now and the next poll reads it.)
      const result = job.returnvalue as RunOutcome | null;
      if (readOutcome(join(record.runDir(entry.id), SWEEP_FILES.outcome))?.attempt === entry.attempt) return;
      if (result?.id === entry.id && record.finish(result)) {
        log(`queue: run ${entry.id} is done but its outcome is not in ${record.runDir(entry.id)}: do the workers see --out at the same path?`);
        onChange?.(record.entry(entry.id), result);
      }
    } else if (state === 'active') {
      const worker = (job.progress as { worker?: string } | undefined)?.worker ?? null;
      const before = `${entry.status}/${entry.worker}`;
      record.running(entry.id, worker);
      if (`${entry.status}/${entry.worker}` !== before) onChange?.(entry);
    } else if (entry.status === 'running') {
      // Back in the queue (its worker died; the queue took it back).
      record.pending(entry.id);
      onChange?.(entry);
    }
  };
  try {
    while (!allFinal(record) && !signal?.aborted) {
      try {
        for (const orphan of failOrphans(record)) onChange?.(orphan);
        for (const entry of record.runs) if (!record.final(entry.id)) await follow(entry);
        if (lastError) log('queue: reachable again');
        lastError = '';
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastError) log(`queue: ${message}; trying again`);
        lastError = message;
      }
      if (!allFinal(record)) await sleep(pollMs, signal);
    }
  } finally {
    await Promise.allSettled([queue.close(), flows.close()]);
    connection.disconnect();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
