/**
 * How the reference resizes a source's images: 'bilinear' is PyTorch's F.interpolate(mode='bilinear',
 * align_corners=False, no antialiasing), used for iGAN HDF5 files; 'pil-bilinear' is torchvision's Resize on PIL images
 * (PIL's antialiased bilinear filter, output rounded to uint8), used for image folders and CelebA.
 */
export type ResizeMode = 'bilinear' | 'pil-bilinear';

/**
 * A finite, indexed collection of images as stored on disk (or embedded), before any resizing or scaling.
 * Opening one may be async (reading headers, loading a WebAssembly module); reads are synchronous so that
 * samplers can serve `Sampler.sample(n)` directly.
 */
export interface ImageSource {
  /** What the source is, for messages and reports, e.g. `fashion-mnist:bag` or `igan:/data/shoes_64.hdf5`. */
  readonly name: string;
  /** Number of images. */
  readonly count: number;
  /** Stored height, width and channels (1 for grayscale, 3 for RGB) of every image. */
  readonly height: number;
  /** Stored width in pixels of every image. */
  readonly width: number;
  /** Stored channels of every image: 1 (grayscale) or 3 (RGB). */
  readonly channels: number;
  /** The resize the reference applies to this source. */
  readonly resize: ResizeMode;
  /**
   * The images at `indices` (in that order) as stored: uint8, NHWC, `indices.length · height · width · channels`
   * values. Throws naming the source and index on an out-of-range index or an unreadable image.
   */
  read(indices: readonly number[]): Uint8Array;
  /** Releases files and memory. Reading after close is an error. */
  close(): void;
}
