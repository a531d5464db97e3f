import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@not/ot-core';

/** One trainable tensor of a layer: its name within the layer (`weight`), shape and number of values. */
export interface ParameterEntry {
  /** Name within the layer: the part after the last dot (`weight`, `bias`). */
  name: string;
  /** Dimensions of the tensor. */
  shape: number[];
  /** Number of values (the product of the shape). */
  count: number;
}

/** The trainable tensors under one module prefix (`inc.double_conv.0`; '' for top-level names). */
export interface LayerSummary {
  /** The module prefix, the name up to the last dot ('' for top-level names). */
  name: string;
  /** The layer's trainable tensors, in state-dict order. */
  parameters: ParameterEntry[];
  /** Trainable values in the layer: the sum of its parameters' counts. */
  count: number;
}

/** A module's parameter counts per layer and in all, as {@link parameterSummary} gives them. */
export interface ParameterSummary {
  /** Layers in state-dict order; only those with trainable tensors. */
  layers: LayerSummary[];
  /** Trainable values in all. */
  total: number;
  /** Values in the state dict that are not trainable variables (e.g. batch-norm running statistics). */
  buffers: number;
}

/**
 * Counts a module's parameters per layer. An entry of `module.stateDict()` is trainable when it is one of
 * `module.variables` (by identity); the rest are buffers, counted apart. A layer is the name up to its last dot,
 * as in PyTorch (`inc.double_conv.0.weight` → layer `inc.double_conv.0`, parameter `weight`). A frozen module (no
 * variables) has total 0 and everything in buffers.
 */
export function parameterSummary(module: Module): ParameterSummary {
  if (!module || typeof module.stateDict !== 'function' || !Array.isArray(module.variables)) {
    throw new Error(`parameterSummary: module must have variables and stateDict(), got ${module === null ? 'null' : typeof module}`);
  }
  const trainable = new Set<tf.Tensor>(module.variables);
  const layers = new Map<string, LayerSummary>();
  let total = 0;
  let buffers = 0;
  const seen = new Set<tf.Tensor>();
  for (const [key, tensor] of Object.entries(module.stateDict())) {
    if (seen.has(tensor)) continue; // a tensor under two names (tied weights) counts once, as PyTorch's parameters() does
    seen.add(tensor);
    const count = tensor.size;
    if (!trainable.has(tensor)) {
      buffers += count;
      continue;
    }
    const dot = key.lastIndexOf('.');
    const layerName = dot < 0 ? '' : key.slice(0, dot);
    let layer = layers.get(layerName);
    if (!layer) layers.set(layerName, (layer = { name: layerName, parameters: [], count: 0 }));
    layer.parameters.push({ name: key.slice(dot + 1), shape: [...tensor.shape], count });
    layer.count += count;
    total += count;
  }
  return { layers: [...layers.values()], total, buffers };
}
