/**
 * The handful of primitives the convolution gradients are built from. Two implementations exist: one over
 * wasm kernels (TensorInfo, used inside registered kernels) and one over tfjs ops (Tensor, used inside the
 * registered Conv2D gradient so that it stays differentiable). The gradient math is written once against this.
 */
export type Pair = [number, number];

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type NhwcPadding = [Pair, Pair, Pair, Pair];

export interface ConvOps<T> {
  shape(t: T): number[];
  transpose(x: T, perm: number[]): T;
  reshape(x: T, shape: number[]): T;
  /** Zero padding; one [before, after] pair per axis. */
  pad(x: T, paddings: Pair[]): T;
  reverse(x: T, axes: number[]): T;
  slice(x: T, begin: number[], size: number[]): T;
  sum(x: T, axis: number): T;
  /** Plain 2-D matrix product [m, k] · [k, n]. */
  matMul(a: T, b: T): T;
  /** NHWC forward convolution with explicit padding. */
  conv2d(x: T, filter: T, strides: Pair, pad: NhwcPadding, dilations: Pair): T;
  /** NHWC depthwise convolution with explicit padding; filter [kh, kw, inChannels, multiplier]. */
  depthwiseConv2d(x: T, filter: T, strides: Pair, pad: NhwcPadding, dilations: Pair): T;
  /** Releases an intermediate (never called on inputs or on the returned result). */
  dispose(t: T): void;
}

/**
 * Runs `f` on `x` and disposes `x` afterwards unless it is one of `keep` (the caller's inputs). Lets the gradient
 * code read as a pipeline while each intermediate is freed as soon as the next one exists. (Not called `then`: a
 * module that exports `then` is a thenable, and `await import()` of it breaks.)
 */
export function step<T>(ops: ConvOps<T>, x: T, keep: readonly T[], f: (x: T) => T): T {
  const y = f(x);
  if (y !== x && !keep.includes(x)) ops.dispose(x);
  return y;
}
