import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  engine,
  getBackend,
  getGradient,
  registerGradient,
  type Conv2DAttrs,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import { conv2dFilterGradient, conv2dInputGradient } from './conv-gradients';
import { tensorOps } from './tensor-ops';

/** Marks our gradient across module copies, so a second install neither wraps it again nor loses the original. */
const OURS = Symbol.for('@not/backends/conv2d-gradient');

/** Set on globalThis (across module copies) while native convolution kernels serve the wasm backend. */
const NATIVE = Symbol.for('@not/backends/native-convolutions');

/** Whether the wasm Conv2D gradient should call the Conv2DBackpropInput/Filter kernels (native ones are registered). */
export function setConv2dGradientThroughKernels(on: boolean): void {
  (globalThis as { [NATIVE]?: boolean })[NATIVE] = on;
}

const throughKernels = () => (globalThis as { [NATIVE]?: boolean })[NATIVE] === true;

type MarkedGradConfig = GradConfig & { [OURS]?: true };

/** What tfjs-core's own Conv2D gradient does, for when none is registered yet (it is not exported). */
const stockConv2dGradient: GradConfig = {
  kernelName: Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved;
    const g = dy as Tensor;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
    const dil = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
    if (dil[0] !== 1 || dil[1] !== 1) {
      throw new Error(
        `Conv2D gradient: dilations > 1 are only supported on the wasm backend (through @not/backends); got ${dil}`,
      );
    }
    const common = { strides, pad, dataFormat, dimRoundingMode } as unknown as NamedAttrMap;
    return {
      x: () => engine().runKernel(Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape }) as Tensor,
      filter: () =>
        engine().runKernel(Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape }) as Tensor,
    };
  },
};

function makeConv2dGradient(fallback: GradConfig): MarkedGradConfig {
  return {
    kernelName: Conv2D,
    inputsToSave: ['x', 'filter'],
    [OURS]: true,
    gradFunc: (dy, saved, attrs) => {
      // The gradient registry is global: other backends keep their own (original) gradient and numerics.
      if (getBackend() !== 'wasm') return fallback.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as Tensor4D[];
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
      if (throughKernels()) {
        // The native kernels are faster than composing forward convolutions, and take dilations as an extra attr.
        const common = { strides, pad, dataFormat, dimRoundingMode, dilations } as unknown as NamedAttrMap;
        return {
          x: () => engine().runKernel(Conv2DBackpropInput, { dy: dy as Tensor, filter }, { ...common, inputShape: x.shape }) as Tensor,
          filter: () => engine().runKernel(Conv2DBackpropFilter, { x, dy: dy as Tensor }, { ...common, filterShape: filter.shape }) as Tensor,
        };
      }
      const info = backend_util.computeConv2DInfo(
        x.shape,
        filter.shape,
        strides,
        dilations,
        pad,
        dimRoundingMode,
        false,
        backend_util.convertConv2DDataFormat(dataFormat),
      );
      return {
        x: () => conv2dInputGradient(tensorOps, dy as Tensor, filter, info),
        filter: () => conv2dFilterGradient(tensorOps, x, dy as Tensor, info),
      };
    },
  };
}

/**
 * On wasm, computes the Conv2D gradient with forward convolutions (fast, and supports dilations); on any other
 * backend, delegates to the gradient that was registered before (tfjs-core's). Idempotent: if ours is already in
 * place it does nothing; if someone re-registered tfjs's gradients after us, it wraps the new one again.
 * Returns true when it (re)installed the gradient.
 */
export function installConv2dGradient(): boolean {
  const current = getGradient(Conv2D) as MarkedGradConfig | undefined;
  if (current?.[OURS]) return false;
  registerGradient(makeConv2dGradient(current ?? stockConv2dGradient));
  return true;
}
