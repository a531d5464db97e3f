import * as tf from '@tensorflow/tfjs-core';

/**
 * A block of layers run under activation checkpointing: inside a gradient, only the block's input and output are kept,
 * not its intermediate activations; the backward pass runs the block again from the input to rebuild them. Values
 * and gradients are those of the plain block; memory drops to what one block needs at a time, for one more forward
 * pass per block. `run(x, replay)` must be deterministic in x, and with `replay` true change no state (batch-norm
 * running statistics were updated by the first pass). `params` are the variables the block reads: the gradient reaches
 * them only through this list, and only those trainable when the block runs (a frozen network's replay computes no
 * parameter gradients).
 */
export function checkpointed(
  run: (x: tf.Tensor, replay: boolean) => tf.Tensor4D,
  params: readonly tf.Variable[],
  x: tf.Tensor,
): tf.Tensor4D {
  const trainable = params.filter((v) => v.trainable);
  const block = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor;
    save([input]);
    return {
      value: run(input, false),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) =>
        // The block reads its variables itself; passing the same tensors as inputs makes them the gradient's targets.
        asNestedGradient(() => tf.grads((...inputs: tf.Tensor[]) => run(inputs[0], true))([saved, ...trainable], dy)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return block(x, ...trainable) as tf.Tensor4D;
}

/**
 * Runs a gradient computation inside another one's backward pass. tfjs's engine keeps one tape: a gradient started
 * there records on a fresh tape and, when done, frees that tape and clears the engine's slot, losing the outer
 * gradient's tape (whose saved tensors it must free at its own end). The outer tape is put back afterwards.
 */
function asNestedGradient<T>(f: () => T): T {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outer = state.activeTape;
  try {
    return f();
  } finally {
    state.activeTape = outer;
  }
}
