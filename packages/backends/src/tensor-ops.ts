import * as tf from '@tensorflow/tfjs-core';
import type { ConvOps } from './conv-ops';

/** ConvOps over tfjs ops: recorded on the tape, so gradients built from them are themselves differentiable. */
export const tensorOps: ConvOps<tf.Tensor> = {
  shape: (t) => t.shape,
  transpose: (x, perm) => tf.transpose(x, perm),
  reshape: (x, shape) => tf.reshape(x, shape),
  pad: (x, paddings) => tf.pad(x, paddings),
  reverse: (x, axes) => tf.reverse(x, axes),
  slice: (x, begin, size) => tf.slice(x, begin, size),
  sum: (x, axis) => tf.sum(x, axis),
  matMul: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  conv2d: (x, filter, strides, pad, dilations) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations),
  depthwiseConv2d: (x, filter, strides, pad, dilations) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations),
  dispose: (t) => t.dispose(),
};
