import { FONT_HEIGHT, drawText, textWidth } from './bitmap-font';
import { PngCanvas, type Rgb } from './png-canvas';

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Images per row. Default ⌈√n⌉. */
  columns?: number;
  /** Pixels between images and around the grid. Default 2. */
  padding?: number;
  /** Integer upscaling factor (nearest neighbour), for small images. Default 1. */
  scale?: number;
  /** Colour of the padding. Default white. */
  background?: Rgb;
  /** One line of text under each image (in a strip the grid makes room for). */
  captions?: readonly string[];
}

/** Shown for NaN values, so a diverged network is visible in the grid rather than painted black. */
export const NAN_COLOR: Rgb = [255, 0, 255];

/**
 * Lays `n` images out in a grid and encodes it as a PNG. `images` is NHWC float32 with values in [-1, 1] (values
 * outside are clipped); c = 1 (grayscale, drawn as gray RGB) or c = 3. Image k sits in row ⌊k / columns⌋, column
 * k mod columns, its top-left pixel at (padding + col·(w·scale + padding), padding + row·(h·scale + padding)).
 *
 * @example
 * const png = imageGrid(await batch.data() as Float32Array, 16, 32, 32, 1, { columns: 8, scale: 2 });
 */
export function imageGrid(images: ArrayLike<number>, n: number, h: number, w: number, c: number, options: ImageGridOptions = {}): Buffer {
  return imageGridCanvas(images, n, h, w, c, options).toPng();
}

/** {@link imageGrid} without the encoding: the canvas, for further drawing (labels, borders). */
export function imageGridCanvas(images: ArrayLike<number>, n: number, h: number, w: number, c: number, options: ImageGridOptions = {}): PngCanvas {
  const fn = 'imageGrid';
  for (const [name, v] of [['n', n], ['h', h], ['w', w]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  if (c !== 1 && c !== 3) throw new Error(`${fn}: c must be 1 or 3 channels, got ${c}`);
  if (images.length !== n * h * w * c) {
    throw new Error(`${fn}: images must hold n·h·w·c = ${n * h * w * c} values, got ${images.length}`);
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 1;
  if (!(Number.isInteger(columns) && columns >= 1)) throw new Error(`${fn}: columns must be a positive integer, got ${columns}`);
  if (!(Number.isInteger(padding) && padding >= 0)) throw new Error(`${fn}: padding must be a non-negative integer, got ${padding}`);
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`${fn}: scale must be a positive integer, got ${scale}`);

  const cols = Math.min(columns, n);
  const rows = Math.ceil(n / cols);
  const cw = w * scale;
  const ch = h * scale;
  const captions = options.captions;
  if (captions && captions.length !== n) throw new Error(`${fn}: captions must hold one line per image (${n}), got ${captions.length}`);
  const strip = captions ? FONT_HEIGHT + 6 : 0;
  const canvas = new PngCanvas(cols * cw + (cols + 1) * padding, rows * (ch + strip) + (rows + 1) * padding, options.background ?? [255, 255, 255]);
  const out = canvas.data;
  const stride = canvas.width * 4;

  for (let k = 0; k < n; k++) {
    const x0 = padding + (k % cols) * (cw + padding);
    const y0 = padding + Math.floor(k / cols) * (ch + strip + padding);
    if (captions) {
      canvas.setClip(x0, y0 + ch, x0 + cw, y0 + ch + strip);
      drawText(canvas, captions[k], x0 + Math.max(0, (cw - textWidth(captions[k])) / 2), y0 + ch + 3, [0, 0, 0]);
      canvas.resetClip();
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((k * h + y) * w + x) * c;
        const r = images[src];
        const g = c === 3 ? images[src + 1] : r;
        const b = c === 3 ? images[src + 2] : r;
        const nan = Number.isNaN(r) || Number.isNaN(g) || Number.isNaN(b);
        const rgb = nan ? NAN_COLOR : [toByte(r), toByte(g), toByte(b)];
        // Nearest-neighbour upscaling: write the scale × scale block directly (opaque, no blending needed).
        for (let dy = 0; dy < scale; dy++) {
          let o = (y0 + y * scale + dy) * stride + (x0 + x * scale) * 4;
          for (let dx = 0; dx < scale; dx++, o += 4) {
            out[o] = rgb[0];
            out[o + 1] = rgb[1];
            out[o + 2] = rgb[2];
          }
        }
      }
    }
  }
  return canvas;
}

/** [-1, 1] → 0..255, clipping outside values. */
function toByte(v: number): number {
  const clipped = v < -1 ? -1 : v > 1 ? 1 : v;
  return Math.round(((clipped + 1) / 2) * 255);
}
