import {
  getBackend,
  getGradient,
  greater,
  LeakyRelu,
  mul,
  registerGradient,
  step,
  where,
  type GradConfig,
  type LeakyReluAttrs,
  type Tensor,
} from '@tensorflow/tfjs-core';

/** Marks our gradient across module copies, so a second install neither wraps it again nor loses the original. */
const OURS = Symbol.for('@not/backends/leaky-relu-gradient');

type MarkedGradConfig = GradConfig & { [OURS]?: true };

/** What tfjs-core's own LeakyRelu gradient does, for when none is registered yet (it is not exported). */
const stockLeakyReluGradient: GradConfig = {
  kernelName: LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as LeakyReluAttrs;
    return { x: () => where(greater(x, 0), dy as Tensor, mul(dy as Tensor, alpha)) };
  },
};

function makeLeakyReluGradient(fallback: GradConfig): MarkedGradConfig {
  return {
    kernelName: LeakyRelu,
    inputsToSave: ['x'],
    [OURS]: true,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      // The gradient registry is global: other backends (and int32 x, where Step would round alpha) keep the original.
      if (getBackend() !== 'wasm' || x.dtype !== 'float32') return fallback.gradFunc(dy, saved, attrs);
      const { alpha } = attrs as unknown as LeakyReluAttrs;
      // dy · (x > 0 ? 1 : alpha): two branch-free passes instead of Greater (slow on wasm), Multiply and Select.
      return { x: () => mul(dy as Tensor, step(x, alpha)) };
    },
  };
}

/**
 * On wasm, computes the LeakyRelu gradient as dy · step(x, alpha) (~8× faster than tfjs's where(x > 0, dy, dy·alpha)
 * there, same values except where x is NaN: NaN instead of dy·alpha); any other backend keeps the gradient that was
 * registered before. Idempotent, and re-wraps a gradient registered after ours. Returns true when it (re)installed.
 */
export function installLeakyReluGradient(): boolean {
  const current = getGradient(LeakyRelu) as MarkedGradConfig | undefined;
  if (current?.[OURS]) return false;
  registerGradient(makeLeakyReluGradient(current ?? stockLeakyReluGradient));
  return true;
}

/** Whether the LeakyRelu gradient registered now is ours. */
export function hasLeakyReluGradient(): boolean {
  return (getGradient(LeakyRelu) as MarkedGradConfig | undefined)?.[OURS] === true;
}
