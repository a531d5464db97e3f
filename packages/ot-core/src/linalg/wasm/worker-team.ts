/**
 * One worker thread that runs the same kernels as the main thread, on the same shared memory, for calls that
 * stay synchronous: the main thread wakes the worker through a futex word, runs its own share (the kernels meet at
 * barriers in shared memory, kernels/team.c), then blocks in Atomics.wait until the worker reports back. Node only
 * (browsers forbid Atomics.wait on the main thread); the worker is unref'd, so it never keeps a process alive.
 * @internal
 */
export interface WorkerTeam {
  /** False once the worker failed to start or failed during a call; callers then stay single-threaded. */
  alive(): boolean;
  /** Starts `entry` on the worker (thread 1 of 2), runs `main` (thread 0) here, waits for both. */
  run(entry: string, main: () => number): number;
}

/** Thrown by {@link WorkerTeam.run} when the worker failed mid-call: the shared buffers are then in no known state. */
export class WorkerTeamFailure extends Error {}

// Words of the control block (int32 offsets from its base; the first three are kernels/common.h's CTRL_*).
const BAR_COUNT = 0;
const BAR_GEN = 1;
const ABORT = 2;
const GO = 3;
const DONE = 4;
const OP = 5;
const READY = 6;
const ENTRY_PRM = 7;
const CTRL_WORDS = 32;

// CommonJS source of the worker (eval'd, so no file has to be found next to the bundle).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, entries } = workerData;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_WORDS});
let instance = null;
// Read before saying ready: the main thread starts its first call (GO + 1) as soon as it sees READY.
let seen = Atomics.load(c, ${GO});
try {
  instance = new WebAssembly.Instance(module, { env: { memory } });
  Atomics.store(c, ${READY}, 1);
} catch (e) {
  Atomics.store(c, ${READY}, -1);
}
Atomics.notify(c, ${READY});
while (instance !== null) {
  Atomics.wait(c, ${GO}, seen);
  const go = Atomics.load(c, ${GO});
  if (go === seen) continue;
  seen = go;
  try {
    instance.exports[entries[Atomics.load(c, ${OP})]](1, 2, Atomics.load(c, ${ENTRY_PRM}));
  } catch (e) {
    Atomics.store(c, ${ABORT}, 1);
    Atomics.add(c, ${BAR_GEN}, 1);
    Atomics.notify(c, ${BAR_GEN});
  }
  Atomics.add(c, ${DONE}, 1);
  Atomics.notify(c, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type WorkerCtor = new (src: string, options: { eval: true; workerData: unknown }) => NodeWorker;

/**
 * Starts the worker, or returns null where worker_threads is missing. `prm` is the parameter block's address,
 * `entries` the exported functions {@link WorkerTeam.run} may start.
 */
export function startWorkerTeam(
  getBuiltinModule: (id: string) => unknown,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  ctrl: number,
  prm: number,
  entries: readonly string[],
): WorkerTeam | null {
  const wt = getBuiltinModule('node:worker_threads') as { Worker?: WorkerCtor } | undefined;
  if (wt?.Worker === undefined) return null;
  const c = new Int32Array(memory.buffer, ctrl, CTRL_WORDS);
  c.fill(0);
  c[ENTRY_PRM] = prm;
  const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctrl, entries } });
  worker.unref();
  let state: 'starting' | 'ready' | 'dead' = 'starting';
  worker.on('error', () => (state = 'dead'));
  worker.on('exit', () => (state = 'dead'));
  const kill = () => {
    state = 'dead';
    void worker.terminate();
  };

  const alive = (): boolean => {
    if (state === 'starting') {
      // The first call waits for the worker to have compiled its instance (tens of milliseconds).
      if (Atomics.load(c, READY) === 0) Atomics.wait(c, READY, 0, 10_000);
      if (Atomics.load(c, READY) === 1) state = 'ready';
      else kill();
    }
    return state === 'ready';
  };

  const run = (entry: string, main: () => number): number => {
    const op = entries.indexOf(entry);
    if (op < 0) throw new Error(`worker team: unknown entry ${entry}`);
    Atomics.store(c, BAR_COUNT, 0);
    Atomics.store(c, ABORT, 0);
    Atomics.store(c, OP, op);
    const done = Atomics.load(c, DONE);
    Atomics.add(c, GO, 1);
    Atomics.notify(c, GO);
    let result = 0;
    let error: unknown = null;
    try {
      result = main();
    } catch (e) {
      // Release the worker from any barrier it is waiting at.
      error = e;
      Atomics.store(c, ABORT, 1);
      Atomics.add(c, BAR_GEN, 1);
      Atomics.notify(c, BAR_GEN);
    }
    while (Atomics.load(c, DONE) === done) {
      if (Atomics.wait(c, DONE, done, 60_000) === 'timed-out' && Atomics.load(c, DONE) === done) {
        kill();
        throw new WorkerTeamFailure('worker team: the worker did not finish within 60 s');
      }
    }
    if (error !== null) throw error;
    if (Atomics.load(c, ABORT) !== 0) {
      kill();
      throw new WorkerTeamFailure('worker team: the worker failed during the call');
    }
    return result;
  };

  return { alive, run };
}
