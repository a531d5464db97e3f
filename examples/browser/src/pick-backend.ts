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
 * Sets tfjs's backend: WebGPU where the browser has an adapter, else WebGL, else the (slow) cpu backend; or the one
 * `wanted` names, and no other.
 */
export async function pickBackend(wanted: PageBackend | 'auto' = 'auto'): Promise<BackendChoice> {
  if (wanted !== 'auto' && !PAGE_BACKENDS.includes(wanted)) {
    throw new Error(`pickBackend: backend must be auto or one of ${PAGE_BACKENDS.join(', ')}, got ${JSON.stringify(wanted)}`);
  }
  const skipped: string[] = [];
  for (const name of wanted === 'auto' ? PAGE_BACKENDS : [wanted]) {
    const why = await unavailable(name);
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

/** Why a backend cannot run here, or null when it may. */
async function unavailable(name: PageBackend): Promise<string | null> {
  if (name !== 'webgpu') return null;
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu)';
  return (await gpu.requestAdapter()) ? null : 'the browser offers no WebGPU adapter';
}

async function describeDevice(name: PageBackend): Promise<string> {
  if (name === 'webgpu') {
    const gpu = (navigator as { gpu: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    const info = (await gpu.requestAdapter())?.info ?? {};
    return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'adapter without details';
  }
  if (name === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return (debug ? gl!.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl?.getParameter(gl.RENDERER)) ?? 'WebGL';
  }
  return 'JavaScript on the CPU';
}
