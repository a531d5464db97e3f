/** The compiled oneDNN addon (packages/backends/native), as its N-API functions take their arguments. */
export interface NativeConvAddon {
  /** y = act(conv(x, filter) + bias); offsets are byte offsets in `heap`: [x, filter, bias or -1, y]. */
  conv2d(heap: Uint8Array, dims: Int32Array, offsets: Float64Array, activation: number, alpha: number): void;
  /** offsets: [dy, filter, dx]. */
  conv2dBackpropInput(heap: Uint8Array, dims: Int32Array, offsets: Float64Array): void;
  /** offsets: [x, dy, dFilter]. */
  conv2dBackpropFilter(heap: Uint8Array, dims: Int32Array, offsets: Float64Array): void;
  /** The oneDNN implementations chosen for one geometry (forward, backward data, backward weights). */
  implementations(dims: Int32Array): string;
  /** Sets the OpenMP threads the convolutions use. */
  setThreads(threads: number): void;
  /** The OpenMP threads the convolutions use. */
  threads(): number;
  /** How many oneDNN primitives (one per geometry and direction) are cached. */
  cachedPrimitives(): number;
  /** oneDNN's version, e.g. "2.6.3". */
  version(): string;
}

/** Where the addon is looked for, relative to this file in src/native/ and to the bundle in dist/. */
const CANDIDATES = ['../../native/build/Release/not_onednn.node', '../native/build/Release/not_onednn.node'];

/**
 * Loads the addon: from `NOT_ONEDNN_ADDON` when set, else from the package's native/build. Node only (through
 * process.getBuiltinModule, so the package's entry still bundles for a browser); throws saying what was tried.
 */
export function loadNativeConvAddon(): LoadedAddon {
  loaded ??= load();
  return loaded;
}

/** The addon, the file it came from, and the OpenMP wait policy it started with. */
export interface LoadedAddon {
  addon: NativeConvAddon;
  path: string;
  waitPolicy: string;
}

// Loaded once per module copy (Node caches the addon itself; the wait policy is fixed at its first load).
let loaded: LoadedAddon | undefined;

function load(): LoadedAddon {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') {
    throw new Error('loadNativeConvAddon: native convolutions need Node >= 20.16 (process.getBuiltinModule); not found');
  }
  const { createRequire } = getBuiltinModule('node:module') as typeof import('node:module');
  const { existsSync } = getBuiltinModule('node:fs') as typeof import('node:fs');
  const { fileURLToPath } = getBuiltinModule('node:url') as typeof import('node:url');
  const require = createRequire(import.meta.url);
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const fromEnv = env.NOT_ONEDNN_ADDON;
  const paths = fromEnv ? [fromEnv] : CANDIDATES.map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const path = paths.find((p) => existsSync(p));
  if (path === undefined) {
    throw new Error(
      `loadNativeConvAddon: the oneDNN addon is not built; expected one of ${paths.join(', ')} ` +
        '(build it with `npm_config_nodedir=/usr npx node-gyp rebuild` in packages/backends/native, after ' +
        '`apt-get install libdnnl-dev`)',
    );
  }
  // OpenMP threads busy-wait after each parallel region by default, taking cores from wasm's threads (and from
  // anyone else's) between convolutions: 4-6x slower steps on a loaded 2-core machine. Passive waiting costs
  // microseconds per convolution. libgomp reads the variable once, when the addon loads it; a user's setting wins,
  // and the variable is put back so that child processes see the environment they would have.
  const policy = env.OMP_WAIT_POLICY;
  if (policy === undefined) env.OMP_WAIT_POLICY = 'passive';
  try {
    return { addon: require(path) as NativeConvAddon, path, waitPolicy: policy ?? 'passive' };
  } finally {
    if (policy === undefined) delete env.OMP_WAIT_POLICY;
  }
}
