/**
 * Convolution gradients written as forward convolutions, so that they run on the backend's fast (XNNPACK) conv
 * instead of slow or missing backprop kernels. Generic over ConvOps: the same code runs at kernel level (wasm
 * kernels) and at op level (inside the registered Conv2D gradient).
 *
 * Notation for one spatial axis: input length L, output length O, filter taps k, stride s, dilation d, leading
 * padding p. Forward: y[o] = sum_j x[o*s + j*d - p] * w[j].
 */
import type { backend_util } from '@tensorflow/tfjs-core';
import { step, type ConvOps, type NhwcPadding, type Pair } from './conv-ops';

type Conv2DInfo = backend_util.Conv2DInfo;

/** How one spatial axis of a gradient maps onto a forward convolution, and which window of its output to keep. */
export interface AxisPlan {
  before: number;
  after: number;
  /** First row of the convolution's output to keep, and how many. */
  begin: number;
  size: number;
}

/**
 * Filter gradient: dw[j] = sum_o x[j*d + o*s - p] * dy[o], a convolution of x with dy as the filter, dy dilated by
 * s, stepping by d. Pads the end just enough that every tap exists; the output is cropped to k if longer.
 */
export function filterGradientAxis(L: number, O: number, k: number, s: number, d: number, p: number): AxisPlan {
  const dySpan = (O - 1) * s + 1;
  const after = Math.max(0, (k - 1) * d + dySpan - L - p);
  return { before: p, after, begin: 0, size: k };
}

/**
 * Input gradient: dx[i] = sum_j up[i - q + j*d] * w[k-1-j] with q = (k-1)*d - p, where `up` is dy with s-1 zeros
 * after every element (length U = O*s). q < 0 (padding wider than the filter) is handled by cropping the output.
 */
export function inputGradientAxis(L: number, U: number, k: number, d: number, p: number): AxisPlan {
  const q = (k - 1) * d - p;
  const before = Math.max(q, 0);
  const after = Math.max(0, L - q + (k - 1) * d - U);
  return { before, after, begin: before - q, size: L };
}

function nhwcPadding(h: AxisPlan, w: AxisPlan): NhwcPadding {
  return [[0, 0], [h.before, h.after], [w.before, w.after], [0, 0]];
}

/** Keeps rows [begin, begin + size) of axes 1 and 2 of an NHWC tensor; returns `x` itself when nothing is cut. */
function cropHW<T>(ops: ConvOps<T>, x: T, h: AxisPlan, w: AxisPlan): T {
  const [n, rows, cols, c] = ops.shape(x);
  if (h.begin === 0 && w.begin === 0 && rows === h.size && cols === w.size) return x;
  return ops.slice(x, [0, h.begin, w.begin, 0], [n, h.size, w.size, c]);
}

/** Inserts s-1 zeros after every row (axis 1) and column (axis 2) of an NHWC tensor: [n, a, b, c] -> [n, a*sh, b*sw, c]. */
function zeroUpsample<T>(ops: ConvOps<T>, x: T, [sh, sw]: Pair, keep: readonly T[]): T {
  if (sh === 1 && sw === 1) return x;
  const [n, a, b, c] = ops.shape(x);
  let y = step(ops, x, keep, (t) => ops.reshape(t, [n, a, 1, b, 1, c]));
  y = step(ops, y, keep, (t) => ops.pad(t, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]));
  return step(ops, y, keep, (t) => ops.reshape(t, [n, a * sh, b * sw, c]));
}

function strides(info: Conv2DInfo): Pair {
  return [info.strideHeight, info.strideWidth];
}

function dilations(info: Conv2DInfo): Pair {
  return [info.dilationHeight, info.dilationWidth];
}

/**
 * Whether the convolution is a per-pixel matrix product: a 1×1 NHWC filter, stride 1, no padding. Its filter
 * gradient is then one matMul over the pixels, which packs its right operand (XNNPACK copies the operand it treats as
 * weights) about twice as fast as a convolution with a whole image as the filter.
 */
function isPointwise(info: Conv2DInfo): boolean {
  const { padInfo: p } = info;
  return info.dataFormat === 'channelsLast' && info.filterHeight === 1 && info.filterWidth === 1 &&
    info.strideHeight === 1 && info.strideWidth === 1 && p.top + p.bottom + p.left + p.right === 0;
}

/** The pointwise filter gradient x^T·dy over the pixels, packing whichever of x and dy has fewer channels. */
function pointwiseFilterGradient<T>(ops: ConvOps<T>, x: T, dy: T, info: Conv2DInfo): T {
  const keep = [x, dy];
  const { inChannels: ci, outChannels: co } = info;
  const pixels = info.batchSize * info.inHeight * info.inWidth;
  const xm = ops.reshape(x, [pixels, ci]);
  const dym = ops.reshape(dy, [pixels, co]);
  const [rows, packed] = ci <= co ? [dym, xm] : [xm, dym];
  const rowsT = ops.transpose(rows, [1, 0]);
  let y = ops.matMul(rowsT, packed);
  for (const t of [xm, dym, rowsT]) ops.dispose(t);
  if (ci <= co) y = step(ops, y, keep, (t) => ops.transpose(t, [1, 0]));
  return step(ops, y, keep, (t) => ops.reshape(t, [1, 1, ci, co]));
}

/** dL/dfilter of conv2d, [kh, kw, inChannels, outChannels]. x and dy are NHWC or NCHW as `info.dataFormat` says. */
export function conv2dFilterGradient<T>(ops: ConvOps<T>, x: T, dy: T, info: Conv2DInfo): T {
  if (isPointwise(info)) return pointwiseFilterGradient(ops, x, dy, info);
  const keep = [x, dy];
  const first = info.dataFormat === 'channelsFirst';
  const h = filterGradientAxis(
    info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, info.padInfo.top);
  const w = filterGradientAxis(
    info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, info.padInfo.left);
  // Batch and channels swap roles: x becomes [inC, H, W, N] (N as channels), dy the filter [OH, OW, N, outC].
  const xT = ops.transpose(x, first ? [1, 2, 3, 0] : [3, 1, 2, 0]);
  const dyT = ops.transpose(dy, first ? [2, 3, 0, 1] : [1, 2, 0, 3]);
  let y = ops.conv2d(xT, dyT, dilations(info), nhwcPadding(h, w), strides(info));
  ops.dispose(xT);
  ops.dispose(dyT);
  y = step(ops, y, keep, (t) => cropHW(ops, t, h, w));
  return step(ops, y, keep, (t) => ops.transpose(t, [1, 2, 0, 3]));
}

/** dL/dx of conv2d, shaped like x. dy is NHWC or NCHW as `info.dataFormat` says. */
export function conv2dInputGradient<T>(ops: ConvOps<T>, dy: T, filter: T, info: Conv2DInfo): T {
  const keep = [dy, filter];
  const first = info.dataFormat === 'channelsFirst';
  let up = first ? ops.transpose(dy, [0, 2, 3, 1]) : dy;
  up = zeroUpsample(ops, up, strides(info), keep);
  const h = inputGradientAxis(
    info.inHeight, info.outHeight * info.strideHeight, info.filterHeight, info.dilationHeight, info.padInfo.top);
  const w = inputGradientAxis(
    info.inWidth, info.outWidth * info.strideWidth, info.filterWidth, info.dilationWidth, info.padInfo.left);
  // The flipped filter with in/out channels swapped: [kh, kw, outC, inC].
  const flipped = step(ops, ops.reverse(filter, [0, 1]), keep, (t) => ops.transpose(t, [0, 1, 3, 2]));
  let y = ops.conv2d(up, flipped, [1, 1], nhwcPadding(h, w), dilations(info));
  if (up !== dy) ops.dispose(up);
  ops.dispose(flipped);
  y = step(ops, y, keep, (t) => cropHW(ops, t, h, w));
  return first ? step(ops, y, keep, (t) => ops.transpose(t, [0, 3, 1, 2])) : y;
}

/** dL/dfilter of depthwiseConv2d (NHWC), [kh, kw, inChannels, multiplier]. */
export function depthwiseFilterGradient<T>(ops: ConvOps<T>, x: T, dy: T, info: Conv2DInfo): T {
  const keep = [x, dy];
  const { batchSize: n, inChannels: c } = info;
  const m = info.outChannels / info.inChannels;
  const h = filterGradientAxis(
    info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, info.padInfo.top);
  const w = filterGradientAxis(
    info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, info.padInfo.left);
  // Each (sample, channel) pair becomes one depthwise channel; its dy slice is that channel's filter.
  const xT = step(ops, ops.transpose(x, [1, 2, 0, 3]), keep, (t) =>
    ops.reshape(t, [1, info.inHeight, info.inWidth, n * c]));
  const dyT = step(ops, ops.transpose(dy, [1, 2, 0, 3]), keep, (t) =>
    ops.reshape(t, [info.outHeight, info.outWidth, n * c, m]));
  let y = ops.depthwiseConv2d(xT, dyT, dilations(info), nhwcPadding(h, w), strides(info));
  ops.dispose(xT);
  ops.dispose(dyT);
  y = step(ops, y, keep, (t) => cropHW(ops, t, h, w));
  y = step(ops, y, keep, (t) => ops.reshape(t, [h.size, w.size, n, c * m]));
  if (n > 1) y = step(ops, y, keep, (t) => ops.sum(t, 2));
  return step(ops, y, keep, (t) => ops.reshape(t, [h.size, w.size, c, m]));
}

/** dL/dx of depthwiseConv2d (NHWC), shaped like x. */
export function depthwiseInputGradient<T>(ops: ConvOps<T>, dy: T, filter: T, info: Conv2DInfo): T {
  const keep = [dy, filter];
  const { batchSize: n, inChannels: c } = info;
  const m = info.outChannels / info.inChannels;
  const up = zeroUpsample(ops, dy, strides(info), keep);
  const h = inputGradientAxis(
    info.inHeight, info.outHeight * info.strideHeight, info.filterHeight, info.dilationHeight, info.padInfo.top);
  const w = inputGradientAxis(
    info.inWidth, info.outWidth * info.strideWidth, info.filterWidth, info.dilationWidth, info.padInfo.left);
  // Every output channel (c, m) convolves with its own flipped filter; the m of one input channel are summed after.
  const flipped = step(ops, ops.reverse(filter, [0, 1]), keep, (t) =>
    ops.reshape(t, [info.filterHeight, info.filterWidth, c * m, 1]));
  let y = ops.depthwiseConv2d(up, flipped, [1, 1], nhwcPadding(h, w), dilations(info));
  if (up !== dy) ops.dispose(up);
  ops.dispose(flipped);
  y = step(ops, y, keep, (t) => cropHW(ops, t, h, w));
  if (m === 1) return y;
  y = step(ops, y, keep, (t) => ops.reshape(t, [n, info.inHeight, info.inWidth, c, m]));
  return step(ops, y, keep, (t) => ops.sum(t, 4));
}
