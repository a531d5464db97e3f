import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { setConv2dGradientThroughKernels } from '../conv2d-gradient';
import { registerWasmTrainingKernels } from '../register-wasm-training';
import { loadNativeConvAddon, type NativeConvAddon } from './native-addon';
import { nativeConvKernels } from './native-conv-kernels';

/** Marks a native kernel config, and keeps the wasm config it replaced (restored by `restore`). */
const NATIVE = Symbol.for('@not/backends/native-kernel');
type Marked = KernelConfig & { [NATIVE]?: KernelConfig };

/** What {@link useNativeConvolutions} set up. */
export interface NativeConvolutions {
  /** The addon file loaded. */
  path: string;
  /** oneDNN's version. */
  oneDnn: string;
  /** oneDNN's threads (OpenMP). */
  threads: number;
  /** OpenMP's wait policy: 'passive' unless OMP_WAIT_POLICY said otherwise when the addon loaded. */
  waitPolicy: string;
  /** wasm kernels now served by oneDNN. */
  kernels: string[];
  /** The addon itself (implementation names per geometry, primitive count), for benchmarks and tests. */
  addon: NativeConvAddon;
  /** Puts the wasm kernels (and the wasm Conv2D gradient) back. */
  restore(): void;
}

/**
 * PROTOTYPE, opt-in (not used by useBackend): serves the wasm backend's Conv2D, FusedConv2D, Conv2DBackpropInput and
 * Conv2DBackpropFilter with oneDNN through a Node addon that reads and writes the tensors where they are, in the
 * wasm memory; everything else stays in wasm. Needs the wasm backend loaded (useBackend('wasm')) and the addon built
 * (packages/backends/native). Throws if either is missing. Calling it again replaces nothing twice.
 */
export function useNativeConvolutions(options: { threads?: number } = {}): NativeConvolutions {
  if (getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error('useNativeConvolutions: the wasm backend is not loaded; expected useBackend("wasm") first');
  }
  const { threads } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`useNativeConvolutions: threads must be a whole number ≥ 1, got ${threads}`);
  }
  const { addon, path, waitPolicy } = loadNativeConvAddon();
  if (threads !== undefined) addon.setThreads(threads);
  // The fallbacks are the training kernels (wasm lacks Conv2DBackpropFilter): register them first.
  registerWasmTrainingKernels();
  const makers = nativeConvKernels(addon);
  for (const [name, make] of Object.entries(makers)) {
    const existing = getKernel(name, 'wasm') as Marked | undefined;
    if (existing === undefined) throw new Error(`useNativeConvolutions: the wasm backend has no ${name} kernel`);
    if (existing[NATIVE]) continue;
    const config: Marked = Object.assign(make(existing), { [NATIVE]: existing });
    unregisterKernel(name, 'wasm');
    registerKernel(config);
  }
  setConv2dGradientThroughKernels(true);
  const restore = () => {
    for (const name of Object.keys(makers)) {
      const current = getKernel(name, 'wasm') as Marked | undefined;
      const original = current?.[NATIVE];
      if (original === undefined) continue;
      unregisterKernel(name, 'wasm');
      registerKernel(original);
    }
    setConv2dGradientThroughKernels(false);
  };
  return { path, oneDnn: addon.version(), threads: addon.threads(), waitPolicy, kernels: Object.keys(makers), addon, restore };
}
