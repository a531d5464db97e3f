import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

type Pair = [number, number];

const pair = (v: number | number[] | undefined, fallback = 1): Pair =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

function round(v: number, mode: unknown): number {
  if (mode === 'ceil') return Math.ceil(v);
  if (mode === 'round') return Math.round(v);
  if (mode === 'floor') return Math.floor(v);
  return Math.trunc(v);
}

/** Forward kernels whose output shape tfjs computes through the faulty numeric-pad formula. */
const FILTER_FROM: Record<string, 'filter' | 'filterSize'> = {
  Conv2D: 'filter',
  FusedConv2D: 'filter',
  DepthwiseConv2dNative: 'filter',
  FusedDepthwiseConv2D: 'filter',
  MaxPool: 'filterSize',
  AvgPool: 'filterSize',
};

export const GUARDED_KERNELS = Object.keys(FILTER_FROM);

/**
 * tfjs 4.22 sizes the output of a numerically padded conv/pool with the filter height and row stride for BOTH axes
 * (conv_util.computeOutputShape2D). With a non-square filter or unequal strides the width comes out wrong; cpu
 * then silently computes a truncated result, but wasm's XNNPACK writes the true width into the short buffer and
 * corrupts the heap ("memory access out of bounds" later, anywhere). Refuse such calls with a clear error instead.
 */
export function numericPadGuard(original: KernelConfig): KernelConfig {
  const name = original.kernelName;
  return {
    ...original,
    kernelFunc: ((args: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: Record<string, unknown> }) => {
      const attrs = args.attrs ?? {};
      if (typeof attrs.pad === 'number') {
        const x = args.inputs.x as TensorInfo;
        const [sh, sw] = pair(attrs.strides as number | number[]);
        const [dh, dw] = pair(attrs.dilations as number | number[] | undefined);
        const [kh, kw] =
          FILTER_FROM[name] === 'filter'
            ? [(args.inputs.filter as TensorInfo).shape[0], (args.inputs.filter as TensorInfo).shape[1]]
            : pair(attrs.filterSize as number | number[]);
        const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
        const w = x.shape[2];
        const p = attrs.pad;
        const mode = attrs.dimRoundingMode;
        if (round((w - ew + 2 * p) / sw + 1, mode) !== round((w - eh + 2 * p) / sh + 1, mode)) {
          throw new Error(
            `${name} on wasm: pad ${p} (a number) with filter ${kh}x${kw}, strides ${sh}x${sw} gets a wrong output ` +
              `width in tfjs 4.22 (it uses the filter height and row stride for both axes), which would corrupt wasm ` +
              `memory; expected explicit padding instead, e.g. [[0, 0], [${p}, ${p}], [${p}, ${p}], [0, 0]]`,
          );
        }
      }
      return original.kernelFunc(args as Parameters<KernelFunc>[0]);
    }) as unknown as KernelFunc,
  };
}
