import { describe, expect, it } from 'vitest';
import { adapterLine, describeAdapter } from './webgpu-adapter';
import { INSTALL_HINT, loadWebGpu } from './webgpu-loader';

describe('describeAdapter', () => {
  it('tells software adapters (lavapipe, SwiftShader, fallback) from GPUs', async () => {
    const lavapipe = await describeAdapter({
      info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' },
    });
    expect(lavapipe.software).toBe(true);
    expect(adapterLine(lavapipe)).toBe('mesa software (llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)), software');
    const swiftshader = await describeAdapter({ info: { vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)' } });
    expect(swiftshader.software).toBe(true);
    expect((await describeAdapter({ info: { vendor: 'x', isFallbackAdapter: true } })).software).toBe(true);
    const nvidia = await describeAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' } });
    expect(nvidia.software).toBe(false);
    expect(adapterLine(nvidia)).toBe('nvidia hopper (NVIDIA H200), hardware');
    // A browser that hides everything: a GPU, as far as anyone can tell.
    expect(adapterLine(await describeAdapter({ info: {} }))).toBe('unknown vendor, hardware');
  });

  it('reads the older requestAdapterInfo() where adapter.info is missing', async () => {
    const a = await describeAdapter({ requestAdapterInfo: async () => ({ vendor: 'apple', architecture: 'metal-3' }) });
    expect(a).toEqual({ vendor: 'apple', architecture: 'metal-3', device: '', description: '', software: false });
  });
});

describe('loadWebGpu without the webgpu package', () => {
  it('says how to install it', async () => {
    expect((globalThis as { navigator?: unknown }).navigator).toBeUndefined();
    const deps = {
      importPackage: async (pkg: string) => {
        throw new Error(`package ${pkg} is not installed`);
      },
      activate: async () => undefined,
      unavailable: (why: string) => new Error(why),
    };
    await expect(loadWebGpu(deps, false)).rejects.toThrow(
      `package webgpu is not installed; WebGPU in Node needs it: ${INSTALL_HINT}`,
    );
    expect(INSTALL_HINT).toBe('npm i webgpu @tensorflow/tfjs-backend-webgpu@4.22.0');
  });
});
