import type {
  KernelConfig,
  ResizeBilinearGradAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../wasm-kernel-ops';

interface WasmBackendWithValues {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): TensorInfo;
}

/** The adjoint of tfjs's bilinear resize with half-pixel centers, mirroring the forward's index arithmetic. */
function halfPixelGrad(images: TensorInfo, dy: TensorInfo, backend: WasmBackendWithValues): TensorInfo {
  const [n, h, w, c] = images.shape;
  const [, oh, ow] = dy.shape;
  const g = backend.readSync(dy.dataId);
  const dx = new Float32Array(n * h * w * c);
  const rowRatio = h / oh;
  const colRatio = w / ow;
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const fr = rowRatio * (r + 0.5) - 0.5;
      const r0 = Math.max(0, Math.floor(fr));
      const r1 = Math.min(h - 1, Math.ceil(fr));
      const dr = fr - r0;
      for (let q = 0; q < ow; q++) {
        const fq = colRatio * (q + 0.5) - 0.5;
        const q0 = Math.max(0, Math.floor(fq));
        const q1 = Math.min(w - 1, Math.ceil(fq));
        const dq = fq - q0;
        const tl = ((b * h + r0) * w + q0) * c;
        const tr = ((b * h + r0) * w + q1) * c;
        const bl = ((b * h + r1) * w + q0) * c;
        const br = ((b * h + r1) * w + q1) * c;
        for (let ch = 0; ch < c; ch++) {
          const v = g[k++];
          dx[tl + ch] += v * (1 - dr) * (1 - dq);
          dx[tr + ch] += v * (1 - dr) * dq;
          dx[bl + ch] += v * dr * (1 - dq);
          dx[br + ch] += v * dr * dq;
        }
      }
    }
  }
  return backend.makeOutput(images.shape, 'float32', undefined, dx);
}

/**
 * tfjs-backend-wasm 4.22's ResizeBilinearGrad ignores halfPixelCenters (so the gradient of
 * resizeBilinear(x, size, false, true), PyTorch's align_corners=False, is wrong). This keeps the wasm kernel for
 * the other modes (alignCorners included, which it gets right) and handles half-pixel centers in JS.
 */
export function resizeBilinearGrad(original: KernelConfig, args: KernelArgs): TensorInfo {
  const { halfPixelCenters } = args.attrs as unknown as ResizeBilinearGradAttrs & { halfPixelCenters?: boolean };
  if (!halfPixelCenters) return original.kernelFunc(args) as TensorInfo;
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  return halfPixelGrad(images, dy, args.backend as unknown as WasmBackendWithValues);
}
