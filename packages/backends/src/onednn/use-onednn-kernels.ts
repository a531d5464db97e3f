import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { setConv2dGradientThroughKernels } from '../conv2d-gradient';
import { registerWasmTrainingKernels } from '../register-wasm-training';
import { loadOneDnnAddon, type OneDnnAddon } from './onednn-addon';
import { oneDnnBatchNormKernels } from './onednn-batch-norm-kernels';
import { oneDnnConvKernels } from './onednn-conv-kernels';

/** Marks a kernel config of ours, and keeps the wasm config it replaced ('added' where there was none). */
const ONEDNN = Symbol.for('@not/backends/onednn-kernel');
type Marked = KernelConfig & { [ONEDNN]?: KernelConfig | 'added' };

/** What {@link useOneDnnKernels} set up. */
export interface OneDnnKernels {
  /** The addon file loaded. */
  path: string;
  /** oneDNN's version, e.g. "2.6.3". */
  version: string;
  /** The kernels' threads (OpenMP). */
  threads: number;
  /** OpenMP's wait policy: 'passive' unless OMP_WAIT_POLICY said otherwise when the addon loaded. */
  waitPolicy: string;
  /** wasm kernels now run by the addon: tfjs' convolutions replaced, our batch norm kernels added. */
  kernels: string[];
  /** The addon itself (implementation names per geometry, primitive count), for benchmarks and tests. */
  addon: OneDnnAddon;
  /** Puts tfjs' wasm kernels (and the wasm Conv2D gradient) back and takes the batch norm kernels away. */
  restore(): void;
}

/**
 * Runs the wasm backend's Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN, and adds
 * training-mode batch norm kernels (forward and gradient, which @not/nets uses where they are registered), through
 * @not/onednn's Node addon, which reads and writes the tensors where they are, in the wasm memory; everything else
 * stays in wasm. useBackend('wasm') calls it; it throws where the wasm backend is not loaded or the addon is not
 * built, saying which. Calling it again replaces nothing twice.
 */
export function useOneDnnKernels(options: { threads?: number } = {}): OneDnnKernels {
  if (getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error('useOneDnnKernels: the wasm backend is not loaded; expected useBackend("wasm") first');
  }
  const { threads } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`useOneDnnKernels: threads must be a whole number ≥ 1, got ${threads}`);
  }
  const { addon, path, waitPolicy } = loadOneDnnAddon();
  if (threads !== undefined) addon.setThreads(threads);
  // The fallbacks are the training kernels (wasm lacks Conv2DBackpropFilter): register them first.
  registerWasmTrainingKernels();
  const replacing = oneDnnConvKernels(addon);
  const adding = oneDnnBatchNormKernels(addon);
  const install = (name: string, make: (existing?: KernelConfig) => KernelConfig) => {
    const existing = getKernel(name, 'wasm') as Marked | undefined;
    if (existing?.[ONEDNN]) return;
    const config: Marked = { ...make(existing), [ONEDNN]: existing ?? ('added' as const) };
    if (existing) unregisterKernel(name, 'wasm');
    registerKernel(config);
  };
  for (const [name, make] of Object.entries(replacing)) {
    install(name, (existing) => {
      if (existing === undefined) throw new Error(`useOneDnnKernels: the wasm backend has no ${name} kernel`);
      return make(existing);
    });
  }
  for (const config of adding) install(config.kernelName, () => config);
  setConv2dGradientThroughKernels(true);
  const kernels = [...Object.keys(replacing), ...adding.map((c) => c.kernelName)];
  const restore = () => {
    for (const name of kernels) {
      const before = (getKernel(name, 'wasm') as Marked | undefined)?.[ONEDNN];
      if (before === undefined) continue;
      unregisterKernel(name, 'wasm');
      if (before !== 'added') registerKernel(before);
    }
    setConv2dGradientThroughKernels(false);
  };
  return { path, version: addon.version(), threads: addon.threads(), waitPolicy, kernels, addon, restore };
}
