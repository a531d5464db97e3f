import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

interface WasmBackendWithValues {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): TensorInfo;
}

/**
 * Replaces tfjs-backend-wasm 4.22's MaxPoolGrad, which routes the gradient wrongly when a window's maximum is not
 * positive (all-negative windows lose their gradient, or it lands on element 0). Same rule as cpu: the first
 * maximum in scan order receives dy; NaN windows receive nothing. A JS loop: O(outputs x window) reads, a few ms for
 * a UNet layer.
 */
function maxPoolGrad(args: { inputs: { dy?: TensorInfo; input?: TensorInfo }; backend: unknown; attrs?: unknown }) {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as MaxPoolGradAttrs;
  const backend = args.backend as WasmBackendWithValues;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const x = backend.readSync(input.dataId);
  const g = backend.readSync(dy.dataId);
  const dx = new Float32Array(n * h * w * c);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = i * info.strideHeight - info.padInfo.top;
      const rEnd = Math.min(h, r0 + info.filterHeight);
      for (let j = 0; j < ow; j++) {
        const q0 = j * info.strideWidth - info.padInfo.left;
        const qEnd = Math.min(w, q0 + info.filterWidth);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = Math.max(0, r0); r < rEnd; r++) {
          for (let q = Math.max(0, q0); q < qEnd; q++) {
            const base = ((b * h + r) * w + q) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const go = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += g[go + ch];
      }
    }
  }
  return backend.makeOutput(input.shape, 'float32', undefined, dx);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
