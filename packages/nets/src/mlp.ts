import * as tf from '@tensorflow/tfjs-core';
import { Rng, type StateDict } from '@not/ot-core';
import { type Activation, activate } from './activation';
import { type WeightInit, initLinear } from './init';
import { loadNamed } from './state';

/** Options of {@link Mlp}. */
export interface MlpOptions {
  /** Input width: features per row. */
  inputs: number;
  /** Output width. */
  outputs: number;
  /** Hidden widths. Default [128, 128, 128] (the NOT seminars). */
  hidden?: number[];
  /** Nonlinearity after every Linear layer but the last. Default 'relu'. */
  activation?: Activation;
  /** Weight initialisation. Default 'pytorch-default'. */
  init?: WeightInit;
  /** Seed of the initial weights: the same seed gives the same network. Default 0. */
  seed?: number;
}

/**
 * A fully connected network (Linear → activation → … → Linear). Parameters are named like a PyTorch
 * nn.Sequential (`net.0.weight` [out, in], `net.0.bias`, `net.2.weight`, …) so state dicts exchange with PyTorch.
 */
export class Mlp {
  /** Input width: `apply` takes [B, inputs]. */
  readonly inputs: number;
  /** Output width: `apply` returns [B, outputs]. */
  readonly outputs: number;
  private readonly layers: { weight: tf.Variable; bias: tf.Variable }[];
  private readonly activation: Activation;
  /** Parameters by PyTorch name; wrappers merge them with their own. */
  readonly params: Readonly<Record<string, tf.Variable>>;

  constructor({ inputs, outputs, hidden = [128, 128, 128], activation = 'relu', init = 'pytorch-default', seed = 0 }: MlpOptions) {
    const widths = [inputs, ...hidden, outputs];
    if (!widths.every((w) => Number.isInteger(w) && w >= 1)) throw new Error(`Mlp: widths must be positive integers, got [${widths}]`);
    const rng = new Rng(seed);
    this.inputs = inputs;
    this.outputs = outputs;
    this.activation = activation;
    tf.tidy(() => void activate(tf.scalar(0), activation)); // fails early on an unknown activation
    this.layers = widths.slice(1).map((out, i) => initLinear(widths[i], out, rng, init));
    // nn.Sequential indices count the activations too: Linear layers sit at 0, 2, 4, …
    this.params = Object.fromEntries(
      this.layers.flatMap((layer, i) => [
        [`net.${2 * i}.weight`, layer.weight],
        [`net.${2 * i}.bias`, layer.bias],
      ]),
    );
  }

  /** The trainable parameters: every weight and bias, layer by layer. */
  get variables(): tf.Variable[] {
    return Object.values(this.params);
  }

  /** [B, inputs] → [B, outputs]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputs) throw new Error(`Mlp.apply: expected input [B, ${this.inputs}], got [${x.shape}]`);
    return tf.tidy(() => {
      let h = x as tf.Tensor2D;
      this.layers.forEach(({ weight, bias }, i) => {
        h = tf.add(tf.matMul(h, weight, false, true), bias);
        if (i < this.layers.length - 1) h = activate(h, this.activation) as tf.Tensor2D;
      });
      return h;
    });
  }

  /** Parameters by PyTorch name (a new record holding the variables themselves, not copies). */
  stateDict(): StateDict {
    return { ...this.params };
  }

  /** Assigns parameters by PyTorch name; every name must be there with its shape, and extra names are an error. */
  loadStateDict(state: StateDict): void {
    loadNamed('Mlp', this.params, state);
  }

  /** Frees the parameters; the network cannot be used afterwards. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
