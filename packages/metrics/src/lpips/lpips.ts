import * as tf from '@tensorflow/tfjs-core';
import { LPIPS_CHANNELS, LPIPS_SCALE, LPIPS_SHIFT, checkLpipsNet, linKey, lpipsMinSize, lpipsTrunk, type LpipsNet } from './lpips-architecture';
import { ConvTrunk } from '../layers/conv-trunk';
import { weightTensor } from '../weights/read-weight-file';
import { resolveLpipsWeights, type LpipsWeights } from './lpips-weights';
import { normalizeChannels } from './normalize-channels';
import { checkPositiveInt } from '@not/ot-core';

/** Options of {@link Lpips.fromWeights} and the LPIPS loaders. */
export interface LpipsOptions {
  /** Image pairs per forward pass (each pass runs 2 × batchSize images), to bound memory. Default 4. */
  batchSize?: number;
}

const FN = 'Lpips';

/**
 * LPIPS v0.1 (Zhang et al. 2018, the `lpips` package's `LPIPS(net=..., version='0.1')` in eval mode) with the
 * AlexNet or VGG16 trunk: both images are scaled (x − shift) / scale, run through the trunk, and at each of the five
 * taps the channel-normalized features are subtracted, squared, weighted per channel by the learned lin layer (a 1×1
 * convolution without bias; its dropout is off in eval) and averaged over the pixels; the five terms are summed.
 * Build it with {@link Lpips.fromWeights} or the loaders in lpips-files.ts.
 */
export class Lpips {
  /** The trunk: 'alex' (AlexNet) or 'vgg' (VGG16). */
  readonly net: LpipsNet;
  /** Image pairs per forward pass (default 4). */
  readonly batchSize: number;
  /** The smallest image height and width the trunk accepts (alex 31, vgg 16). */
  readonly minSize: number;
  private readonly trunk: ConvTrunk;
  /** Per layer, the lin weights as [C, 1] (spatial mean and 1×1 conv commute, so the mean comes first). */
  private readonly lins: tf.Tensor2D[];
  private readonly shift: tf.Tensor1D;
  private readonly scale: tf.Tensor1D;
  private disposed = false;

  private constructor(net: LpipsNet, weights: ReturnType<typeof resolveLpipsWeights>, batchSize: number) {
    this.net = net;
    this.batchSize = batchSize;
    this.minSize = lpipsMinSize(net);
    const read = (key: string): tf.Tensor => weightTensor(weights[key]);
    this.trunk = new ConvTrunk(lpipsTrunk(net), read);
    this.lins = LPIPS_CHANNELS[net].map((c, l) => tf.tidy(() => tf.reshape(read(linKey(l)), [c, 1]) as tf.Tensor2D));
    this.shift = tf.tensor1d(LPIPS_SHIFT as number[], 'float32');
    this.scale = tf.tensor1d(LPIPS_SCALE as number[], 'float32');
  }

  /**
   * The metric for `net` from its weights (see {@link LpipsWeights}; checked first, naming the first missing or
   * mis-shaped key). The weights are copied; the caller keeps and disposes its own.
   */
  static fromWeights(net: LpipsNet, weights: LpipsWeights, { batchSize = 4 }: LpipsOptions = {}): Lpips {
    checkLpipsNet(FN, net);
    checkPositiveInt(FN, 'batchSize', batchSize);
    return new Lpips(net, resolveLpipsWeights(net, weights), batchSize);
  }

  /**
   * The LPIPS distance of each pair, [n]: x and y are [n, H, W, C] in [-1, 1] with the same shape, C = 3 (RGB) or
   * 1 (gray, used as R = G = B, which is what lpips' broadcasting does), H and W >= {@link Lpips.minSize}.
   */
  async distance(x: tf.Tensor4D, y: tf.Tensor4D): Promise<tf.Tensor1D> {
    const layers = await this.compute('distance', x, y);
    try {
      // Summed in layer order, as lpips' `val += res[l]`.
      return tf.tidy(() => tf.unstack(layers, 1).reduce((a, b) => tf.add(a, b)) as tf.Tensor1D);
    } finally {
      layers.dispose();
    }
  }

  /** The five per-layer terms of each pair's distance (lpips' retPerLayer), [n, 5]; their sum is {@link distance}. */
  layerDistances(x: tf.Tensor4D, y: tf.Tensor4D): Promise<tf.Tensor2D> {
    return this.compute('layerDistances', x, y);
  }

  private async compute(method: string, x: tf.Tensor4D, y: tf.Tensor4D): Promise<tf.Tensor2D> {
    await this.checkPair(method, x, y);
    const n = x.shape[0];
    if (n === 0) return tf.zeros([0, 5]);
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < n; start += this.batchSize) {
        const size = Math.min(this.batchSize, n - start);
        parts.push(this.chunk(x, y, start, size));
      }
      return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    } finally {
      if (parts.length > 1) tf.dispose(parts);
    }
  }

  /** Pairs [start, start + size) → [size, 5]. */
  private chunk(x: tf.Tensor4D, y: tf.Tensor4D, start: number, size: number): tf.Tensor2D {
    const both = tf.tidy(() => {
      const whole = size === x.shape[0];
      const xs = whole ? x : tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
      const ys = whole ? y : tf.slice(y, [start, 0, 0, 0], [size, -1, -1, -1]);
      let images = tf.concat([xs, ys], 0);
      if (images.shape[3] === 1) images = tf.tile(images, [1, 1, 1, 3]);
      return tf.div(tf.sub(images, this.shift), this.scale) as tf.Tensor4D;
    });
    try {
      const columns = this.trunk.forEachFeature(both, (feature, l) =>
        tf.tidy(() => {
          const [f0, f1] = tf.split(normalizeChannels(feature), 2, 0);
          const meanSquare = tf.mean(tf.squaredDifference(f0, f1), [1, 2]) as tf.Tensor2D; // [size, C]
          return tf.matMul(meanSquare, this.lins[l]); // [size, 1]
        }),
      );
      try {
        return tf.concat(columns, 1) as tf.Tensor2D;
      } finally {
        tf.dispose(columns);
      }
    } finally {
      both.dispose();
    }
  }

  /** Frees the weights; later calls throw. Calling it again does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.trunk.dispose();
    tf.dispose([...this.lins, this.shift, this.scale]);
  }

  private async checkPair(method: string, x: tf.Tensor4D, y: tf.Tensor4D): Promise<void> {
    const fn = `${FN}.${method}`;
    if (this.disposed) throw new Error(`${fn}: the metric is disposed`);
    for (const [name, t] of [['x', x], ['y', y]] as const) {
      if (!(t instanceof tf.Tensor) || t.rank !== 4) throw new Error(`${fn}: ${name} must be a tensor of shape [n, H, W, 1 | 3], got ${t instanceof tf.Tensor ? `[${t.shape}]` : String(t)}`);
      if (t.dtype !== 'float32') throw new Error(`${fn}: ${name} must be float32 images in [-1, 1], got dtype ${t.dtype}`);
    }
    if (x.shape.join() !== y.shape.join()) throw new Error(`${fn}: x and y must have the same shape, got [${x.shape}] and [${y.shape}]`);
    const [, h, w, c] = x.shape;
    if (c !== 1 && c !== 3) throw new Error(`${fn}: images must have 1 (gray) or 3 (RGB) channels, got ${c} (shape [${x.shape}])`);
    if (h < this.minSize || w < this.minSize) {
      throw new Error(`${fn}: images must be at least ${this.minSize}×${this.minSize} for '${this.net}', got ${h}×${w}`);
    }
    if (x.size === 0) return;
    // One small asynchronous read-back: a NaN or ±Inf anywhere makes the sum of |values| non-finite.
    const sums = tf.tidy(() => tf.stack([tf.sum(tf.abs(x)), tf.sum(tf.abs(y))]));
    const [sx, sy] = await sums.data();
    sums.dispose();
    if (!Number.isFinite(sx)) throw new Error(`${fn}: x holds NaN or infinite values`);
    if (!Number.isFinite(sy)) throw new Error(`${fn}: y holds NaN or infinite values`);
  }
}
