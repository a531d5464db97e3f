import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { runWasmKernel, type WasmBackendLike } from '../wasm-kernel-ops';

// The contract with @not/ot-core's Adam, spelled out here because @not/backends imports no package of ours;
// adam-update.test.ts checks that both sides agree.

/** The kernel @not/ot-core's Adam runs when a backend registers it. */
export const ADAM_UPDATE = 'NotAdamUpdate';

/** The attributes Adam passes: PyTorch's update with coupled weight decay, bias corrections 1 − β^t of this step. */
export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  biasCorrection1: number;
  biasCorrection2: number;
}

/**
 * Below this many elements one JavaScript pass beats fifteen wasm kernel calls (~40 µs each on 2 threads, whatever
 * the size); above it wasm's threaded SIMD passes win (~16 ns per element in all against ~20 in JavaScript).
 */
const LOOP_BELOW = 2 ** 17;

/**
 * One variable's Adam update (PyTorch's, weight decay coupled) in one kernel: small variables in a single JavaScript
 * pass over the heap, large ones as wasm's own element-wise kernels called directly (no engine bookkeeping around
 * each, every temporary freed as soon as it is used).
 */
function adamUpdate({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', TensorInfo>;
  const a = attrs as unknown as AdamUpdateAttrs;
  for (const [name, t] of Object.entries({ param, grad, m, v })) {
    if (t.dtype !== 'float32' || !util.arraysEqual(t.shape, param.shape)) {
      throw new Error(`${ADAM_UPDATE}: ${name} must be float32 of the param's shape [${param.shape}], got ${t.dtype} [${t.shape}]`);
    }
  }
  const wasm = backend as WasmBackendLike;
  return util.sizeFromShape(param.shape) < LOOP_BELOW ? updateInLoop(wasm, param, grad, m, v, a) : updateInKernels(wasm, param, grad, m, v, a);
}

function updateInLoop(wasm: WasmBackendLike, param: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, a: AdamUpdateAttrs): TensorInfo[] {
  const outputs = [param, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
  // Views after the last makeOutput: an allocation may grow the heap and detach earlier ones.
  const [p0, g, m0, v0, p1, m1, v1] = [param, grad, m, v, ...outputs].map((t) => wasm.typedArrayFromHeap(t) as Float32Array);
  const { beta1, beta2, eps, weightDecay } = a;
  const step = a.lr / a.biasCorrection1;
  const rootC2 = Math.sqrt(a.biasCorrection2);
  for (let i = 0; i < p0.length; i++) {
    const gi = g[i] + weightDecay * p0[i];
    const mi = beta1 * m0[i] + (1 - beta1) * gi;
    const vi = beta2 * v0[i] + (1 - beta2) * gi * gi;
    m1[i] = mi;
    v1[i] = vi;
    p1[i] = p0[i] - (step * mi) / (Math.sqrt(vi) / rootC2 + eps);
  }
  return outputs;
}

function updateInKernels(wasm: WasmBackendLike, param: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, a: AdamUpdateAttrs): TensorInfo[] {
  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temporaries.push(t), t);
  const scalar = (value: number) => {
    const t = keep(wasm.makeOutput([], 'float32'));
    (wasm.typedArrayFromHeap(t) as Float32Array)[0] = value;
    return t;
  };
  const binary = (name: string, x: TensorInfo, y: TensorInfo) => keep(runWasmKernel(name, wasm, { a: x, b: y }));
  const unary = (name: string, x: TensorInfo) => keep(runWasmKernel(name, wasm, { x }));
  const scaled = (x: TensorInfo, by: number) => binary('Multiply', x, scalar(by));
  const g = a.weightDecay ? binary('Add', grad, scaled(param, a.weightDecay)) : grad;
  const mNew = runWasmKernel('Add', wasm, { a: scaled(m, a.beta1), b: scaled(g, 1 - a.beta1) });
  const vNew = runWasmKernel('Add', wasm, { a: scaled(v, a.beta2), b: scaled(unary('Square', g), 1 - a.beta2) });
  const denominator = binary('Add', scaled(unary('Sqrt', vNew), 1 / Math.sqrt(a.biasCorrection2)), scalar(a.eps));
  const pNew = runWasmKernel('Sub', wasm, { a: param, b: scaled(binary('RealDiv', mNew, denominator), a.lr / a.biasCorrection1) });
  for (const t of temporaries) wasm.disposeData(t.dataId);
  return [pNew, mNew, vNew];
}

export const adamUpdateConfig: KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdate as KernelFunc };
