import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backend-names';
import { useOneDnnKernels, type OneDnnKernels } from './onednn/use-onednn-kernels';
import { registerWasmTrainingKernels } from './register-wasm-training';
import { startWasmNodeThreads } from './wasm-node-threads';
import type { WebGpuAdapterInfo } from './webgpu-adapter';
import { loadWebGpu } from './webgpu-loader';

/** A backend that could not be loaded, with a reason fit to show a user. */
export class BackendUnavailable extends Error {}

/** Options of useBackend. */
export interface BackendOptions {
  /**
   * CPU threads for wasm in Node (default: every core, `os.availableParallelism()`; tfjs allows at most 8); 1 runs
   * the single-threaded build. Fixed when wasm first starts in a process. Browsers decide for themselves (threads
   * need a cross-origin-isolated page).
   */
  threads?: number;
  /**
   * On wasm in Node: run the convolutions and batch norms on oneDNN's kernels where @not/onednn's addon loads
   * (default true); false keeps tfjs' wasm kernels. The environment variable NOT_ONEDNN=off does the same for a
   * whole process.
   */
  oneDnn?: boolean;
}

/** On wasm: oneDNN's kernels loaded, or why not. */
export type OneDnnStatus = OneDnnLoaded | OneDnnNotLoaded;

/** oneDNN's kernels run on wasm. */
export interface OneDnnLoaded {
  /** Always true here: the kernels loaded. */
  loaded: true;
  /** oneDNN's version, e.g. "2.6.3". */
  version: string;
  /** Their OpenMP threads (as many as wasm's). */
  threads: number;
  /** The wasm kernels they run (tfjs' convolutions replaced, batch norm added). */
  kernels: string[];
}

/** tfjs' own kernels run on wasm. */
export interface OneDnnNotLoaded {
  /** Always false here: they did not load. */
  loaded: false;
  /** Why, fit to show a user: `NOT_ONEDNN=off`, `@not/onednn is not built: …`, … */
  why: string;
}

/** What a successful load tells the report. */
export interface LoadedBackend {
  /** tfjs's name for it (`tf.getBackend()`). */
  tfBackend: string;
  /** One line on what was set up. */
  detail: string;
  /** On webgpu: the adapter it runs on. */
  adapter?: WebGpuAdapterInfo;
  /** On wasm: oneDNN's kernels, or why not. */
  oneDnn?: OneDnnStatus;
}

/** How a loader is asked: by name, or by `auto` (which passes over a software WebGPU adapter). */
export interface LoadContext {
  auto: boolean;
}

/** Node's and Vite's ways of saying "no such package". */
function isNotInstalled(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  const msg = String(e?.message ?? error);
  return (
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Failed to (load|resolve)|Could not resolve/i.test(msg)
  ) && msg.includes(pkg);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

/** Dynamic import of a package by name; the variable keeps bundlers and tsc from resolving it at build time. */
async function importPackage(pkg: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ pkg);
  } catch (error) {
    if (isNotInstalled(error, pkg)) throw new BackendUnavailable(`package ${pkg} is not installed`);
    throw new BackendUnavailable(`package ${pkg} failed to load: ${firstLine(error)}`);
  }
}

async function activate(tfName: string, after: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfName);
  } catch (error) {
    throw new BackendUnavailable(`tf.setBackend('${tfName}') failed after ${after}: ${firstLine(error)}`);
  }
  if (!ok) throw new BackendUnavailable(`tf.setBackend('${tfName}') failed after ${after} (tfjs printed why)`);
  await tf.ready();
}

async function loadNative(pkg: string): Promise<LoadedBackend> {
  await importPackage(pkg);
  await activate('tensorflow', `loading ${pkg}`);
  return { tfBackend: tf.getBackend(), detail: `native TensorFlow from ${pkg}` };
}

const threadCount = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// The oneDNN kernels this process registered, to take back when a later call asks for none.
let registered: OneDnnKernels | undefined;

/** oneDNN's kernels on wasm, on wasm's threads, where the addon loads; else why not. */
function chooseOneDnn(wanted: boolean, threads: number): OneDnnStatus {
  registered?.restore();
  registered = undefined;
  if (!wanted) return { loaded: false, why: 'not asked for (oneDnn: false)' };
  try {
    registered = useOneDnnKernels({ threads });
    return { loaded: true, version: registered.version, threads: registered.threads, kernels: registered.kernels };
  } catch (error) {
    return { loaded: false, why: firstLine(error) };
  }
}

async function loadWasm({ threads, oneDnn = true }: BackendOptions): Promise<LoadedBackend> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  const wasm = (await importPackage(pkg)) as { getThreadsCount(): number };
  // Before setBackend, so that no kernel of a first training step can miss them.
  const kernels = registerWasmTrainingKernels();
  const start = () => activate('wasm', `loading ${pkg}`);
  const started = 'wasm' in (tf.engine() as unknown as { registry: object }).registry;
  if (started && threads !== undefined && threads !== wasm.getThreadsCount()) {
    throw new Error(
      `useBackend: wasm already runs on ${threadCount(wasm.getThreadsCount())} in this process; ` +
        `threads are fixed when wasm first starts (asked for ${threads})`,
    );
  }
  if (!started && isNode && threads !== 1) await startWasmNodeThreads(threads, start);
  else await start();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const status = chooseOneDnn(oneDnn, wasm.getThreadsCount());
  return {
    tfBackend: tf.getBackend(),
    oneDnn: status,
    detail:
      `${simd ? 'SIMD' : 'no SIMD'}, ${threadCount(wasm.getThreadsCount())}, ${oneDnnLine(status)}; training kernels added: ` +
      `${kernels.added.join(', ')}; replaced: ${kernels.replaced.join(', ')}; gradients: ${kernels.gradients.join(', ')}; ` +
      `numeric-pad guard: ${kernels.guarded.join(', ')}`,
  };
}

/** `oneDNN 2.6.3 convolutions and batch norm on 2 threads` or `no oneDNN kernels (why)`. */
export function oneDnnLine(status: OneDnnStatus): string {
  return status.loaded
    ? `oneDNN ${status.version} convolutions and batch norm on ${threadCount(status.threads)}`
    : `no oneDNN kernels (${status.why})`;
}

async function loadCpu(): Promise<LoadedBackend> {
  await importPackage('@tensorflow/tfjs-backend-cpu');
  await activate('cpu', 'loading @tensorflow/tfjs-backend-cpu');
  // The cpu backend prints a "use tfjs-node" banner on its first write; this flag only gates that message.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  return { tfBackend: tf.getBackend(), detail: 'pure JavaScript (slow: tiny tensors and tests only)' };
}

export const LOADERS: Record<BackendName, (options: BackendOptions, context: LoadContext) => Promise<LoadedBackend>> = {
  webgpu: (_, { auto }) =>
    loadWebGpu({ importPackage, activate, unavailable: (why) => new BackendUnavailable(why) }, auto),
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => loadNative('@tensorflow/tfjs-node'),
  wasm: loadWasm,
  cpu: loadCpu,
};
