import * as tf from '@tensorflow/tfjs-core';
import { FrozenConv2d } from '../layers/frozen-conv2d';
import { maxPool2d } from '../layers/pool2d';
import { lpipsTrunk, type LpipsNet, type TrunkStep } from './lpips-architecture';

/** Reads one checked float32 tensor by canonical key, as a new tensor that the caller owns (and disposes). */
export type LpipsWeightReader = (key: string) => tf.Tensor;

type Layer = { kind: 'conv'; conv: FrozenConv2d } | { kind: 'pool'; kernelSize: number; stride: number } | { kind: 'tap' };

/**
 * The AlexNet or VGG16 trunk of LPIPS on NHWC images, inference only: torchvision's conv layers (ReLU fused) and max
 * pools, with the five ReLU outputs that LPIPS compares handed out one at a time, so that a caller can reduce each
 * before the next exists.
 */
export class LpipsTrunk {
  readonly net: LpipsNet;
  private readonly layers: Layer[];

  constructor(net: LpipsNet, read: LpipsWeightReader) {
    this.net = net;
    this.layers = [];
    try {
      for (const step of lpipsTrunk(net)) this.layers.push(this.build(step, read));
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private build(step: TrunkStep, read: LpipsWeightReader): Layer {
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
   * Runs `x` ([B, H, W, 3], already scaled) through the trunk and calls `onFeature(feature, l)` for l = 0..4 with
   * each tapped ReLU output. `feature` stays the trunk's (freed once the next layer has run); whatever the callback returns is collected and
   * returned (the caller owns those tensors). Intermediate activations are freed as soon as the next one exists.
   */
  forEachFeature<T extends tf.Tensor>(x: tf.Tensor4D, onFeature: (feature: tf.Tensor4D, layer: number) => T): T[] {
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
