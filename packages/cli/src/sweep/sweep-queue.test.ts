import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLines } from '../files/json-lines';
import { childEntry } from './execute-run';
import { runSweep } from './run-sweep';
import { SWEEP_FILES } from './sweep-record';

// Over BullMQ on a real redis-server (Debian's package; .ci/run installs it): two `not worker` processes take a train →
// stack tree; one is killed (SIGKILL) in the middle of a run. Its run must go back to the queue, resume from its
// checkpoint on the other worker, and every run must end done, recorded once.

const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
const dir = mkdtempSync(join(tmpdir(), 'not-sweep-queue-'));
const started: ChildProcess[] = [];
afterAll(() => {
  // Everything this test started, whatever happened.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(command: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  child.stdout!.on('data', (b: Buffer) => log.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
  return child;
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!REDIS)('not sweep --queue with not worker (BullMQ on redis-server)', () => {
  it('survives a worker killed in the middle of a run: the run resumes on the other worker, every run is done once', async () => {
    const port = await freePort();
    const redisLog: string[] = [];
    start(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], redisLog);
    await until('redis-server', () => redisLog.join('').includes('Ready to accept connections'), 20_000);
    const url = `redis://127.0.0.1:${port}`;
    const logs: Record<string, string[]> = { w1: [], w2: [] };
    const workers = Object.fromEntries(
      (['w1', 'w2'] as const).map((name) => [name, start(process.execPath, [childEntry(), 'worker', '--queue', url, '--queue-name', 'test', '--name', name, '--lock-ms', '2000', '--stalled-ms', '1000'], logs[name])]),
    );
    // Both take jobs before there are any, so that each gets a train run.
    await until('both workers', () => Object.values(logs).every((l) => l.join('').includes('taking runs from')), 60_000);
    const out = join(dir, 'sweep');
    const flags = { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes', size: 32, steps: 8, 'batch-size': 4, 't-iters': 2, base: 4, filters: 4, 'max-filters': 8, 'sample-every': 4, 'checkpoint-every': 1, 'eval-every': 0, backend: 'wasm' };
    const sweep = runSweep({
      spec: { command: 'train', flags, grid: { seed: [1, 2] }, random: null, then: { command: 'stack', flags: { stages: 2, 'stage-steps': 2, 'eval-every': 0, margin: 0 }, grid: {}, random: null } },
      out,
      queue: url,
      queueName: 'test',
      pollMs: 200,
    });
    // Kill w1 once a run of its has a checkpoint past step 2 (and is not finished).
    let victim = '';
    await until('a run of w1 past step 2', () => {
      for (const id of ['seed=1', 'seed=2']) {
        const log = join(out, 'runs', id, SWEEP_FILES.log);
        const metrics = join(out, 'runs', id, 'metrics.jsonl');
        if (!existsSync(log) || !existsSync(metrics) || !readFileSync(log, 'utf8').includes(' on w1: ')) continue;
        const steps = readFileSync(metrics, 'utf8').trim().split('\n').length;
        if (steps >= 3 && steps <= 6) victim = id;
      }
      return victim !== '';
    }, 120_000);
    workers.w1.kill('SIGKILL');
    const record = await sweep;
    workers.w2.kill('SIGTERM');
    await new Promise((resolve) => (workers.w2.exitCode !== null ? resolve(null) : workers.w2.once('exit', resolve)));

    expect(record.runs.map((r) => [r.id, r.status])).toEqual([['seed=1', 'done'], ['seed=1+stack', 'done'], ['seed=2', 'done'], ['seed=2+stack', 'done']]);
    // The killed run finished on w2, resumed from its checkpoint, and its log has every step once.
    expect(record.entry(victim).worker).toBe('w2');
    const runLog = readFileSync(join(out, 'runs', victim, SWEEP_FILES.log), 'utf8');
    expect(runLog.match(/^--- .* attempt 1 on (w\d):/gm)).toEqual([expect.stringContaining('on w1:'), expect.stringContaining('on w2:')]);
    expect(runLog).toMatch(/resumed .* at step [1-8] of 8/);
    const steps = readJsonLines<{ step: number }>(join(out, 'runs', victim, 'metrics.jsonl'), 'test').map((m) => m.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each run ended once; the stack runs built on their train runs.
    const events = readJsonLines<{ id: string; status: string }>(join(out, SWEEP_FILES.events), 'test');
    for (const r of record.runs) expect(events.filter((e) => e.id === r.id && e.status === 'done')).toHaveLength(1);
    for (const seed of [1, 2]) expect(JSON.parse(readFileSync(join(out, 'runs', `seed=${seed}+stack`, 'config.json'), 'utf8')).first).toBe(join(out, 'runs', `seed=${seed}`));
    expect(logs.w2.join('')).toMatch(/queued the 1 stack run on it/);
  }, 300_000);

  it('loses no finished result when Redis restarts empty: runs done stay done, the rest are queued again', async () => {
    const port = await freePort();
    const serve = (log: string[]) => start(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], log);
    let redisLog: string[] = [];
    let redis = serve(redisLog);
    await until('redis-server', () => redisLog.join('').includes('Ready to accept connections'), 20_000);
    const url = `redis://127.0.0.1:${port}`;
    const workerLog: string[] = [];
    const worker = start(process.execPath, [childEntry(), 'worker', '--queue', url, '--queue-name', 'restart', '--name', 'w', '--lock-ms', '2000', '--stalled-ms', '1000'], workerLog);
    const out = join(dir, 'restart');
    const flags = { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes', size: 16, steps: 3, 'batch-size': 4, 't-iters': 2, base: 4, filters: 4, 'max-filters': 8, 'sample-every': 3, 'checkpoint-every': 1, 'eval-every': 0, backend: 'wasm' };
    const log: string[] = [];
    const sweep = runSweep({ spec: { command: 'train', flags, grid: { seed: [1, 2, 3] }, random: null, then: null }, out, queue: url, queueName: 'restart', pollMs: 200, log: (line) => log.push(line) });
    await until('run seed=1 done', () => existsSync(join(out, 'runs', 'seed=1', SWEEP_FILES.outcome)), 120_000);
    redis.kill('SIGKILL');
    await new Promise((resolve) => (redis.exitCode !== null || redis.signalCode !== null ? resolve(null) : redis.once('exit', resolve)));
    redisLog = [];
    redis = serve(redisLog);
    await until('redis-server again', () => redisLog.join('').includes('Ready to accept connections'), 20_000);
    const record = await sweep;
    worker.kill('SIGTERM');
    await new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once('exit', resolve)));
    redis.kill('SIGTERM');

    expect(record.runs.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    // seed=1 ran once (it was done before the restart); every run is recorded done once.
    expect(readFileSync(join(out, 'runs', 'seed=1', SWEEP_FILES.log), 'utf8').match(/^--- /gm)).toHaveLength(1);
    const events = readJsonLines<{ id: string; status: string }>(join(out, SWEEP_FILES.events), 'test');
    for (const r of record.runs) expect(events.filter((e) => e.id === r.id && e.status === 'done')).toHaveLength(1);
    for (const r of record.runs) expect(readJsonLines<{ step: number }>(join(out, 'runs', r.id, 'metrics.jsonl'), 'test').map((m) => m.step)).toEqual([1, 2, 3]);
  }, 300_000);
});
