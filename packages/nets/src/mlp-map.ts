import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, type ApplyOptions, type StateDict, type TransportMap } from '@not/ot-core';
import type { Activation } from './activation';
import { type WeightInit, variableFrom } from './init';
import { Mlp } from './mlp';
import { loadNamed } from './state';

/** Options of {@link MlpMap}. */
export interface MlpMapOptions {
  /** Dimension D of the points. */
  dim: number;
  /** Noise inputs of a stochastic map T(x, z), z ∈ R^noiseDim. Default 0 (deterministic). */
  noiseDim?: number;
  /** Hidden widths. Default [128, 128, 128] (the NOT seminars). */
  hidden?: number[];
  /** Hidden-layer nonlinearity. Default 'relu'. */
  activation?: Activation;
  /** Weight initialisation of the network (a 'linear' skip always starts at the identity). Default 'pytorch-default'. */
  init?: WeightInit;
  /**
   * A skip path added to the network's output: 'identity' (T(x) = x + g(x, z)), 'linear' (T(x) = Ax + b + g(x, z),
   * A starting at the identity), or 'none' (the reference's plain MLP). Skips make near-identity and affine maps
   * easy to represent, which helps in high dimensions.
   */
  skip?: 'none' | 'identity' | 'linear';
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** An MLP transport map on points [B, D]; with noiseDim > 0 it is stochastic and takes z [B, noiseDim]. */
export class MlpMap implements TransportMap {
  /** Dimension D of the points. */
  readonly dim: number;
  /** Width of the noise z; 0 for a deterministic map. */
  readonly noiseDim: number;
  /** The skip path added to the network's output; see {@link MlpMapOptions.skip}. */
  readonly skip: 'none' | 'identity' | 'linear';
  private readonly net: Mlp;
  private readonly skipParams: Record<string, tf.Variable> = {};

  constructor({ dim, noiseDim = 0, hidden, activation, init, skip = 'none', seed = 0 }: MlpMapOptions) {
    checkInteger('MlpMap', 'noiseDim', noiseDim, { min: 0 });
    if (!['none', 'identity', 'linear'].includes(skip)) throw new Error(`MlpMap: skip must be 'none', 'identity' or 'linear', got "${skip}"`);
    this.dim = dim;
    this.noiseDim = noiseDim;
    this.skip = skip;
    this.net = new Mlp({ inputs: dim + noiseDim, outputs: dim, hidden, activation, init, seed });
    if (skip === 'linear') {
      this.skipParams['skip.weight'] = variableFrom(() => tf.eye(dim));
      this.skipParams['skip.bias'] = variableFrom(() => tf.zeros([dim]));
    }
  }

  /** Every parameter by name: the network's and this module's own. */
  private get params(): Record<string, tf.Variable> {
    return { ...this.net.params, ...this.skipParams };
  }

  get variables(): tf.Variable[] {
    return Object.values(this.params);
  }

  noiseShape(n: number): number[] | null {
    return this.noiseDim > 0 ? [n, this.noiseDim] : null;
  }

  apply(x: tf.Tensor, z?: tf.Tensor, _options?: ApplyOptions): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.dim) throw new Error(`MlpMap.apply: expected x [B, ${this.dim}], got [${x.shape}]`);
    if (this.noiseDim > 0) {
      if (!z || z.rank !== 2 || z.shape[0] !== x.shape[0] || z.shape[1] !== this.noiseDim) {
        throw new Error(`MlpMap.apply: expected noise z [${x.shape[0]}, ${this.noiseDim}], got ${z ? `[${z.shape}]` : 'none'}`);
      }
    }
    return tf.tidy(() => {
      const out = this.net.apply(this.noiseDim > 0 ? tf.concat([x, z as tf.Tensor], 1) : x);
      if (this.skip === 'identity') return tf.add(out, x);
      if (this.skip === 'linear') {
        const affine = tf.add(tf.matMul(x as tf.Tensor2D, this.skipParams['skip.weight'] as tf.Tensor2D, false, true), this.skipParams['skip.bias']);
        return tf.add(out, affine);
      }
      return out;
    });
  }

  stateDict(): StateDict {
    return this.params;
  }

  loadStateDict(state: StateDict): void {
    loadNamed('MlpMap', this.params, state);
  }

  /** Frees the network's and the skip's parameters. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
