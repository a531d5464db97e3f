// The fixed parts of LPIPS v0.1 (lpips 0.1.4, Zhang et al. 2018): the trunks (torchvision's AlexNet and VGG16
// `features` up to the ReLU after their last convolution used), where the five feature maps are taken, the input
// scaling, and the state-dict keys and shapes of the weights.
import type { TrunkStep } from '../layers/conv-trunk';
import { vgg16Trunk } from '../vgg16/vgg16-architecture';

/** The trunks implemented: lpips' `net='alex'` (its default) and `net='vgg'` (VGG16). */
export type LpipsNet = 'alex' | 'vgg';

/** Every {@link LpipsNet}, for checks and messages. */
export const LPIPS_NETS: readonly LpipsNet[] = ['alex', 'vgg'];

const conv = (index: number, inChannels: number, outChannels: number, kernelSize: number, stride: number, padding: number): TrunkStep => ({
  kind: 'conv',
  index,
  inChannels,
  outChannels,
  kernelSize,
  stride,
  padding,
});
const pool = (kernelSize: number, stride: number): TrunkStep => ({ kind: 'pool', kernelSize, stride });
const tap: TrunkStep = { kind: 'tap' };

/**
 * lpips' `alexnet` slices of torchvision's AlexNet features: relu1 = [0, 2), relu2 = [2, 5), relu3 = [5, 8),
 * relu4 = [8, 10), relu5 = [10, 12); the last max pool (features.12) is not used.
 */
const ALEX: TrunkStep[] = [
  conv(0, 3, 64, 11, 4, 2), tap,
  pool(3, 2), conv(3, 64, 192, 5, 1, 2), tap,
  pool(3, 2), conv(6, 192, 384, 3, 1, 1), tap,
  conv(8, 384, 256, 3, 1, 1), tap,
  conv(10, 256, 256, 3, 1, 1), tap,
];

/**
 * lpips' `vgg16` slices of torchvision's VGG16 features: relu1_2 = [0, 4), relu2_2 = [4, 9), relu3_3 = [9, 16),
 * relu4_3 = [16, 23), relu5_3 = [23, 30); the last max pool (features.30) is not used.
 */
const VGG: TrunkStep[] = vgg16Trunk(['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3']);

/** Channels of the five feature maps (lpips' `chns`), which are also the lin layers' input sizes. */
export const LPIPS_CHANNELS: Record<LpipsNet, readonly number[]> = {
  alex: [64, 192, 384, 256, 256],
  vgg: [64, 128, 256, 512, 512],
};

/**
 * lpips' ScalingLayer for v0.1: (x − shift) / scale per RGB channel, mapping [-1, 1] images to roughly the
 * ImageNet-normalized inputs the trunks were trained on.
 */
export const LPIPS_SHIFT: readonly number[] = [-0.03, -0.088, -0.188];
export const LPIPS_SCALE: readonly number[] = [0.458, 0.448, 0.45];

/** lpips.normalize_tensor's eps: features are divided by (‖f‖₂ over channels + eps). */
export const LPIPS_NORMALIZE_EPS = 1e-10;

/** Checks `net`; returns it. */
export function checkLpipsNet(fn: string, net: unknown): LpipsNet {
  if (!LPIPS_NETS.includes(net as LpipsNet)) throw new Error(`${fn}: net must be one of ${LPIPS_NETS.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(net)}`);
  return net as LpipsNet;
}

/** The trunk's steps, ending at the fifth tap. */
export function lpipsTrunk(net: LpipsNet): readonly TrunkStep[] {
  return net === 'alex' ? ALEX : VGG;
}

/** Key of lin layer `layer` (0-4) in lpips' weight files: NetLinLayer's Sequential is (Dropout, Conv2d). */
export const linKey = (layer: number) => `lin${layer}.model.1.weight`;

/**
 * Every tensor the metric needs, [key, shape] in state-dict order: the trunk's `features.<i>.weight`
 * [out, in, k, k] and `features.<i>.bias` [out] (keys of torchvision's alexnet / vgg16 files), then the five
 * `lin<l>.model.1.weight` [1, C, 1, 1] (keys of lpips' weights/v0.1/<net>.pth).
 */
export function lpipsWeightShapes(net: LpipsNet): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const step of lpipsTrunk(net)) {
    if (step.kind !== 'conv') continue;
    out.push([`features.${step.index}.weight`, [step.outChannels, step.inChannels, step.kernelSize, step.kernelSize]]);
    out.push([`features.${step.index}.bias`, [step.outChannels]]);
  }
  LPIPS_CHANNELS[net].forEach((c, l) => out.push([linKey(l), [1, c, 1, 1]]));
  return out;
}

/** The side length after each step for an input side `size`, or null where a step no longer fits. */
function trunkSides(net: LpipsNet, size: number): number[] | null {
  const sides: number[] = [];
  let s = size;
  for (const step of lpipsTrunk(net)) {
    if (step.kind === 'conv') s = Math.floor((s + 2 * step.padding - step.kernelSize) / step.stride) + 1;
    else if (step.kind === 'pool') s = Math.floor((s - step.kernelSize) / step.stride) + 1;
    if (s < 1) return null;
    sides.push(s);
  }
  return sides;
}

/** The smallest image height (and width) for which every layer up to the fifth tap has an output: alex 31, vgg 16. */
export function lpipsMinSize(net: LpipsNet): number {
  let size = 1;
  while (trunkSides(net, size) === null) size++;
  return size;
}
