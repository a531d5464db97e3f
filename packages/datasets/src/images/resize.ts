import type { ResizeMode } from './image-source';
import { checkInteger } from '@not/ot-core';

/**
 * Resizes `n` uint8 NHWC images of h×w×c to outH×outW, as the reference does for the source kind:
 * - `'bilinear'`: PyTorch's `F.interpolate(mode='bilinear', align_corners=False, antialias=False)` — half-pixel
 *   centres, source coordinate clamped at 0, the 2×2 neighbourhood only (no antialiasing when shrinking);
 * - `'pil-bilinear'`: PIL's `Image.resize(size, BILINEAR)` as torchvision's `Resize` applies it to PIL images — a
 *   separable triangle filter whose support widens with the shrink factor (antialiased), horizontal pass first, each
 *   pass in PIL's 22-bit fixed point and rounded back to uint8, so the values are integers.
 * Returns NHWC float32 still on the 0..255 scale; an identity size returns the values unchanged.
 */
export function resizeImages(
  images: Uint8Array,
  n: number,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  mode: ResizeMode,
): Float32Array {
  for (const [name, value] of Object.entries({ n, h, w, c, outH, outW })) {
    checkInteger('resizeImages', name, value, { min: name === 'n' ? 0 : 1 });
  }
  if (images.length !== n * h * w * c) {
    throw new Error(
      `resizeImages: images must hold n·h·w·c = ${n}·${h}·${w}·${c} = ${n * h * w * c} values, got ${images.length}`,
    );
  }
  if (outH === h && outW === w) return Float32Array.from(images);
  if (mode === 'bilinear') return torchBilinear(images, n, h, w, c, outH, outW);
  if (mode === 'pil-bilinear') return pilBilinear(images, n, h, w, c, outH, outW);
  throw new Error(`resizeImages: mode must be 'bilinear' or 'pil-bilinear', got ${String(mode)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// PyTorch: upsample_bilinear2d, align_corners=False. Scale, source coordinates and weights are float32 in PyTorch's
// CPU kernel for float tensors; Math.fround reproduces them. The blend is computed in float64 and rounded once, so
// results differ from PyTorch's by float32 rounding only (≤ 5e-5 on 0..255 values in the fixtures; PyTorch's own
// channels-last and contiguous kernels differ from each other by as much).

interface LinearTaps {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float64Array;
  l1: Float64Array;
}

function torchTaps(inSize: number, outSize: number): LinearTaps {
  const scale = Math.fround(inSize / outSize);
  const taps: LinearTaps = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    l0: new Float64Array(outSize),
    l1: new Float64Array(outSize),
  };
  for (let o = 0; o < outSize; o++) {
    // PyTorch: float src = scale * (o + 0.5) - 0.5, evaluated in double and rounded once.
    let src = Math.fround(scale * (o + 0.5) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.floor(src);
    const l1 = Math.fround(src - i0);
    taps.i0[o] = i0;
    taps.i1[o] = i0 < inSize - 1 ? i0 + 1 : i0;
    taps.l1[o] = l1;
    taps.l0[o] = Math.fround(1 - l1);
  }
  return taps;
}

function torchBilinear(
  images: Uint8Array,
  n: number,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
): Float32Array {
  const ys = torchTaps(h, outH);
  const xs = torchTaps(w, outW);
  const out = new Float32Array(n * outH * outW * c);
  const row = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const base = b * h * row;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = base + ys.i0[oy] * row;
      const r1 = base + ys.i1[oy] * row;
      const ly0 = ys.l0[oy];
      const ly1 = ys.l1[oy];
      for (let ox = 0; ox < outW; ox++) {
        const x0 = xs.i0[ox] * c;
        const x1 = xs.i1[ox] * c;
        const lx0 = xs.l0[ox];
        const lx1 = xs.l1[ox];
        for (let k = 0; k < c; k++) {
          out[o++] =
            ly0 * (lx0 * images[r0 + x0 + k] + lx1 * images[r0 + x1 + k]) +
            ly1 * (lx0 * images[r1 + x0 + k] + lx1 * images[r1 + x1 + k]);
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// PIL 9.x (libImaging/Resample.c), 8 bits per channel: coefficients from a triangle filter of support
// max(1, in/out), normalised to sum 1, converted to 22-bit fixed point; each output value is
// clip8((2^21 + Σ value·coefficient) >> 22).

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface FilterTaps {
  /** First input index of each output. */
  start: Int32Array;
  /** Number of taps of each output. */
  count: Int32Array;
  /** Fixed-point coefficients, `size` per output. */
  coeffs: Int32Array;
  size: number;
}

function pilTaps(inSize: number, outSize: number): FilterTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // bilinear filter support is 1
  const size = Math.ceil(support) * 2 + 1;
  const taps: FilterTaps = {
    start: new Int32Array(outSize),
    count: new Int32Array(outSize),
    coeffs: new Int32Array(outSize * size),
    size,
  };
  const weights = new Float64Array(size);
  const ss = 1 / filterScale;
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const weight = t < 1 ? 1 - t : 0;
      weights[x] = weight;
      total += weight;
    }
    for (let x = 0; x < xmax; x++) {
      const weight = total !== 0 ? weights[x] / total : weights[x];
      // Round half away from zero, as PIL's normalize_coeffs_8bpc does (weights are never negative here).
      taps.coeffs[o * size + x] = Math.trunc(0.5 + weight * ONE);
    }
    taps.start[o] = xmin;
    taps.count[o] = xmax;
  }
  return taps;
}

function clip8(acc: number): number {
  if (acc >= ONE * 256) return 255;
  if (acc <= 0) return 0;
  return Math.floor(acc / ONE);
}

function pilBilinear(
  images: Uint8Array,
  n: number,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
): Float32Array {
  const out = new Float32Array(n * outH * outW * c);
  const needHorizontal = outW !== w;
  const needVertical = outH !== h;
  const xs = pilTaps(w, outW);
  const ys = pilTaps(h, outH);
  // As PIL: the horizontal pass only covers the rows the vertical pass will use.
  const firstRow = needVertical ? ys.start[0] : 0;
  const lastRow = needVertical ? ys.start[outH - 1] + ys.count[outH - 1] : h;
  const rows = lastRow - firstRow;
  const tempW = needHorizontal ? outW : w;
  const temp = new Uint8Array(rows * tempW * c);
  const result = new Uint8Array(outH * outW * c);
  for (let b = 0; b < n; b++) {
    const image = images.subarray(b * h * w * c, (b + 1) * h * w * c);
    // Horizontal pass: rows firstRow..lastRow-1 → temp (rows × tempW).
    if (needHorizontal) {
      for (let y = 0; y < rows; y++) {
        const src = (y + firstRow) * w * c;
        for (let ox = 0; ox < outW; ox++) {
          const start = xs.start[ox];
          const count = xs.count[ox];
          const k0 = ox * xs.size;
          for (let ch = 0; ch < c; ch++) {
            let acc = HALF;
            for (let x = 0; x < count; x++) acc += image[src + (start + x) * c + ch] * xs.coeffs[k0 + x];
            temp[(y * outW + ox) * c + ch] = clip8(acc);
          }
        }
      }
    } else {
      temp.set(image.subarray(firstRow * w * c, lastRow * w * c));
    }
    // Vertical pass: temp → result (outH × outW), row indices shifted by firstRow.
    if (needVertical) {
      for (let oy = 0; oy < outH; oy++) {
        const start = ys.start[oy] - firstRow;
        const count = ys.count[oy];
        const k0 = oy * ys.size;
        for (let i = 0; i < outW * c; i++) {
          let acc = HALF;
          for (let y = 0; y < count; y++) acc += temp[(start + y) * outW * c + i] * ys.coeffs[k0 + y];
          result[oy * outW * c + i] = clip8(acc);
        }
      }
    } else {
      result.set(temp);
    }
    for (let i = 0; i < result.length; i++) out[b * result.length + i] = result[i];
  }
  return out;
}
