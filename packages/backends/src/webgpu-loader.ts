import * as tf from '@tensorflow/tfjs-core';
import { registerWebGpuTrainingKernels } from './register-webgpu-training';
import { adapterLine, describeAdapter, type AdapterLike, type WebGpuAdapterInfo } from './webgpu-adapter';

/** What the loader needs from the caller's module: the shared "cannot load" error and the package importer. */
export interface WebGpuLoaderDeps {
  /** Throws BackendUnavailable for a missing or broken package. */
  importPackage(pkg: string): Promise<unknown>;
  /** Wraps a reason in BackendUnavailable. */
  unavailable(why: string): Error;
  /** Activates a registered backend, throwing BackendUnavailable when it does not start. */
  activate(tfName: string, after: string): Promise<void>;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapter | null>;
}
interface GpuAdapter extends AdapterLike {
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<GpuDevice>;
}
interface GpuDevice {
  destroy(): void;
}

export const INSTALL_HINT = 'npm i webgpu @tensorflow/tfjs-backend-webgpu@4.22.0';
const NO_ADAPTER =
  'no WebGPU adapter found (Linux needs a Vulkan driver: a GPU vendor\'s, or without a GPU Mesa\'s lavapipe, ' +
  'Debian/Ubuntu package mesa-vulkan-drivers 24 or later; Debian bookworm: apt-get install -t bookworm-backports ' +
  'mesa-vulkan-drivers)';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** What we changed and created, so that {@link releaseWebGpu} can undo it and let Node exit. */
const state: {
  /** What we put on globalThis: the whole `navigator`, or only `navigator.gpu` on an existing one (Node ≥ 21). */
  installed?: 'navigator' | 'gpu';
  devices: GpuDevice[];
  adapter?: WebGpuAdapterInfo;
  /** Why `auto` passed WebGPU over, once it has (no adapter, or only a software one): not probed again. */
  refused?: string;
} = { devices: [] };

type Nav = { gpu?: GpuLike } | undefined;
/** A started webgpu backend, if any (tf.findBackend would start a registered one). */
function startedBackend(): tf.KernelBackend | undefined {
  return (tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> }).registry.webgpu;
}

const currentNavigator = () => (globalThis as { navigator?: Nav }).navigator;

/** The page's `navigator.gpu`, or in Node one made by the `webgpu` package (Dawn) and put on `globalThis.navigator`. */
async function navigatorGpu(deps: WebGpuLoaderDeps): Promise<GpuLike> {
  const nav = currentNavigator();
  if (nav?.gpu) return nav.gpu;
  if (!isNode) throw deps.unavailable('this browser offers no WebGPU (navigator.gpu is undefined)');
  let dawn: { create(flags: string[]): GpuLike; globals: object };
  try {
    dawn = (await deps.importPackage('webgpu')) as typeof dawn;
  } catch (error) {
    throw deps.unavailable(`${(error as Error).message}; WebGPU in Node needs it: ${INSTALL_HINT}`);
  }
  // GPUBufferUsage, GPUMapMode, … as in a browser; tfjs-backend-webgpu uses them as globals.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (nav) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    state.installed = 'gpu';
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    state.installed = 'navigator';
  }
  return gpu;
}

/** Undoes what navigatorGpu put on globalThis (Dawn holds Node's event loop while its GPU object is reachable). */
function uninstallNavigator(): void {
  if (state.installed === 'navigator') delete (globalThis as { navigator?: unknown }).navigator;
  if (state.installed === 'gpu') delete (currentNavigator() as { gpu?: unknown }).gpu;
  state.installed = undefined;
}

/** The device tfjs-backend-webgpu needs: the adapter's full limits (tfjs' defaults cap buffers at 128 MiB). */
function deviceDescriptor(adapter: GpuAdapter): object {
  const names = [
    'maxBufferSize',
    'maxStorageBufferBindingSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupsPerDimension',
  ];
  const requiredLimits = Object.fromEntries(names.map((n) => [n, adapter.limits[n]]));
  // timestamp-query lets tf.profile / tf.time report kernel times.
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return { requiredLimits, requiredFeatures };
}

/** The adapter info of a running tfjs webgpu backend (it keeps the GPUAdapterInfo it was given). */
async function runningAdapter(): Promise<WebGpuAdapterInfo> {
  const backend = startedBackend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } };
  return (
    state.adapter ??
    (await describeAdapter({ info: { vendor: backend.adapterInfo?.vendor, architecture: backend.adapterInfo?.architecture } }))
  );
}

/**
 * Loads tfjs-backend-webgpu on the best adapter (`high-performance`) and activates it. With `hardwareOnly`
 * (`auto`), a software adapter is refused: lavapipe and SwiftShader are slower than wasm.
 */
export async function loadWebGpu(
  deps: WebGpuLoaderDeps,
  hardwareOnly: boolean,
): Promise<{ tfBackend: string; detail: string; adapter: WebGpuAdapterInfo }> {
  if (startedBackend() !== undefined) {
    // Already running in this process (an earlier call, or the user's own setBackend): keep its device and tensors.
    const adapter = await runningAdapter();
    if (hardwareOnly && adapter.software) throw deps.unavailable(softwareOnly(adapter));
    await deps.activate('webgpu', 'an earlier start');
    return { tfBackend: tf.getBackend(), detail: `adapter ${adapterLine(adapter)}`, adapter };
  }
  // auto asks again at every call: say no at once where it was already no (each probe starts Vulkan's drivers).
  if (hardwareOnly && state.refused !== undefined) throw deps.unavailable(state.refused);
  const gpu = await navigatorGpu(deps);
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    adapter = null;
    uninstallNavigator();
    throw deps.unavailable(`${NO_ADAPTER}: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
  }
  if (adapter === null) {
    uninstallNavigator();
    if (hardwareOnly) state.refused = NO_ADAPTER;
    throw deps.unavailable(NO_ADAPTER);
  }
  const info = await describeAdapter(adapter);
  if (hardwareOnly && info.software) {
    uninstallNavigator();
    state.refused = softwareOnly(info);
    throw deps.unavailable(state.refused);
  }
  const pkg = '@tensorflow/tfjs-backend-webgpu';
  let mod: { WebGPUBackend: new (device: GpuDevice, adapterInfo: unknown) => tf.KernelBackend };
  try {
    mod = (await deps.importPackage(pkg)) as typeof mod;
  } catch (error) {
    if (tf.findBackendFactory('webgpu') != null) {
      // A bundled page that imported tfjs-backend-webgpu itself (a bare dynamic import cannot load there): use the
      // backend it registered. release() still removes it.
      const fixed = registerWebGpuTrainingKernels();
      state.adapter = info;
      await deps.activate('webgpu', `the page's own ${pkg}`);
      return { tfBackend: tf.getBackend(), detail: `adapter ${adapterLine(info)}; the page's registration; kernels fixed: ${fixed.join(', ')}`, adapter: info };
    }
    uninstallNavigator();
    throw deps.unavailable(`${(error as Error).message}; WebGPU needs it: ${INSTALL_HINT}`);
  }
  const fixed = registerWebGpuTrainingKernels();
  // Our factory instead of the one tfjs registers on import (which it skips when navigator.gpu was missing then):
  // the device comes from an adapter we described, and we hold it, so that releaseWebGpu can destroy it.
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      // An adapter gives one device; a second start (after releaseWebGpu) asks for a new one.
      const fresh = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? adapter;
      const device = await fresh.requestDevice(deviceDescriptor(fresh));
      state.devices.push(device);
      return new mod.WebGPUBackend(device, fresh.info ?? (await fresh.requestAdapterInfo?.()));
    },
    3,
  );
  state.adapter = info;
  await deps.activate('webgpu', `loading ${pkg} on ${adapterLine(info)}`);
  return { tfBackend: tf.getBackend(), detail: `adapter ${adapterLine(info)}; kernels fixed: ${fixed.join(', ')}`, adapter: info };
}

function softwareOnly(a: WebGpuAdapterInfo): string {
  return `only a software adapter (${adapterLine(a)}), slower than wasm; ask for 'webgpu' by name to use it anyway`;
}

/**
 * Ends WebGPU in this process: removes tfjs' webgpu backend (freeing its buffers; tensors still on it become
 * unusable), destroys the device, and takes `navigator.gpu` off globalThis where we put it there (in Node), so the
 * process can exit. Safe to call when WebGPU never started. A later useBackend('webgpu') starts it afresh.
 */
export function releaseWebGpu(): void {
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
  for (const device of state.devices.splice(0)) device.destroy();
  uninstallNavigator();
  state.adapter = undefined;
}
