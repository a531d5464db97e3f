// Checking LPIPS weights and finding each tensor under the key names that occur in practice: torchvision's trunk
// files and lpips' lin files (the canonical names), or the state dict of a whole lpips.LPIPS module.
import * as tf from '@tensorflow/tfjs-core';
import type { WeightTensor } from '../inception/fid-inception-v3';
import { LPIPS_SCALE, LPIPS_SHIFT, checkLpipsNet, lpipsWeightShapes, type LpipsNet } from './lpips-architecture';

/**
 * Weights by key: the trunk's `features.<i>.weight` / `.bias` and `lin<l>.model.1.weight` (merged from torchvision's
 * and lpips' files, or one file holding both). An lpips.LPIPS module's own state dict (`net.slice<s>.<i>.weight`,
 * `lins.<l>.model.1.weight`, `scaling_layer.*`) is also taken. torchvision's `classifier.*` is ignored.
 */
export type LpipsWeights = Record<string, WeightTensor>;

const FN = 'Lpips';

/** Other names of a canonical key in an lpips.LPIPS module's state dict. */
function aliases(key: string): RegExp {
  const feature = /^features\.(\d+)\.(weight|bias)$/.exec(key);
  if (feature) return new RegExp(`^net\\.slice\\d+\\.${feature[1]}\\.${feature[2]}$`);
  const lin = /^lin(\d)\.model\.1\.weight$/.exec(key);
  if (lin) return new RegExp(`^lins\\.${lin[1]}\\.model\\.1\\.weight$`);
  return /^$/;
}

const describe = (value: unknown) =>
  value instanceof tf.Tensor ? `[${value.shape}]` : (value as { shape?: unknown })?.shape ? `[${(value as { shape: number[] }).shape}]` : String(value);

function valuesOf(value: WeightTensor): ArrayLike<number> {
  return value instanceof tf.Tensor ? value.dataSync() : value.data;
}

/** Where a missing key usually comes from, for the error message. */
function sourceOf(net: LpipsNet, key: string): string {
  return key.startsWith('features.')
    ? `torchvision's ${net === 'alex' ? 'alexnet-owt-7be5be79.pth' : 'vgg16-397923af.pth'} (trunk)`
    : `lpips' weights/v0.1/${net}.pth (lin layers)`;
}

/**
 * Checks `weights` for `net` and returns each needed tensor by its canonical key ({@link lpipsWeightShapes}). Throws
 * naming the first missing key (with a hint when it is there under a prefix), the first wrong shape, the first
 * non-float tensor, non-finite value or negative lin weight, and the first key it does not know.
 */
export function resolveLpipsWeights(net: LpipsNet, weights: LpipsWeights): Record<string, WeightTensor> {
  checkLpipsNet(FN, net);
  if (weights === null || typeof weights !== 'object') throw new Error(`${FN}: weights must be an object of tensors by key, got ${String(weights)}`);
  const expected = lpipsWeightShapes(net);
  const keys = Object.keys(weights);
  const used = new Set<string>();
  const found: Record<string, WeightTensor> = {};
  const missing: [string, number[]][] = [];
  for (const [key, shape] of expected) {
    const alias = aliases(key);
    const name = key in weights ? key : keys.find((k) => alias.test(k));
    if (name === undefined) {
      missing.push([key, shape]);
      continue;
    }
    used.add(name);
    found[key] = weights[name];
  }
  if (missing.length) {
    const [key, shape] = missing[0];
    const prefixed = keys.find((k) => k.endsWith(`.${key}`));
    const hint = prefixed ? `; the weights have "${prefixed}": strip its prefix "${prefixed.slice(0, -key.length)}"` : '';
    throw new Error(
      `${FN}: the '${net}' weights have no "${key}" (expected shape [${shape}], from ${sourceOf(net, key)}); ` +
        `${missing.length} of ${expected.length} expected keys are missing${hint}`,
    );
  }
  for (const [key, shape] of expected) {
    const value = found[key];
    if (!value?.shape || value.shape.join() !== shape.join()) throw new Error(`${FN}: "${key}" has shape ${describe(value)}, expected [${shape}] for '${net}'`);
    const float = value instanceof tf.Tensor ? value.dtype === 'float32' : value.data instanceof Float32Array;
    if (!float) throw new Error(`${FN}: "${key}" must hold floats, got ${value instanceof tf.Tensor ? value.dtype : value.data?.constructor?.name}`);
    // A damaged file must fail here rather than give NaN distances later.
    const data = valuesOf(value);
    const lin = key.startsWith('lin');
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new Error(`${FN}: "${key}" holds ${data[i]} at index ${i}; the weights are corrupt`);
      // lpips' trainer clamps the lin weights at 0 (distances stay >= 0); a negative one means other weights.
      if (lin && data[i] < 0) throw new Error(`${FN}: "${key}" holds the negative weight ${data[i]} at index ${i}; LPIPS lin weights are >= 0`);
    }
  }
  for (const key of keys) {
    if (used.has(key) || key.startsWith('classifier.')) continue;
    // lpips.LPIPS lists each lin layer twice (lin<l> and lins.<l>); the canonical one was used.
    if (/^lins\.\d\.model\.1\.weight$/.test(key)) continue;
    if (key === 'scaling_layer.shift' || key === 'scaling_layer.scale') {
      const want = key.endsWith('shift') ? LPIPS_SHIFT : LPIPS_SCALE;
      const got = Array.from(valuesOf(weights[key]));
      if (got.length !== 3 || got.some((v, i) => Math.abs(v - want[i]) > 1e-6)) {
        throw new Error(`${FN}: "${key}" is [${got}], expected LPIPS v0.1's [${want}]`);
      }
      continue;
    }
    throw new Error(`${FN}: unexpected key "${key}" in the '${net}' weights (expected torchvision's features.* and lpips' lin<l>.model.1.weight)`);
  }
  return found;
}

/** Throws, naming what is missing or mis-shaped, when `weights` cannot build the `net` metric. */
export function checkLpipsWeights(net: LpipsNet, weights: LpipsWeights): void {
  resolveLpipsWeights(net, weights);
}
