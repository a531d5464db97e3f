import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { buildProgram } from './program';
import { presetFor } from './train/train-config';

function commandsOf(c: Command): Command[] {
  return [c, ...c.commands.flatMap(commandsOf)];
}

describe('--backend', () => {
  it('takes webgpu on every command that computes', () => {
    const withBackend = commandsOf(buildProgram()).filter((c) => c.options.some((o) => o.long === '--backend'));
    expect(withBackend.map((c) => c.name())).toEqual(expect.arrayContaining(['train', 'stack', 'translate', 'eval', 'summary', 'apply', 'kid', 'toy', 'style', 'w2']));
    for (const c of withBackend) {
      const option = c.options.find((o) => o.long === '--backend') as Option & { argChoices?: string[] };
      expect(option.argChoices, c.name()).toEqual(['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    }
  });

  it('a GPU-sized preset on tfjs-node-gpu and on a hardware WebGPU adapter only', () => {
    expect(presetFor('tensorflow-gpu')).toBe('reference');
    expect(presetFor({ name: 'webgpu', adapter: { software: false } })).toBe('reference');
    expect(presetFor({ name: 'webgpu', adapter: { software: true } })).toBe('cpu');
    expect(presetFor({ name: 'webgpu' })).toBe('cpu');
    expect(presetFor('wasm')).toBe('cpu');
    expect(presetFor({ name: 'cpu' })).toBe('cpu');
  });

  it('`not nets summary --backend webgpu` runs on the adapter, names it, and the process ends by itself', async (ctx) => {
    const bin = new URL('../dist/bin.js', import.meta.url).pathname;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'nets', 'summary', '--arch', 'unet', '--base', '4', '--json', '--backend', 'webgpu'], {
      timeout: 90_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    }).catch((error: { stdout: string; stderr: string }) => error);
    if (/backend "webgpu" is not available/.test(stderr)) {
      console.warn(`webgpu CLI test skipped: ${stderr.trim()}`);
      ctx.skip();
    }
    expect(stderr).toMatch(/^backend webgpu \(requested; adapter .*, (software|hardware)\)$/m);
    expect(JSON.parse(stdout).total).toBeGreaterThan(0);
  });
});
