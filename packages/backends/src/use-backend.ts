import { AUTO_ORDER, BACKEND_REQUESTS, isBackendRequest, type BackendName, type BackendRequest } from './backend-names';
import { BackendUnavailable, LOADERS, oneDnnLine, type BackendOptions, type OneDnnStatus } from './backend-loaders';
import { adapterLine, type WebGpuAdapterInfo } from './webgpu-adapter';
import { releaseWebGpu } from './webgpu-loader';

/** A backend that `auto` tried before the one it chose, and could not load. */
export interface SkippedBackend {
  /** The backend tried. */
  name: BackendName;
  /** Why it could not load, fit to show a user (e.g. `package … is not installed`). */
  why: string;
}

/** Which backend useBackend chose and why the ones before it were skipped. */
export interface BackendReport {
  /** The backend now active. */
  name: BackendName;
  /** What the caller asked for: 'auto' or the same name. */
  requested: BackendRequest;
  /** tfjs's name for the active backend (`tf.getBackend()`): 'webgpu', 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** Why this one. */
  reason: string;
  /** What was set up (threads, SIMD, the training kernels registered on wasm). */
  detail: string;
  /** Backends `auto` tried first and could not load, in order; empty for a named request. */
  skipped: SkippedBackend[];
  /** On webgpu: the adapter (vendor, architecture, and whether it is hardware or software); absent elsewhere. */
  adapter?: WebGpuAdapterInfo;
  /** On wasm: oneDNN's kernels (where @not/onednn's addon loads, in Node), or why not; absent elsewhere. */
  oneDnn?: OneDnnStatus;
  /**
   * Lets the process end: on webgpu, removes the backend (tensors still on it become unusable), destroys the GPU
   * device and takes `navigator.gpu` off globalThis where useBackend put it (Dawn keeps Node alive while it is
   * reachable). Call it once training and evaluation are done. Nothing to do on the other backends.
   */
  release(): void;
}

// Serialises calls: two concurrent useBackend calls must not interleave their setBackend calls.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects the tfjs backend. `auto` tries WebGPU on a hardware adapter, then the native TensorFlow bindings
 * (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`), then wasm with our training kernels, then cpu, and
 * reports which it got and why the others were skipped (a software WebGPU adapter is used only when asked for by
 * name). On wasm in Node the convolutions and batch norms run on oneDNN where @not/onednn's addon loads
 * (`report.oneDnn` says so, or why not). A named backend that cannot load throws, naming it and the reason. Safe to call again.
 */
export function useBackend(name: BackendRequest = 'auto', options: BackendOptions = {}): Promise<BackendReport> {
  if (!isBackendRequest(name)) {
    return Promise.reject(
      new Error(`useBackend: unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_REQUESTS.join(', ')}`),
    );
  }
  const { threads } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    return Promise.reject(new Error(`useBackend: threads must be a whole number ≥ 1, got ${threads}`));
  }
  const run = queue.then(() => select(name, options));
  queue = run.catch(() => undefined);
  return run;
}

async function select(requested: BackendRequest, options: BackendOptions): Promise<BackendReport> {
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: SkippedBackend[] = [];
  for (const name of candidates) {
    try {
      const { tfBackend, detail, adapter, oneDnn } = await LOADERS[name](options, { auto: requested === 'auto' });
      const reason =
        requested === 'auto'
          ? skipped.length === 0
            ? `auto: ${name} is the first choice and it loaded`
            : `auto: ${name} is the first of ${AUTO_ORDER.join(', ')} that loaded`
          : `requested by name`;
      const release = name === 'webgpu' ? releaseWebGpu : () => undefined;
      return { name, requested, tfBackend, reason, detail, skipped, ...(adapter ? { adapter } : {}), ...(oneDnn ? { oneDnn } : {}), release };
    } catch (error) {
      if (!(error instanceof BackendUnavailable)) throw error;
      if (requested !== 'auto') {
        throw new Error(`useBackend: backend "${name}" is not available: ${error.message}`);
      }
      skipped.push({ name, why: error.message });
    }
  }
  const whys = skipped.map((s) => `${s.name}: ${s.why}`).join('; ');
  throw new Error(`useBackend: no backend could be loaded for "auto" (${whys})`);
}

/** One line for a CLI: `backend wasm (auto; skipped tensorflow-gpu: package … is not installed; …)`. */
export function describeBackend(report: BackendReport): string {
  const how = report.requested === 'auto' ? 'auto' : 'requested';
  const skipped = report.skipped.map((s) => `${s.name}: ${s.why}`);
  const on = report.adapter ? [`adapter ${adapterLine(report.adapter)}`] : report.oneDnn ? [oneDnnLine(report.oneDnn)] : [];
  return `backend ${report.name} (${[how, ...on, ...(skipped.length ? [`skipped ${skipped.join('; ')}`] : [])].join('; ')})`;
}
