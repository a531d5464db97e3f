import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from './index';

describe('useBackend', () => {
  it('auto picks wasm here and says why the native bindings were skipped', async () => {
    const report = await useBackend('auto');
    expect(report.name).toBe('wasm');
    expect(report.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.requested).toBe('auto');
    expect(report.skipped.map((s) => s.name)).toEqual(['webgpu', 'tensorflow-gpu', 'tensorflow']);
    // No GPU here: lavapipe's software adapter (passed over by auto), or no Vulkan driver at all.
    expect(report.skipped[0].why).toMatch(/^(only a software adapter \(.*\), slower than wasm; ask for 'webgpu' by name|no WebGPU adapter found)/);
    expect(report.skipped[1].why).toBe('package @tensorflow/tfjs-node-gpu is not installed');
    expect(report.skipped[2].why).toBe('package @tensorflow/tfjs-node is not installed');
    expect(report.adapter).toBeUndefined();
    expect(report.detail).toContain('Conv2DBackpropFilter');
    // Node gets tfjs's threaded build, on every core (tfjs allows at most 8).
    const threads = Math.min(availableParallelism(), 8);
    expect(report.detail).toContain(`SIMD, ${threads} thread${threads === 1 ? '' : 's'};`);
    const line = describeBackend(report);
    expect(line).toContain('backend wasm');
    expect(line).toContain('tensorflow-gpu: package @tensorflow/tfjs-node-gpu is not installed');
    console.log(line, '\n', report);
  });

  it('is safe to call twice', async () => {
    const a = await useBackend('auto');
    const b = await useBackend('wasm');
    expect(a.name).toBe('wasm');
    expect(b.name).toBe('wasm');
    expect(b.reason).toBe('requested by name');
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

  it('a named native backend that cannot load throws, naming it and why', async () => {
    await expect(useBackend('tensorflow-gpu')).rejects.toThrow(
      'useBackend: backend "tensorflow-gpu" is not available: package @tensorflow/tfjs-node-gpu is not installed',
    );
    await expect(useBackend('tensorflow')).rejects.toThrow(
      'useBackend: backend "tensorflow" is not available: package @tensorflow/tfjs-node is not installed',
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('threads are checked, and fixed once wasm has started', async () => {
    const running = Math.min(availableParallelism(), 8);
    await expect(useBackend('wasm', { threads: 0 })).rejects.toThrow('useBackend: threads must be a whole number ≥ 1, got 0');
    await expect(useBackend('wasm', { threads: 1.5 })).rejects.toThrow('useBackend: threads must be a whole number ≥ 1, got 1.5');
    await expect(useBackend('wasm', { threads: running + 1 })).rejects.toThrow(
      `useBackend: wasm already runs on ${running} thread${running === 1 ? '' : 's'} in this process; threads are fixed when wasm first starts (asked for ${running + 1})`,
    );
    expect((await useBackend('wasm', { threads: running })).name).toBe('wasm');
  });

  it('an unknown name throws a clear error', async () => {
    await expect(useBackend('nonsense' as never)).rejects.toThrow(
      'useBackend: unknown backend "nonsense"; expected one of auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu',
    );
  });
});
