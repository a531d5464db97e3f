/** @not/onednn's compiled addon, as its N-API functions take their arguments. */
export interface OneDnnAddon {
  /** y = act(conv(x, filter) + bias); offsets are byte offsets in `heap`: [x, filter, bias or -1, y]. */
  conv2d(heap: Uint8Array, dims: Int32Array, offsets: Float64Array, activation: number, alpha: number): void;
  /** offsets: [dy, filter, dx]. */
  conv2dBackpropInput(heap: Uint8Array, dims: Int32Array, offsets: Float64Array): void;
  /** offsets: [x, dy, dFilter]. */
  conv2dBackpropFilter(heap: Uint8Array, dims: Int32Array, offsets: Float64Array): void;
  /** Training-mode batch norm of [rows, channels] x; offsets: [x, gamma, beta, y, mean, variance]. */
  batchNormForward(heap: Uint8Array, dims: Int32Array, offsets: Float64Array, eps: number, relu: boolean): void;
  /** Its gradient; offsets: [dy, x, y, mean, variance, gamma, dx, dGamma, dBeta]. */
  batchNormBackward(heap: Uint8Array, dims: Int32Array, offsets: Float64Array, eps: number, relu: boolean): void;
  /** The oneDNN implementations chosen for one geometry (forward, backward data, backward weights). */
  implementations(dims: Int32Array): string;
  /** Sets the OpenMP threads the kernels use. */
  setThreads(threads: number): void;
  /** The OpenMP threads the kernels use. */
  threads(): number;
  /** How many oneDNN primitives (one per geometry and direction) are cached. */
  cachedPrimitives(): number;
  /** Keeps at most `limit` primitives from now on, the least recently used evicted first (default 256). */
  setCacheLimit(limit: number): void;
  /** oneDNN's version, e.g. "2.6.3". */
  version(): string;
}

/**
 * Loads the addon: from `NOT_ONEDNN_ADDON` when set, else the one @not/onednn (an optional dependency) built at
 * install. Node only (through process.getBuiltinModule, so the package's entry still bundles for a browser); throws
 * saying why there is none (not installed, not built and why, `NOT_ONEDNN=off`).
 */
export function loadOneDnnAddon(): LoadedAddon {
  if (processEnv().NOT_ONEDNN === 'off') throw new Error('NOT_ONEDNN=off');
  loaded ??= load();
  return loaded;
}

/** The addon, the file it came from, and the OpenMP wait policy it started with. */
export interface LoadedAddon {
  addon: OneDnnAddon;
  path: string;
  waitPolicy: string;
}

// Loaded once per module copy (Node caches the addon itself; the wait policy is fixed at its first load).
let loaded: LoadedAddon | undefined;

const processEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

function load(): LoadedAddon {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') {
    throw new Error('oneDNN kernels need Node ≥ 20.16 (process.getBuiltinModule is missing: a browser, or an older Node)');
  }
  const { createRequire } = getBuiltinModule('node:module') as typeof import('node:module');
  const require = createRequire(import.meta.url);
  const env = processEnv();
  const path = env.NOT_ONEDNN_ADDON ?? builtAddon(require);
  // OpenMP threads busy-wait after each parallel region by default, taking cores from wasm's threads (and from
  // anyone else's) between convolutions: 4-6x slower steps on a loaded 2-core machine. Passive waiting costs
  // microseconds per convolution. libgomp reads the variable once, when the addon loads it; a user's setting wins,
  // and the variable is put back so that child processes see the environment they would have.
  const policy = env.OMP_WAIT_POLICY;
  if (policy === undefined) env.OMP_WAIT_POLICY = 'passive';
  try {
    return { addon: require(path) as OneDnnAddon, path, waitPolicy: policy ?? 'passive' };
  } finally {
    if (policy === undefined) delete env.OMP_WAIT_POLICY;
  }
}

/** The file @not/onednn built at install, or an error saying why there is none. */
function builtAddon(require: NodeJS.Require): string {
  let onednn: { locateAddon(): { file: string } | { file: null; why: string } };
  try {
    onednn = require('@not/onednn');
  } catch {
    throw new Error('@not/onednn (an optional dependency) is not installed');
  }
  const found = onednn.locateAddon();
  if (found.file === null) throw new Error(`@not/onednn is not built: ${found.why}`);
  return found.file;
}
