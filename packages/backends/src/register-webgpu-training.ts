import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulWebGpu } from './kernels/batch-mat-mul-webgpu';
import { resizeBilinearGradWebGpu } from './kernels/resize-bilinear-grad-webgpu';

/** Marks kernel configs registered by us, across module copies, so a second call changes nothing. */
const OURS = Symbol.for('@not/backends/kernel');
/** On a replacement: the kernel config it replaced (as on wasm). */
const REPLACES = Symbol.for('@not/backends/replaced-kernel');

type Marked = KernelConfig & { [OURS]?: true; [REPLACES]?: KernelConfig };

/** webgpu kernels replaced because tfjs-backend-webgpu 4.22 gets them wrong (each has a parity test against cpu). */
const REPLACED: { name: string; run: typeof resizeBilinearGradWebGpu }[] = [
  { name: 'ResizeBilinearGrad', run: resizeBilinearGradWebGpu },
  { name: 'BatchMatMul', run: batchMatMulWebGpu },
];

/**
 * Replaces the webgpu training kernels that tfjs-backend-webgpu 4.22 gets wrong. Call after
 * `@tensorflow/tfjs-backend-webgpu` is imported (useBackend('webgpu') does both). Safe to call any number of times.
 * Returns the kernel names replaced.
 */
export function registerWebGpuTrainingKernels(): string[] {
  for (const { name, run } of REPLACED) {
    const existing = getKernel(name, 'webgpu') as Marked | undefined;
    if (existing === undefined || existing[OURS]) continue;
    const config: Marked = {
      kernelName: name,
      backendName: 'webgpu',
      setupFunc: existing.setupFunc,
      disposeFunc: existing.disposeFunc,
      kernelFunc: ((args: Parameters<KernelConfig['kernelFunc']>[0]) => run(existing, args)) as KernelConfig['kernelFunc'],
      [OURS]: true,
      [REPLACES]: existing,
    };
    unregisterKernel(name, 'webgpu');
    registerKernel(config);
  }
  return REPLACED.map((k) => k.name);
}
