import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './types';

/** A module's buffers: the variables of its state that do not train, such as batch-norm running statistics. */
export function moduleBuffers(module: Module): Record<string, tf.Variable> {
  const entries = Object.entries(module.stateDict());
  return Object.fromEntries(entries.filter((e): e is [string, tf.Variable] => e[1] instanceof tf.Variable && !e[1].trainable));
}

/**
 * Runs `f`, then puts the module's buffers back as they were: for a training-mode forward pass that must not count
 * towards the running statistics (a measurement, or a pass repeated under a gradient).
 */
export function restoringBuffers<T>(module: Module, f: () => T): T {
  const buffers = Object.values(moduleBuffers(module));
  const kept = buffers.map((v) => tf.clone(v));
  try {
    return f();
  } finally {
    buffers.forEach((v, i) => v.assign(kept[i]));
    tf.dispose(kept);
  }
}
