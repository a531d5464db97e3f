import * as tf from '@tensorflow/tfjs-core';
import type { PotentialOptions, Potential, StateDict } from '@not/ot-core';
import type { Activation } from './activation';
import { type WeightInit, variableFrom } from './init';
import { Mlp } from './mlp';
import { sigmaEmbedding } from './sigma-embedding';
import { loadNamed } from './state';

/** Options of {@link MlpPotential}. */
export interface MlpPotentialOptions {
  /** Dimension D of the points. */
  dim: number;
  /** Hidden widths. Default [128, 128, 128] (the NOT seminars). */
  hidden?: number[];
  /** Hidden-layer nonlinearity. Default 'relu'; a smooth one (silu, softplus) gives smoother gradients. */
  activation?: Activation;
  /** Weight initialisation of the network. Default 'pytorch-default'. */
  init?: WeightInit;
  /**
   * Adds a learned quadratic form yᵀMy (M starts at 0) to the network's output. Under the quadratic cost the
   * optimal potential between Gaussians is quadratic, and near-quadratic in general, so this term carries the
   * bulk of f and the network the rest (the W2 benchmark's ICNNs have quadratic layers for the same reason).
   */
  quadratic?: boolean;
  /** Condition on a noise level σ (the noised-potential solver): sinusoidal features of ln σ join the input. */
  noiseConditioned?: boolean;
  /** Size of the σ features. Default 16. */
  sigmaFeatures?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** An MLP potential f: [B, D] → [B]. */
export class MlpPotential implements Potential {
  /** Dimension D of the points. */
  readonly dim: number;
  readonly noiseConditioned: boolean;
  private readonly sigmaFeatures: number;
  private readonly net: Mlp;
  private readonly extra: Record<string, tf.Variable> = {};

  constructor({ dim, hidden, activation, init, quadratic = false, noiseConditioned = false, sigmaFeatures = 16, seed = 0 }: MlpPotentialOptions) {
    this.dim = dim;
    this.noiseConditioned = noiseConditioned;
    this.sigmaFeatures = noiseConditioned ? sigmaFeatures : 0;
    this.net = new Mlp({ inputs: dim + this.sigmaFeatures, outputs: 1, hidden, activation, init, seed });
    if (quadratic) this.extra['quadratic.weight'] = variableFrom(() => tf.zeros([dim, dim]));
  }

  /** Every parameter by name: the network's and this module's own. */
  private get params(): Record<string, tf.Variable> {
    return { ...this.net.params, ...this.extra };
  }

  get variables(): tf.Variable[] {
    return Object.values(this.params);
  }

  /** [B, D] → [B]. A noise-conditioned potential needs `options.sigma`, one σ > 0 per point ([B]). */
  apply(y: tf.Tensor, options: PotentialOptions = {}): tf.Tensor {
    if (y.rank !== 2 || y.shape[1] !== this.dim) throw new Error(`MlpPotential.apply: expected y [B, ${this.dim}], got [${y.shape}]`);
    const { sigma } = options;
    if (this.noiseConditioned && (!sigma || sigma.size !== y.shape[0])) {
      throw new Error(`MlpPotential.apply: this potential is noise-conditioned and needs sigma of shape [${y.shape[0]}], got ${sigma ? `[${sigma.shape}]` : 'none'}`);
    }
    return tf.tidy(() => {
      const input = this.noiseConditioned ? tf.concat([y, sigmaEmbedding(sigma as tf.Tensor, this.sigmaFeatures)], 1) : y;
      let out = tf.reshape(this.net.apply(input), [-1]);
      const m = this.extra['quadratic.weight'];
      if (m) out = tf.add(out, tf.sum(tf.mul(tf.matMul(y as tf.Tensor2D, m as tf.Tensor2D), y), 1));
      return out;
    });
  }

  stateDict(): StateDict {
    return this.params;
  }

  loadStateDict(state: StateDict): void {
    loadNamed('MlpPotential', this.params, state);
  }

  /** Frees the network's parameters and the quadratic form's. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
