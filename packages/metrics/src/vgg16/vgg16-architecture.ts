// VGG16 (Simonyan & Zisserman 2015) as torchvision's `vgg16().features`: five blocks of 3×3 convolutions (padding 1,
// each followed by a ReLU), each block but the last ending in a 2×2 max pool. Layers are named by their ReLU:
// relu<block>_<conv>, e.g. relu3_3 is torchvision's features.15.
import type { TrunkStep } from '../layers/conv-trunk';

/** The thirteen layer names in network order, one per convolution (named by the ReLU after it). */
export const VGG16_LAYERS = [
  'relu1_1', 'relu1_2',
  'relu2_1', 'relu2_2',
  'relu3_1', 'relu3_2', 'relu3_3',
  'relu4_1', 'relu4_2', 'relu4_3',
  'relu5_1', 'relu5_2', 'relu5_3',
] as const;

/** One name of {@link VGG16_LAYERS}, e.g. 'relu3_3'. */
export type Vgg16Layer = (typeof VGG16_LAYERS)[number];

/** Output channels of the five blocks in torchvision's VGG16. */
export const VGG16_WIDTHS: readonly number[] = [64, 128, 256, 512, 512];

const CONVS_PER_BLOCK = [2, 2, 3, 3, 3];

/** Each layer's convolution: block (0-4), torchvision's `features.<index>`, channels in and out. */
function vgg16Convs(widths: readonly number[]): { layer: Vgg16Layer; block: number; index: number; inChannels: number; outChannels: number }[] {
  const out = [];
  let index = 0;
  let inChannels = 3;
  for (let block = 0; block < 5; block++) {
    for (let c = 0; c < CONVS_PER_BLOCK[block]; c++) {
      out.push({ layer: VGG16_LAYERS[out.length], block, index, inChannels, outChannels: widths[block] });
      inChannels = widths[block];
      index += 2; // conv, ReLU
    }
    index += 1; // max pool
  }
  return out;
}

/** Checks a list of layer names (non-empty, known, in network order, no repeats); returns it. */
export function checkVgg16Layers(fn: string, layers: readonly string[]): readonly Vgg16Layer[] {
  if (!Array.isArray(layers) || layers.length === 0) throw new Error(`${fn}: layers must be a non-empty array of VGG16 layer names, got ${JSON.stringify(layers)}`);
  let last = -1;
  for (const name of layers) {
    const at = VGG16_LAYERS.indexOf(name as Vgg16Layer);
    if (at < 0) throw new Error(`${fn}: unknown VGG16 layer "${name}"; expected one of ${VGG16_LAYERS.join(', ')}`);
    if (at <= last) throw new Error(`${fn}: layers must be in network order without repeats, got ${layers.join(', ')}`);
    last = at;
  }
  return layers as readonly Vgg16Layer[];
}

/** Checks `widths` (five positive integers); returns it. */
export function checkVgg16Widths(fn: string, widths: readonly number[]): readonly number[] {
  if (!Array.isArray(widths) || widths.length !== 5 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new Error(`${fn}: widths must be five positive integers (one per block), got ${JSON.stringify(widths)}`);
  }
  return widths;
}

/** The trunk up to the last of `taps`, tapping the ReLU output of each. `widths` other than VGG16's make a narrow copy (for tests). */
export function vgg16Trunk(taps: readonly Vgg16Layer[], widths: readonly number[] = VGG16_WIDTHS): TrunkStep[] {
  const steps: TrunkStep[] = [];
  let block = 0;
  for (const conv of vgg16Convs(widths)) {
    if (conv.block !== block) {
      steps.push({ kind: 'pool', kernelSize: 2, stride: 2 });
      block = conv.block;
    }
    steps.push({ kind: 'conv', index: conv.index, inChannels: conv.inChannels, outChannels: conv.outChannels, kernelSize: 3, stride: 1, padding: 1 });
    if (taps.includes(conv.layer)) steps.push({ kind: 'tap' });
    if (conv.layer === taps[taps.length - 1]) break;
  }
  return steps;
}

/** Channels of each layer's output. */
export function vgg16Channels(layers: readonly Vgg16Layer[], widths: readonly number[] = VGG16_WIDTHS): number[] {
  const convs = vgg16Convs(widths);
  return layers.map((name) => convs.find((c) => c.layer === name)!.outChannels);
}

/** Each layer's downsampling factor against the image (1, 2, 4, 8, 16 for blocks 1-5). */
export function vgg16Strides(layers: readonly Vgg16Layer[]): number[] {
  return layers.map((name) => 2 ** vgg16Convs(VGG16_WIDTHS).find((c) => c.layer === name)!.block);
}
