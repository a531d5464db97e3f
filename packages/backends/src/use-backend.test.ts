import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from './index';

// Whether a native binding is installed here decides what auto picks: the tests hold wherever it is or is not.
const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const NATIVE = [
  { name: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu' },
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node' },
].map((n) => ({ ...n, installed: installed(n.pkg) }));

/** What @not/onednn says about its addon. */
function addonBuilt(): { file: string } | { file: null; why: string } {
  return (require('@not/onednn') as { locateAddon(): { file: string } | { file: null; why: string } }).locateAddon();
}

// tfjs' own Conv2D on wasm, before anything replaces it.
let wasmConv2D: tf.KernelConfig | undefined;

describe('useBackend', () => {
  beforeAll(async () => {
    await useBackend('wasm', { oneDnn: false });
    wasmConv2D = tf.getKernel('Conv2D', 'wasm');
  });

  it('auto tries WebGPU then the native bindings in order, says why each was skipped, and otherwise picks wasm', async () => {
    const report = await useBackend('auto');
    expect(report.requested).toBe('auto');
    expect(tf.getBackend()).toBe(report.tfBackend);
    const line = describeBackend(report);
    expect(line).toContain(`backend ${report.name}`);
    const order = ['webgpu', ...NATIVE.map((n) => n.name)];
    const picked = order.indexOf(report.name);
    // Every candidate before the one picked was skipped, with its reason.
    const skipped = picked < 0 ? order : order.slice(0, picked);
    expect(report.skipped.map((s) => s.name)).toEqual(skipped);
    skipped.forEach((name, i) => {
      const why = report.skipped[i].why;
      expect(line).toContain(`${name}: ${why}`);
      const native = NATIVE.find((n) => n.name === name);
      // No GPU: lavapipe's software adapter (passed over by auto), or no Vulkan driver at all.
      if (!native) expect(why).toMatch(/^(only a software adapter \(.*\), slower than wasm; ask for 'webgpu' by name|no WebGPU adapter found|package \S+ (is not installed|failed to load))/);
      else if (native.installed) expect(why).toMatch(new RegExp(`^(package ${native.pkg} failed to load|tf\\.setBackend)`));
      else expect(why).toBe(`package ${native.pkg} is not installed`);
    });
    if (picked > 0) {
      expect(NATIVE[picked - 1].installed).toBe(true);
      expect(report.tfBackend).toBe('tensorflow');
    } else if (picked < 0) {
      expect(report.name).toBe('wasm');
      expect(report.tfBackend).toBe('wasm');
      expect(report.adapter).toBeUndefined();
      expect(report.detail).toContain('Conv2DBackpropFilter');
      // Node gets tfjs's threaded build, on every core (tfjs allows at most 8).
      const threads = Math.min(availableParallelism(), 8);
      expect(report.detail).toContain(`SIMD, ${threads} thread${threads === 1 ? '' : 's'}, `);
      expect(line).toContain(report.oneDnn?.loaded ? 'oneDNN' : 'no oneDNN kernels (');
    }
    console.log(line, '\n', report);
  });

  it('is safe to call twice', async () => {
    const a = await useBackend('wasm');
    const b = await useBackend('wasm');
    expect(a.name).toBe('wasm');
    expect(b.name).toBe('wasm');
    expect(b.reason).toBe('requested by name');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('cpu works, without the tfjs-node banner', async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      const report = await useBackend('cpu');
      expect(report.name).toBe('cpu');
      const t = tf.add(tf.scalar(1), tf.scalar(2));
      expect(t.dataSync()[0]).toBe(3);
      tf.dispose(t);
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => String(w).includes('looks like you are running'))).toEqual([]);
    await useBackend('wasm');
  });

  for (const n of NATIVE) {
    it(`a named native backend (${n.name}) loads when it can, and otherwise throws naming it and why`, async () => {
      await useBackend('wasm');
      const result = await useBackend(n.name as 'tensorflow' | 'tensorflow-gpu').catch((error: Error) => error);
      if (result instanceof Error) {
        expect(result.message).toContain(`useBackend: backend "${n.name}" is not available: `);
        if (n.installed) expect(result.message).toMatch(/failed to load|tf\.setBackend/);
        else expect(result.message).toContain(`package ${n.pkg} is not installed`);
        expect(tf.getBackend()).toBe('wasm');
      } else {
        expect(n.installed).toBe(true);
        expect(result).toMatchObject({ name: n.name, tfBackend: 'tensorflow' });
        await useBackend('wasm');
      }
    });
  }

  it('threads are checked, and fixed once wasm has started', async () => {
    const running = Math.min(availableParallelism(), 8);
    await expect(useBackend('wasm', { threads: 0 })).rejects.toThrow('useBackend: threads must be a whole number ≥ 1, got 0');
    await expect(useBackend('wasm', { threads: 1.5 })).rejects.toThrow('useBackend: threads must be a whole number ≥ 1, got 1.5');
    await expect(useBackend('wasm', { threads: running + 1 })).rejects.toThrow(
      `useBackend: wasm already runs on ${running} thread${running === 1 ? '' : 's'} in this process; threads are fixed when wasm first starts (asked for ${running + 1})`,
    );
    expect((await useBackend('wasm', { threads: running })).name).toBe('wasm');
  });

  it("wasm says whether oneDNN's kernels run: where @not/onednn's addon loads, else why not", async () => {
    const asked = await useBackend('wasm');
    const built = addonBuilt();
    const off = process.env.NOT_ONEDNN === 'off'; // CI's second pass
    const loads = built.file !== null && !off;
    expect(asked.oneDnn?.loaded).toBe(loads);
    if (off) {
      expect(asked.oneDnn).toEqual({ loaded: false, why: 'NOT_ONEDNN=off' });
    } else if (asked.oneDnn?.loaded) {
      expect(asked.oneDnn).toEqual({
        loaded: true,
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        threads: Math.min(availableParallelism(), 8),
        kernels: ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'NotBatchNormTraining', 'NotBatchNormTrainingGrad'],
      });
      expect(describeBackend(asked)).toContain(`oneDNN ${asked.oneDnn.version} convolutions and batch norm on `);
      expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(wasmConv2D);
      expect(tf.getKernel('NotBatchNormTraining', 'wasm')).toBeDefined();
    } else {
      // Why, in @not/onednn's words (e.g. oneDNN's header not found at install).
      expect(asked.oneDnn).toEqual({ loaded: false, why: `@not/onednn is not built: ${'why' in built ? built.why : ''}` });
    }
    // Asked not to: tfjs' own kernels are back, and ours are gone.
    const without = await useBackend('wasm', { oneDnn: false });
    expect(without.oneDnn).toEqual({ loaded: false, why: 'not asked for (oneDnn: false)' });
    expect(describeBackend(without)).toContain('no oneDNN kernels (not asked for');
    expect(tf.getKernel('Conv2D', 'wasm')).toBe(wasmConv2D);
    expect(tf.getKernel('NotBatchNormTraining', 'wasm')).toBeUndefined();
    // NOT_ONEDNN=off does the same for a process.
    const before = process.env.NOT_ONEDNN;
    process.env.NOT_ONEDNN = 'off';
    try {
      expect((await useBackend('wasm')).oneDnn).toEqual({ loaded: false, why: 'NOT_ONEDNN=off' });
      expect(tf.getKernel('Conv2D', 'wasm')).toBe(wasmConv2D);
    } finally {
      if (before === undefined) delete process.env.NOT_ONEDNN;
      else process.env.NOT_ONEDNN = before;
    }
    expect((await useBackend('wasm')).oneDnn?.loaded).toBe(loads);
  });

  it('an unknown name throws a clear error', async () => {
    await expect(useBackend('nonsense' as never)).rejects.toThrow(
      'useBackend: unknown backend "nonsense"; expected one of auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu',
    );
  });
});
