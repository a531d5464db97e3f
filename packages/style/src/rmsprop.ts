import * as tf from '@tensorflow/tfjs-core';

/**
 * RMSprop with PyTorch's semantics (square average s ← ρ·s + (1 − ρ)·g², step lr·g / (√s + eps), no momentum), the
 * optimizer STROTSS uses. Its first steps are large (about lr/√(1 − ρ)) and settle as the square average fills.
 */
export class RmsProp {
  private readonly squares: tf.Variable[];

  constructor(
    private readonly variables: tf.Variable[],
    private readonly lr: number,
    private readonly rho = 0.99,
    private readonly eps = 1e-8,
  ) {
    if (!(lr > 0)) throw new Error(`RmsProp: lr must be > 0, got ${lr}`);
    this.squares = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** Applies one update from gradients keyed by variable name (as tf.variableGrads returns them). */
  apply(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      this.variables.forEach((param, i) => {
        const g = grads[param.name];
        if (!g) return;
        const s = tf.add(tf.mul(this.squares[i], this.rho), tf.mul(tf.square(g), 1 - this.rho));
        this.squares[i].assign(s);
        param.assign(tf.sub(param, tf.mul(tf.div(g, tf.add(tf.sqrt(s), this.eps)), this.lr)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.squares);
  }
}
