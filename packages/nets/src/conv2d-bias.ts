import * as tf from '@tensorflow/tfjs-core';

const FUSED = 'FusedConv2D';
/** Marks our FusedConv2D gradient across module copies, so that it is registered once. */
const OURS = Symbol.for('@not/nets/fused-conv2d-gradient');

/**
 * FusedConv2D's gradient (bias only, linear activation), as the tape asks for it, one input at a time: x and filter
 * through Conv2D's registered gradient (@not/backends' where it installed one), the bias as dy summed over batch and
 * image. tf.fused.conv2d's own gradient computes all three at once, so it would take filter gradients through a
 * frozen network, where only the input's is wanted.
 */
function registerFusedGradient(): void {
  if ((tf.getGradient(FUSED) as { [OURS]?: true } | undefined)?.[OURS]) return;
  const config: tf.GradConfig & { [OURS]: true } = {
    kernelName: FUSED,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const conv = tf.getGradient('Conv2D');
      if (conv === undefined) throw new Error('conv2dWithBias: no Conv2D gradient is registered');
      const g = dy as tf.Tensor4D;
      return { ...conv.gradFunc(g, saved, attrs), bias: () => tf.sum(g, [0, 1, 2]) };
    },
    [OURS]: true,
  };
  tf.registerGradient(config);
}

/**
 * A stride-1 convolution plus a per-channel bias as one kernel: no image-sized add forward or backward (a
 * broadcast add is among wasm's slowest kernels; oneDNN adds the bias as it writes the output).
 */
export function conv2dWithBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: 'same' | 'valid'): tf.Tensor4D {
  registerFusedGradient();
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };
  return tf.engine().runKernel(FUSED, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
