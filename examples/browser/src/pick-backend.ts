import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';

/** The backends the page trains on, fastest first. */
export const PAGE_BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** The backend the page got, with what it knows of the GPU, and why each backend tried before it was passed over. */
export interface BackendChoice {
  name: PageBackend;
  /** WebGPU's adapter (vendor, architecture) or WebGL's renderer, for the page's caption. */
  device: string;
  skipped: string[];
}

/**
 * Sets tfjs's backend: WebGPU where the browser has a hardware adapter, else WebGL, else the (slow) cpu backend; or the
 * one `wanted` names, and no other. A software WebGPU adapter (SwiftShader, lavapipe) is used only when asked for by
 * name: WebGL on the same software renderer trains faster.
 */
export async function pickBackend(wanted: PageBackend | 'auto' = 'auto'): Promise<BackendChoice> {
  if (wanted !== 'auto' && !PAGE_BACKENDS.includes(wanted)) {
    throw new Error(`pickBackend: backend must be auto or one of ${PAGE_BACKENDS.join(', ')}, got ${JSON.stringify(wanted)}`);
  }
  const skipped: string[] = [];
  for (const name of wanted === 'auto' ? PAGE_BACKENDS : [wanted]) {
    const why = await unavailable(name, wanted === 'auto');
    if (why) {
      skipped.push(`${name}: ${why}`);
      continue;
    }
    try {
      // Shaders that take shapes as uniforms: one program per op instead of one per op and shape, far fewer to compile.
      if (name === 'webgl') tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, device: await describeDevice(name), skipped };
      }
      skipped.push(`${name}: tfjs could not start it`);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`pickBackend: no backend started (${skipped.join('; ')})`);
}

interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

function gpuAdapter(): Promise<GpuAdapter | null> | null {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }).gpu;
  return gpu ? gpu.requestAdapter() : null;
}

/** Why a backend cannot (or, `automatic`ally chosen, should not) run here, or null when it may. */
async function unavailable(name: PageBackend, automatic: boolean): Promise<string | null> {
  if (name !== 'webgpu') return null;
  const request = gpuAdapter();
  if (!request) return 'this browser has no WebGPU (navigator.gpu)';
  const adapter = await request;
  if (!adapter) return 'the browser offers no WebGPU adapter';
  if (automatic && isSoftware(adapter)) return `a software adapter (${describeAdapter(adapter)}), slower than WebGL; ?backend=webgpu uses it`;
  return null;
}

function isSoftware(adapter: GpuAdapter): boolean {
  const { info = {} } = adapter;
  return Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader|lavapipe|llvmpipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

function describeAdapter(adapter: GpuAdapter): string {
  const { info = {} } = adapter;
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'adapter without details';
}

async function describeDevice(name: PageBackend): Promise<string> {
  if (name === 'webgpu') {
    const adapter = await gpuAdapter();
    return adapter ? describeAdapter(adapter) : 'no adapter';
  }
  if (name === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return (debug ? gl!.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl?.getParameter(gl.RENDERER)) ?? 'WebGL';
  }
  return 'JavaScript on the CPU';
}
