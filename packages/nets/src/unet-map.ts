import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkPositiveInt, type ApplyOptions, type StateDict, type TransportMap } from '@not/ot-core';
import { loadNamed } from './state';
import { UNet } from './unet';

/** Options of {@link UNetMap}. */
export interface UNetMapOptions {
  /** Side of the square images: a multiple of 16 (the reference: 64 or 128). */
  size: number;
  /** Image channels (input and output). Default 3. */
  channels?: number;
  /** Noise channels of a stochastic map T(x, z); 0 (default) is deterministic. The reference's weak map uses 1. */
  noiseChannels?: number;
  /** UNet width. Default 48 (the reference's T). */
  base?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Activation checkpointing in training mode (UNet.recomputeActivations): less memory, one more forward pass. */
  recomputeActivations?: boolean;
}

/**
 * The reference image transport map: a UNet on [x, z] (noise channels appended after the image channels, as the
 * reference's torch.cat([X, Z], dim=1)) mapping [B, size, size, channels] to the same shape.
 * `apply(x, z, { training: true })` uses batch statistics in the batch norms and updates their running statistics
 * (the T step); otherwise (the default, and what `freeze` asks for) it uses the running statistics.
 */
export class UNetMap implements TransportMap {
  /** Side of the square images, a multiple of 16. */
  readonly size: number;
  /** Image channels, of x and of T(x, z) alike. */
  readonly channels: number;
  /** Channels of the noise z appended to x; 0 for a deterministic map. */
  readonly noiseChannels: number;
  /** The network: channels + noiseChannels in, channels out. Holds all the parameters. */
  readonly unet: UNet;

  constructor({ size, channels = 3, noiseChannels = 0, base = 48, seed = 0, recomputeActivations = false }: UNetMapOptions) {
    if (!(Number.isInteger(size) && size >= 16 && size % 16 === 0)) throw new Error(`UNetMap: size must be a multiple of 16, got ${size}`);
    checkPositiveInt('UNetMap', 'channels', channels);
    checkInteger('UNetMap', 'noiseChannels', noiseChannels, { min: 0 });
    this.size = size;
    this.channels = channels;
    this.noiseChannels = noiseChannels;
    this.unet = new UNet({ inChannels: channels + noiseChannels, outChannels: channels, base, seed, recomputeActivations });
  }

  get variables(): tf.Variable[] {
    return this.unet.variables;
  }

  /** The UNet's activation checkpointing in training mode (UNet.recomputeActivations). */
  get recomputeActivations(): boolean {
    return this.unet.recomputeActivations;
  }

  /** Turns the UNet's activation checkpointing on or off (it applies in training mode only). */
  set recomputeActivations(on: boolean) {
    this.unet.recomputeActivations = on;
  }

  noiseShape(n: number): number[] | null {
    return this.noiseChannels > 0 ? [n, this.size, this.size, this.noiseChannels] : null;
  }

  apply(x: tf.Tensor, z?: tf.Tensor, options: ApplyOptions = {}): tf.Tensor4D {
    const s = this.size;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== this.channels) {
      throw new Error(`UNetMap.apply: expected x of shape [B, ${s}, ${s}, ${this.channels}], got [${x.shape}]`);
    }
    if (this.noiseChannels === 0) return this.unet.apply(x, options);
    const want = [x.shape[0], s, s, this.noiseChannels];
    if (!z || z.shape.join() !== want.join()) {
      throw new Error(`UNetMap.apply: expected noise z of shape [${want}], got ${z ? `[${z.shape}]` : 'none'}`);
    }
    return tf.tidy(() => this.unet.apply(tf.concat([x, z], 3), options));
  }

  /** The UNet's parameters and batch-norm buffers by the reference's names. Not copies. */
  stateDict(): Record<string, tf.Variable> {
    return this.unet.stateDict();
  }

  loadStateDict(state: StateDict): void {
    loadNamed('UNetMap', this.unet.stateDict(), state);
  }

  /** Frees the UNet's parameters and batch-norm buffers. */
  dispose(): void {
    this.unet.dispose();
  }
}
