import {
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { replacing, type KernelArgs } from '../wasm-kernel-ops';
import type { OneDnnAddon } from './onednn-addon';
import { heapOf, offsetsOf, type WasmBackendInternals } from './wasm-heap';

/** tfjs' FusedConv2D activations the addon fuses, by its numbering (prelu needs weights: left to wasm). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, leakyrelu: 2, relu6: 3, sigmoid: 4, elu: 5 };

const dilated = (k: number, d: number) => (k - 1) * d + 1;

/**
 * The addon's dims for a conv geometry, or null where oneDNN's geometry rule (out = ⌊(in + pads − k_eff) / s⌋ + 1)
 * does not give tfjs' output size (a numeric pad rounded up): then the wasm kernel runs instead.
 */
function dimsOf(info: backend_util.Conv2DInfo): Int32Array | null {
  const { padInfo: p } = info;
  if (info.dataFormat !== 'channelsLast') return null;
  const rows = Math.floor((info.inHeight + p.top + p.bottom - dilated(info.filterHeight, info.dilationHeight)) / info.strideHeight) + 1;
  const cols = Math.floor((info.inWidth + p.left + p.right - dilated(info.filterWidth, info.dilationWidth)) / info.strideWidth) + 1;
  if (rows !== info.outHeight || cols !== info.outWidth) return null;
  const all = [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right,
  ];
  if (all.slice(0, 13).some((v) => !(v >= 1)) || all.slice(13).some((v) => !(v >= 0))) return null;
  return Int32Array.from(all);
}

const isFloat = (...ts: (TensorInfo | undefined)[]) => ts.every((t) => t === undefined || t.dtype === 'float32');

type Conv2DInputs = { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };

/** Conv2D and FusedConv2D: oneDNN forward convolution with bias and activation fused as post-ops. */
function forward(addon: OneDnnAddon, fused: boolean) {
  return (existing: KernelConfig, args: KernelArgs): TensorInfo => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Conv2DInputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs & Conv2DAttrs;
    const backend = args.backend as unknown as WasmBackendInternals;
    const activation = fused ? ACTIVATIONS[attrs.activation ?? 'linear'] : 0;
    const fallback = () => existing.kernelFunc(args) as TensorInfo;
    if (activation === undefined || preluActivationWeights !== undefined || !isFloat(x, filter, bias)) return fallback();
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides,
      attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const dims = dimsOf(info);
    // A bias the addon reads as [outChannels]: any shape of that size whose last axis is the channels.
    const biasOk = bias === undefined || (bias.shape.at(-1) === info.outChannels && bias.shape.reduce((a, b) => a * b, 1) === info.outChannels);
    if (dims === null || !biasOk) return fallback();
    const y = backend.makeOutput(info.outShape, 'float32');
    const offsets = offsetsOf(backend, existing.kernelName, [['x', x], ['filter', filter], ['bias', bias], ['y', y]]);
    addon.conv2d(heapOf(backend), dims, offsets, activation, attrs.leakyreluAlpha ?? 0.2);
    return y;
  };
}

type Dilations = { dilations?: number | [number, number] };

/**
 * Conv2DBackpropInput (oneDNN backward data, into dx of attrs.inputShape) and Conv2DBackpropFilter (backward weights,
 * straight into the [kh, kw, in, out] filter gradient). tfjs' attrs carry no dilations; our Conv2D gradient adds
 * them (the wasm fallback cannot honour them, so it refuses).
 */
function backward(addon: OneDnnAddon, of: 'input' | 'filter') {
  return (existing: KernelConfig, args: KernelArgs): TensorInfo => {
    const { dy, x, filter } = args.inputs as { dy: TensorInfo; x?: TensorInfo; filter?: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs & Conv2DBackpropFilterAttrs & Dilations;
    const backend = args.backend as unknown as WasmBackendInternals;
    const xShape = (of === 'input' ? attrs.inputShape : x?.shape) as [number, number, number, number];
    const filterShape = (of === 'input' ? filter?.shape : attrs.filterShape) as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      xShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false,
      backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const dims = isFloat(dy, x, filter) ? dimsOf(info) : null;
    if (dims === null || dy.shape.join() !== info.outShape.join()) return fallbackWithoutDilations(existing, args, attrs);
    const k = existing.kernelName;
    if (of === 'input') {
      const dx = backend.makeOutput(xShape, 'float32');
      addon.conv2dBackpropInput(heapOf(backend), dims, offsetsOf(backend, k, [['dy', dy], ['filter', filter], ['dx', dx]]));
      return dx;
    }
    const dw = backend.makeOutput(filterShape, 'float32');
    addon.conv2dBackpropFilter(heapOf(backend), dims, offsetsOf(backend, k, [['x', x], ['dy', dy], ['dFilter', dw]]));
    return dw;
  };
}

function fallbackWithoutDilations(existing: KernelConfig, args: KernelArgs, attrs: Dilations): TensorInfo {
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) {
    throw new Error(
      `${existing.kernelName} (oneDNN): this geometry needs the wasm kernel, which has no dilations; got dilations ${String(d)}`,
    );
  }
  return existing.kernelFunc(args) as TensorInfo;
}

/** The four oneDNN convolution kernel configs, each falling back to the wasm kernel it replaces (`existing`) where it must. */
export function oneDnnConvKernels(addon: OneDnnAddon): Record<string, (existing: KernelConfig) => KernelConfig> {
  return {
    Conv2D: (existing) => replacing(existing, forward(addon, false)),
    FusedConv2D: (existing) => replacing(existing, forward(addon, true)),
    Conv2DBackpropInput: (existing) => replacing(existing, backward(addon, 'input')),
    Conv2DBackpropFilter: (existing) => replacing(existing, backward(addon, 'filter')),
  };
}
