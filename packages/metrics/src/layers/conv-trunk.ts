import * as tf from '@tensorflow/tfjs-core';
import { FrozenConv2d } from './frozen-conv2d';
import { maxPool2d } from './pool2d';

/**
 * One step of a feature trunk: a convolution (torchvision's `features.<index>`, followed by its ReLU), a max pool (no
 * padding, floor mode), or a tap, where the current activation (a ReLU output) is handed out as a feature map.
 */
export type TrunkStep =
  | { kind: 'conv'; index: number; inChannels: number; outChannels: number; kernelSize: number; stride: number; padding: number }
  | { kind: 'pool'; kernelSize: number; stride: number }
  | { kind: 'tap' };

/** Reads one checked float32 tensor by key, as a new tensor that the caller owns (and disposes). */
export type WeightReader = (key: string) => tf.Tensor;

type Layer = { kind: 'conv'; conv: FrozenConv2d } | { kind: 'pool'; kernelSize: number; stride: number } | { kind: 'tap' };

/**
 * A frozen torchvision-style `features` trunk (AlexNet, VGG16) on NHWC images: convolutions with their ReLU fused,
 * max pools, and taps whose activations are handed out one at a time, so that a caller can reduce each before the
 * next exists. Gradients flow to the input, so it also serves losses on images (style transfer).
 */
export class ConvTrunk {
  private readonly layers: Layer[];

  constructor(steps: readonly TrunkStep[], read: WeightReader) {
    this.layers = [];
    try {
      for (const step of steps) this.layers.push(this.build(step, read));
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private build(step: TrunkStep, read: WeightReader): Layer {
    if (step.kind !== 'conv') return step;
    const weight = read(`features.${step.index}.weight`);
    const bias = read(`features.${step.index}.bias`);
    try {
      return { kind: 'conv', conv: new FrozenConv2d(weight, bias, { stride: step.stride, padding: step.padding, activation: 'relu' }) };
    } finally {
      weight.dispose(); // FrozenConv2d keeps its own copies
      bias.dispose();
    }
  }

  /**
   * Runs `x` ([B, H, W, C], already scaled) through the trunk and calls `onFeature(feature, tap)` for each tap in
   * order. `feature` stays the trunk's (freed once the next layer has run); whatever the callback returns is
   * collected and returned (the caller owns those tensors). Intermediate activations are freed as soon as the next
   * one exists.
   */
  forEachFeature<T extends tf.Tensor>(x: tf.Tensor4D, onFeature: (feature: tf.Tensor4D, tap: number) => T): T[] {
    const out: T[] = [];
    let h = x;
    try {
      for (const layer of this.layers) {
        if (layer.kind === 'tap') {
          out.push(onFeature(h, out.length));
          continue;
        }
        const next = layer.kind === 'conv' ? layer.conv.apply(h) : maxPool2d(h, { kernelSize: layer.kernelSize, stride: layer.stride });
        if (h !== x) h.dispose();
        h = next;
      }
      return out;
    } catch (error) {
      tf.dispose(out);
      throw error;
    } finally {
      if (h !== x) h.dispose();
    }
  }

  dispose(): void {
    for (const layer of this.layers) if (layer.kind === 'conv') layer.conv.dispose();
  }
}
