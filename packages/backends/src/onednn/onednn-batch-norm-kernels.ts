import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { OneDnnAddon } from './onednn-addon';
import { heapOf, offsetsOf, type WasmBackendInternals } from './wasm-heap';

// The contract with @not/nets' batch norm, spelled out here because @not/backends imports no package of ours;
// onednn-batch-norm.test.ts checks that both sides agree.

/** Training-mode batch norm: inputs x (NHWC), weight and bias ([C]); attrs eps, relu; outputs y, mean, variance. */
export const BATCH_NORM_TRAINING = 'NotBatchNormTraining';
/** Its gradient: inputs dy, x, y, mean, variance, weight; attrs eps, relu; outputs dx, dWeight, dBias. */
export const BATCH_NORM_TRAINING_GRAD = 'NotBatchNormTrainingGrad';

interface BatchNormAttrs {
  eps: number;
  relu: boolean;
}

/** The [rows, channels] a batch norm of x works over, after checking every input's dtype and shape. */
function geometry(kernel: string, x: TensorInfo, perImage: Record<string, TensorInfo>, perChannel: Record<string, TensorInfo>): Int32Array {
  const channels = x.shape.at(-1) ?? 0;
  const rows = util.sizeFromShape(x.shape) / Math.max(channels, 1);
  const expect = (name: string, t: TensorInfo, shape: number[]) => {
    if (t.dtype !== 'float32' || !util.arraysEqual(t.shape, shape)) {
      throw new Error(`${kernel} (oneDNN): ${name} must be float32 of shape [${shape}], got ${t.dtype} [${t.shape}]`);
    }
  };
  if (x.shape.length !== 4 || channels < 1 || rows < 1) {
    throw new Error(`${kernel} (oneDNN): x must be NHWC with at least one value per channel, got [${x.shape}]`);
  }
  expect('x', x, x.shape);
  for (const [name, t] of Object.entries(perImage)) expect(name, t, x.shape);
  for (const [name, t] of Object.entries(perChannel)) expect(name, t, [channels]);
  return Int32Array.of(rows, channels);
}

function forward(addon: OneDnnAddon): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', TensorInfo>;
    const { eps, relu } = attrs as unknown as BatchNormAttrs;
    const dims = geometry(BATCH_NORM_TRAINING, x, {}, { weight, bias });
    const b = backend as unknown as WasmBackendInternals;
    const [y, mean, variance] = [x.shape, [dims[1]], [dims[1]]].map((shape) => b.makeOutput(shape, 'float32'));
    const offsets = offsetsOf(b, BATCH_NORM_TRAINING, [['x', x], ['weight', weight], ['bias', bias], ['y', y], ['mean', mean], ['variance', variance]]);
    addon.batchNormForward(heapOf(b), dims, offsets, eps, relu);
    return [y, mean, variance];
  };
}

function backward(addon: OneDnnAddon): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, y, mean, variance, weight } = inputs as Record<'dy' | 'x' | 'y' | 'mean' | 'variance' | 'weight', TensorInfo>;
    const { eps, relu } = attrs as unknown as BatchNormAttrs;
    const dims = geometry(BATCH_NORM_TRAINING_GRAD, x, { dy, y }, { mean, variance, weight });
    const b = backend as unknown as WasmBackendInternals;
    const [dx, dWeight, dBias] = [x.shape, [dims[1]], [dims[1]]].map((shape) => b.makeOutput(shape, 'float32'));
    const offsets = offsetsOf(b, BATCH_NORM_TRAINING_GRAD, [
      ['dy', dy], ['x', x], ['y', y], ['mean', mean], ['variance', variance], ['weight', weight], ['dx', dx], ['dWeight', dWeight], ['dBias', dBias],
    ]);
    addon.batchNormBackward(heapOf(b), dims, offsets, eps, relu);
    return [dx, dWeight, dBias];
  };
}

/** The two batch norm kernels, new to the wasm backend (there is nothing of tfjs' to fall back to). */
export function oneDnnBatchNormKernels(addon: OneDnnAddon): KernelConfig[] {
  return [
    { kernelName: BATCH_NORM_TRAINING, backendName: 'wasm', kernelFunc: forward(addon) },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName: 'wasm', kernelFunc: backward(addon) },
  ];
}
