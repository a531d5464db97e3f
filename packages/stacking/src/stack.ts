import * as tf from '@tensorflow/tfjs-core';
import { type StateDict, type TransportMap, freeze, joinStateDicts, stateDictPart } from '@not/ot-core';

/**
 * An ordered list of frozen transport maps that is itself a TransportMap: apply(x) = T_n(…T_2(T_1(x))). Stacks nest.
 * Every stage is frozen (no trainable variables, inference mode), so an optimizer given a Stack updates nothing in it.
 * Stochastic stages take their own noise: the stack's noise z is [n, Σ noise sizes], split in stage order.
 */
export class Stack implements TransportMap {
  /** The stages in the order they are applied (stages[0] first): frozen views that share the given maps' weights. */
  readonly stages: readonly TransportMap[];

  constructor(stages: TransportMap[]) {
    if (stages.length === 0) throw new Error('Stack: needs at least one stage');
    this.stages = Object.freeze(stages.map((stage) => freeze(stage)));
  }

  /** A stack has nothing to train; its stages were trained before they were frozen. */
  get variables(): tf.Variable[] {
    return [];
  }

  noiseShape(n: number): number[] | null {
    const total = this.noiseSizes(n).reduce((a, b) => a + b, 0);
    return total > 0 ? [n, total / n] : null;
  }

  apply(x: tf.Tensor, z?: tf.Tensor): tf.Tensor {
    const n = x.shape[0];
    const sizes = this.noiseSizes(n);
    const shape = this.noiseShape(n);
    if (shape && (!z || z.shape.join() !== shape.join())) {
      throw new Error(`Stack.apply: expected noise z [${shape}] (the stages' noise, flattened and concatenated), got ${z ? `[${z.shape}]` : 'none'}`);
    }
    return tf.tidy(() => {
      let offset = 0;
      let y = x;
      this.stages.forEach((stage, i) => {
        const stageShape = stage.noiseShape(n);
        const width = sizes[i] / n;
        const stageNoise = stageShape ? tf.reshape(tf.slice(z as tf.Tensor, [0, offset], [n, width]), stageShape) : undefined;
        offset += width;
        y = stage.apply(y, stageNoise);
      });
      return y;
    });
  }

  /** Stage weights under `stages.<i>.` (their own names after the prefix). */
  stateDict(): StateDict {
    return joinStateDicts(this.stages.map((stage, i) => [`stages.${i}`, stage.stateDict()] as const));
  }

  loadStateDict(state: StateDict): void {
    const unknown = Object.keys(state).filter((k) => !/^stages\.\d+\./.test(k) || Number(k.split('.')[1]) >= this.stages.length);
    if (unknown.length) throw new Error(`Stack.loadStateDict: unexpected keys ${unknown.map((k) => `"${k}"`).join(', ')} (this stack has ${this.stages.length} stages)`);
    this.stages.forEach((stage, i) => stage.loadStateDict(stateDictPart(state, `stages.${i}`)));
  }

  /**
   * Frees the weights of the maps the stack was built from (a stack loaded from a file owns them). A stack over maps
   * still in use elsewhere is simply dropped, not disposed.
   */
  dispose(): void {
    for (const stage of this.stages) stage.dispose();
  }

  /** Noise elements per stage for n inputs (0 for a deterministic stage). */
  private noiseSizes(n: number): number[] {
    return this.stages.map((stage) => {
      const shape = stage.noiseShape(n);
      return shape ? shape.reduce((a, b) => a * b, 1) : 0;
    });
  }
}
