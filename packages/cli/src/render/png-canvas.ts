import { PNG } from 'pngjs';

/** An sRGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/**
 * An opaque RGBA raster with source-over alpha blending, anti-aliased dots and lines, and PNG output.
 * Coordinates are continuous: pixel (i, j) covers [i, i+1) × [j, j+1), so its centre is (i + 0.5, j + 0.5).
 * Drawing is limited to the clip rectangle (the whole canvas unless {@link PngCanvas.setClip} narrows it).
 */
export class PngCanvas {
  /** RGBA bytes, row-major, alpha always 255. */
  readonly data: Uint8Array;
  private clipX0 = 0;
  private clipY0 = 0;
  private clipX1: number;
  private clipY1: number;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    for (const [name, v] of [['width', width], ['height', height]] as const) {
      if (!(Number.isInteger(v) && v >= 1 && v <= 16384)) {
        throw new Error(`PngCanvas: ${name} must be an integer in [1, 16384], got ${v}`);
      }
    }
    this.data = new Uint8Array(width * height * 4);
    this.clipX1 = width;
    this.clipY1 = height;
    for (let i = 0; i < width * height; i++) {
      this.data[4 * i] = background[0];
      this.data[4 * i + 1] = background[1];
      this.data[4 * i + 2] = background[2];
      this.data[4 * i + 3] = 255;
    }
  }

  /** Limits drawing to the integer pixel rectangle [x0, x1) × [y0, y1) (clamped to the canvas). */
  setClip(x0: number, y0: number, x1: number, y1: number): void {
    this.clipX0 = Math.max(0, Math.floor(x0));
    this.clipY0 = Math.max(0, Math.floor(y0));
    this.clipX1 = Math.min(this.width, Math.ceil(x1));
    this.clipY1 = Math.min(this.height, Math.ceil(y1));
  }

  /** Lets drawing reach the whole canvas again. */
  resetClip(): void {
    this.setClip(0, 0, this.width, this.height);
  }

  /** Blends `color` with opacity `alpha` (0..1) over pixel (x, y); pixels outside the clip are ignored. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < this.clipX0 || y < this.clipY0 || x >= this.clipX1 || y >= this.clipY1 || !(alpha > 0)) return;
    const a = alpha >= 1 ? 1 : alpha;
    const o = 4 * (y * this.width + x);
    const d = this.data;
    d[o] = Math.round(d[o] + (color[0] - d[o]) * a);
    d[o + 1] = Math.round(d[o + 1] + (color[1] - d[o + 1]) * a);
    d[o + 2] = Math.round(d[o + 2] + (color[2] - d[o + 2]) * a);
  }

  /** The RGBA value at integer pixel (x, y). */
  pixel(x: number, y: number): [number, number, number, number] {
    const o = 4 * (y * this.width + x);
    return [this.data[o], this.data[o + 1], this.data[o + 2], this.data[o + 3]];
  }

  /** Fills the integer pixel rectangle [x, x+w) × [y, y+h). */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    const x0 = Math.max(Math.round(x), this.clipX0);
    const y0 = Math.max(Math.round(y), this.clipY0);
    const x1 = Math.min(Math.round(x + w), this.clipX1);
    const y1 = Math.min(Math.round(y + h), this.clipY1);
    for (let j = y0; j < y1; j++) for (let i = x0; i < x1; i++) this.blend(i, j, color, alpha);
  }

  /**
   * A filled disc of radius `r` pixels centred at (cx, cy). Edge pixels get partial coverage (distance of the pixel
   * centre to the rim, clamped to [0, 1]), which is enough anti-aliasing for scatter dots.
   */
  fillCircle(cx: number, cy: number, r: number, color: Rgb, alpha = 1): void {
    if (!(Number.isFinite(cx) && Number.isFinite(cy) && r > 0)) return;
    // A dot under a pixel wide would vanish with edge coverage alone; spread its area instead.
    const areaScale = r < 0.5 ? Math.PI * r * r : 1;
    const rr = Math.max(r, 0.5);
    const i0 = Math.floor(cx - rr - 1);
    const i1 = Math.ceil(cx + rr + 1);
    const j0 = Math.floor(cy - rr - 1);
    const j1 = Math.ceil(cy + rr + 1);
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const d = Math.hypot(i + 0.5 - cx, j + 0.5 - cy);
        const coverage = Math.min(1, Math.max(0, rr + 0.5 - d));
        if (coverage > 0) this.blend(i, j, color, alpha * coverage * areaScale);
      }
    }
  }

  /** A 1-pixel anti-aliased line from (x0, y0) to (x1, y1) (Xiaolin Wu's algorithm, intensities scaled by alpha). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    // Shift so that pixel centres sit on integers, as Wu's algorithm assumes.
    let ax = x0 - 0.5;
    let ay = y0 - 0.5;
    let bx = x1 - 0.5;
    let by = y1 - 0.5;
    const steep = Math.abs(by - ay) > Math.abs(bx - ax);
    if (steep) [ax, ay, bx, by] = [ay, ax, by, bx];
    if (ax > bx) [ax, ay, bx, by] = [bx, by, ax, ay];
    const plot = (x: number, y: number, c: number) => {
      if (steep) this.blend(y, x, color, alpha * c);
      else this.blend(x, y, color, alpha * c);
    };
    const dx = bx - ax;
    const gradient = dx === 0 ? 1 : (by - ay) / dx;

    const xs = Math.round(ax);
    const xe = Math.round(bx);
    if (xs === xe) {
      // Shorter than a pixel along the major axis: one pixel weighted by the length drawn.
      const y = Math.round((ay + by) / 2);
      plot(xs, y, Math.min(1, Math.hypot(bx - ax, by - ay)));
      return;
    }
    const ys = ay + gradient * (xs - ax);
    const gapS = 1 - frac(ax + 0.5);
    plot(xs, Math.floor(ys), (1 - frac(ys)) * gapS);
    plot(xs, Math.floor(ys) + 1, frac(ys) * gapS);
    const ye = by + gradient * (xe - bx);
    const gapE = frac(bx + 0.5);
    plot(xe, Math.floor(ye), (1 - frac(ye)) * gapE);
    plot(xe, Math.floor(ye) + 1, frac(ye) * gapE);
    let y = ys + gradient;
    for (let x = xs + 1; x < xe; x++, y += gradient) {
      plot(x, Math.floor(y), 1 - frac(y));
      plot(x, Math.floor(y) + 1, frac(y));
    }
  }

  /**
   * Encodes the canvas as an 8-bit RGB PNG. 'adaptive' is pngjs's default (adaptive row filter, RLE deflate), good for
   * image content; 'flat' (no row filter, plain deflate) is about 20% smaller on plots: flat background, sparse dots.
   */
  toPng(compression: 'adaptive' | 'flat' = 'adaptive'): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    // Every pixel is opaque, so store RGB only (a quarter smaller).
    const flat = compression === 'flat' ? { filterType: 0, deflateStrategy: 0 } : {};
    return PNG.sync.write(png, { colorType: 2, ...flat });
  }
}

function frac(v: number): number {
  return v - Math.floor(v);
}
