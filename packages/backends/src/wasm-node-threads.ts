import * as tf from '@tensorflow/tfjs-core';

/**
 * Starts tfjs-backend-wasm's multi-threaded build (XNNPACK on a pthread pool) under Node, where tfjs 4.22 turns
 * threads off (tensorflow/tfjs#3830). Three things stand in its way, each bridged only while `init` runs:
 * - the pthread workers are created from blob: URLs, which Node's Worker cannot load: we start them from the
 *   package's own worker source instead, and point their script import at the threaded module file;
 * - the module caps its pool at half of `os.cpus()` (it assumes two hyper-threads per core), so 2 cores get 1
 *   thread: we report twice the cores while the module starts, and ask for `threads` (default: every core; tfjs
 *   allows at most 8);
 * - idle pool workers would keep Node from exiting: after start-up they are unref'd;
 * - a worker that crashes (out of memory, mostly) leaves the main thread spinning on it forever: the worker stops the
 *   process instead, saying why.
 * `init` is the first `tf.setBackend('wasm')` of the process.
 */
const CRASH_MESSAGE =
  '@not/backends: a wasm worker thread crashed, and the main thread would wait for it forever, so the process stops. ' +
  "Out of memory is the usual cause (wasm's heap holds 4 GiB): try a smaller batch or recomputeActivations; " +
  "useBackend('wasm', { threads: 1 }) reports it as an error instead. The worker's error: ";

export async function startWasmNodeThreads(threads: number | undefined, init: () => Promise<void>): Promise<void> {
  // Node's modules come from process.getBuiltinModule (Node >= 20.16), not an import, so that this package's entry
  // bundles for a browser (where this never runs); on older Node, wasm starts single-threaded.
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return init();
  const { createRequire } = getBuiltinModule('node:module') as typeof import('node:module');
  const require = createRequire(import.meta.url);
  // The modules' own export objects (as require gives them), which the patches below must change.
  const os = getBuiltinModule('node:os') as typeof import('node:os');
  const workerThreads = getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void };

  const out = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(out.replace(/\.js$/, '.worker.js')) as { wasmWorkerContents: string };
  // The worker imports the module from the URL of a Blob it is sent; make that URL the module's file.
  const source =
    `URL.createObjectURL = () => ${JSON.stringify(out)}; URL.revokeObjectURL = () => {};\n` +
    `process.on('uncaughtException', (error) => { require('fs').writeSync(2, ${JSON.stringify(CRASH_MESSAGE)} + ` +
    `String(error && error.message || error) + '\\n'); process.kill(process.pid, 'SIGKILL'); });\n` +
    wasmWorkerContents.replace(/\n/g, '\\n');

  const NodeWorker = workerThreads.Worker;
  const pool: InstanceType<typeof NodeWorker>[] = [];
  let started = false;
  class PthreadWorker extends NodeWorker {
    constructor(_blobUrl: unknown, options?: import('node:worker_threads').WorkerOptions) {
      // No inherited flags: the source is a CommonJS script whatever module type the main script was started with
      // (--input-type), and Worker refuses V8 and process-wide flags such as --max-old-space-size.
      super(source, { ...options, eval: true, execArgv: [] });
      pool.push(this);
    }
    // Node re-refs a worker when a 'message' listener is added after unref (nodejs/node#53036).
    // biome-ignore lint/suspicious/noExplicitAny: the signature of Worker.on, which this overrides
    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      super.on(event, listener);
      if (started) this.unref();
      return this;
    }
  }

  const cpus = os.cpus;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads ?? os.availableParallelism());
  workerThreads.Worker = PthreadWorker as typeof NodeWorker;
  os.cpus = () => [...cpus(), ...cpus()];
  try {
    await init();
  } finally {
    workerThreads.Worker = NodeWorker;
    os.cpus = cpus;
  }
  started = true;
  for (const worker of pool) worker.unref();
}
