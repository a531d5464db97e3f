/** What useBackend accepts, in the order `auto` tries them (after 'auto' itself). */
export const BACKEND_REQUESTS = ['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** A backend useBackend accepts: 'auto' or one by name. */
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
/** A concrete backend, one that can actually be loaded. */
export type BackendName = Exclude<BackendRequest, 'auto'>;

/**
 * The order in which `auto` tries backends: a hardware WebGPU adapter (a software one is slower than wasm and is
 * skipped), native bindings, then wasm, then pure JS.
 */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export function isBackendRequest(name: unknown): name is BackendRequest {
  return typeof name === 'string' && (BACKEND_REQUESTS as readonly string[]).includes(name);
}
