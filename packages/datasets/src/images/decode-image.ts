/**
 * PNG and JPEG files decoded to RGB the way the reference sees them: PIL's `Image.open(f).convert('RGB')`.
 * - PNG (pngjs): grayscale replicated, alpha dropped, palettes expanded, 1/2/4-bit samples scaled to 0..255, 16-bit
 *   samples reduced to their high byte (as PIL does for 16-bit RGB; PIL clips 16-bit *grayscale* at 255 instead,
 *   which whitens almost every pixel, so there this deliberately differs), a tRNS colour ignored (pngjs would blacken
 *   those pixels). Equal to PIL, value for value.
 * - JPEG (jpeg-js): YCbCr JPEGs are converted with libjpeg's fixed-point tables after libjpeg's "fancy" (triangle)
 *   chroma upsampling, which PIL uses, instead of jpeg-js's nearest-neighbour upsampling and float conversion; what
 *   remains is jpeg-js's IDCT against libjpeg's (at most 3 grey levels, 0.15 on average, in the tests). CMYK and
 *   Adobe-marked JPEGs use jpeg-js's own conversion.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

/** An image decoded to RGB. */
export interface DecodedImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels (the number of rows). */
  height: number;
  /** H·W·3 values, row by row. */
  rgb: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

type ReadAt = (position: number, length: number) => Uint8Array;

/** Width and height from a PNG's IHDR or a JPEG's frame header, reading only the bytes needed. */
export function readImageSize(path: string, caller = 'readImageSize'): {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
} {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new Error(`${caller}: cannot open image ${path}: ${describeFsError(error)}`);
  }
  try {
    const read: ReadAt = (position, length) => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
    };
    const head = read(0, 33);
    if (isPng(head)) return pngHeader(head, path, caller);
    if (isJpeg(head)) return jpegFrame(read, path, caller);
    throw notAnImage(path, head, caller);
  } finally {
    closeSync(fd);
  }
}

/** Decodes a PNG or JPEG file (told apart by content, not by name) to RGB. */
export function decodeImageFile(path: string, caller = 'decodeImageFile'): DecodedImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`${caller}: cannot read image ${path}: ${describeFsError(error)}`);
  }
  const png = isPng(bytes);
  if (!png && !isJpeg(bytes)) throw notAnImage(path, bytes, caller);
  try {
    return png ? decodePng(bytes, path, caller) : decodeJpegLikeLibjpeg(bytes, path, caller);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith(`${caller}: `)) throw error;
    throw new Error(`${caller}: cannot decode ${path}: ${message}`);
  }
}

function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8;
}

function notAnImage(path: string, head: Uint8Array, caller: string): Error {
  const start = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new Error(
    `${caller}: ${path} is neither a PNG nor a JPEG file (it starts with ${start || 'nothing: an empty file'})`,
  );
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------------------
// PNG

function pngHeader(head: Uint8Array, path: string, caller: string): { width: number; height: number } {
  const view = Buffer.from(head.buffer, head.byteOffset, head.length);
  if (view.length < 26 || view.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`${caller}: ${path} is not a readable PNG: no IHDR chunk where it must be`);
  }
  const width = view.readUInt32BE(16);
  const height = view.readUInt32BE(20);
  if (width === 0 || height === 0) throw new Error(`${caller}: ${path} is a PNG of size ${width}×${height}`);
  return { width, height };
}

function decodePng(bytes: Buffer, path: string, caller: string): DecodedImage {
  pngHeader(bytes, path, caller);
  const depth = bytes[24];
  const colorType = bytes[25];
  // pngjs sets every channel of a pixel matching a grayscale or RGB image's tRNS colour to 0; PIL's convert('RGB')
  // keeps its colour. Without the chunk pngjs keeps it too. (A palette's tRNS only gives alpha, dropped anyway.)
  const input = colorType === 3 ? bytes : withoutChunk(bytes, 'tRNS');
  const png = PNG.sync.read(input, { skipRescale: depth === 16 });
  const { width, height } = png;
  const rgba = png.data as Uint8Array | Uint16Array;
  const shift = depth === 16 ? 8 : 0;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = rgba[p] >> shift;
    rgb[q + 1] = rgba[p + 1] >> shift;
    rgb[q + 2] = rgba[p + 2] >> shift;
  }
  return { width, height, rgb };
}

/** The PNG without its chunks of the given type (chunks are self-contained, so the rest stays valid). */
function withoutChunk(bytes: Buffer, type: string): Buffer {
  const parts: Buffer[] = [bytes.subarray(0, 8)];
  let pos = 8;
  let removed = false;
  while (pos + 8 <= bytes.length) {
    const end = Math.min(bytes.length, pos + 12 + bytes.readUInt32BE(pos));
    if (bytes.toString('latin1', pos + 4, pos + 8) === type) removed = true;
    else parts.push(bytes.subarray(pos, end));
    pos = end;
  }
  if (pos < bytes.length) parts.push(bytes.subarray(pos));
  return removed ? Buffer.concat(parts) : bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// JPEG

interface JpegFrame {
  width: number;
  height: number;
  /** Sampling factors of each component, in frame order. */
  components: { h: number; v: number }[];
  /** An Adobe APP14 segment came before the frame (it decides the colour transform). */
  adobe: boolean;
}

/** Walks a JPEG's marker segments up to its frame header (SOFn). */
function jpegFrame(read: ReadAt, path: string, caller: string): JpegFrame {
  let pos = 2;
  let adobe = false;
  for (;;) {
    const marker = read(pos, 4);
    if (marker.length < 2 || marker[0] !== 0xff) {
      throw new Error(`${caller}: ${path} is not a readable JPEG: no frame header before byte ${pos}`);
    }
    const code = marker[1];
    if (code === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if ((code >= 0xd0 && code <= 0xd7) || code === 0x01) {
      pos += 2;
      continue;
    }
    if (code === 0xd9 || code === 0xda || marker.length < 4) {
      throw new Error(`${caller}: ${path} is not a readable JPEG: no frame header before its image data`);
    }
    const length = (marker[2] << 8) | marker[3];
    if (code === 0xee) {
      const id = read(pos + 4, 5);
      if (String.fromCharCode(...id) === 'Adobe') adobe = true;
    }
    const isFrame = code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc;
    if (isFrame) {
      const frame = read(pos + 4, 6);
      if (frame.length < 6) throw new Error(`${caller}: ${path} is a truncated JPEG (its frame header is cut off)`);
      const height = (frame[1] << 8) | frame[2];
      const width = (frame[3] << 8) | frame[4];
      if (width === 0 || height === 0) {
        throw new Error(`${caller}: ${path} is a JPEG of size ${width}×${height}, which this package cannot read`);
      }
      const count = frame[5];
      const specs = read(pos + 10, 3 * count);
      const components = Array.from({ length: Math.floor(specs.length / 3) }, (_, i) => ({
        h: specs[3 * i + 1] >> 4,
        v: specs[3 * i + 1] & 15,
      }));
      return { width, height, components, adobe };
    }
    pos += 2 + length;
  }
}

function decodeJpegLikeLibjpeg(bytes: Buffer, path: string, caller: string): DecodedImage {
  const frame = jpegFrame((p, n) => bytes.subarray(p, p + n), path, caller);
  const [luma, cb, cr] = frame.components;
  const maxH = Math.max(...frame.components.map((c) => c.h));
  const maxV = Math.max(...frame.components.map((c) => c.v));
  const ycc =
    frame.components.length === 3 &&
    !frame.adobe &&
    luma.h === maxH &&
    luma.v === maxV &&
    cb.h === 1 &&
    cb.v === 1 &&
    cr.h === 1 &&
    cr.v === 1 &&
    maxH <= 2 &&
    maxV <= 2;
  if (!ycc) {
    const image = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
    return { width: image.width, height: image.height, rgb: image.data };
  }
  // Y, Cb, Cr at full size, chroma upsampled by repetition; the chroma samples themselves sit at even positions.
  const image = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, colorTransform: false });
  const { width, height } = image;
  const planes = image.data;
  const cw = Math.ceil(width / maxH);
  const ch = Math.ceil(height / maxV);
  const chroma = (k: number): Uint8Array => {
    const plane = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) plane[y * cw + x] = planes[(y * maxV * width + x * maxH) * 3 + k];
    }
    return fancyUpsample(plane, cw, ch, maxH, maxV, width, height);
  };
  const cbFull = chroma(1);
  const crFull = chroma(2);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    const y = planes[p];
    const b = cbFull[i];
    const r = crFull[i];
    rgb[p] = clamp255(y + CR_R[r]);
    rgb[p + 1] = clamp255(y + ((CB_G[b] + CR_G[r]) >> SCALEBITS));
    rgb[p + 2] = clamp255(y + CB_B[b]);
  }
  return { width, height, rgb };
}

// libjpeg's YCbCr → RGB tables (jdcolor.c): 16-bit fixed point, nearest-integer offsets for R and B.
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number): number => Math.floor(x * (1 << SCALEBITS) + 0.5);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * libjpeg(-turbo)'s fancy upsampling (jdsample.c) of a chroma plane of cw×ch samples to width×height: a triangle
 * filter (3/4 nearer, 1/4 further sample per doubled axis) with edge samples repeated; a doubled axis narrower than
 * 3 samples horizontally is upsampled by repetition, as libjpeg does.
 */
function fancyUpsample(
  plane: Uint8Array,
  cw: number,
  ch: number,
  fx: number,
  fy: number,
  width: number,
  height: number,
): Uint8Array {
  const outW = cw * fx;
  const outH = ch * fy;
  const out = new Uint8Array(outW * outH);
  const at = (x: number, y: number): number => plane[Math.min(Math.max(y, 0), ch - 1) * cw + x];
  if (fx === 2 && fy === 2 && cw > 2) {
    for (let y = 0; y < ch; y++) {
      for (let v = 0; v < 2; v++) {
        const other = v === 0 ? y - 1 : y + 1;
        const colsum = (x: number): number => at(x, y) * 3 + at(x, other);
        const row = (2 * y + v) * outW;
        for (let x = 0; x < cw; x++) {
          const here = colsum(x);
          out[row + 2 * x] = x === 0 ? (here * 4 + 8) >> 4 : (here * 3 + colsum(x - 1) + 8) >> 4;
          out[row + 2 * x + 1] = x === cw - 1 ? (here * 4 + 7) >> 4 : (here * 3 + colsum(x + 1) + 7) >> 4;
        }
      }
    }
  } else if (fx === 2 && fy === 1 && cw > 2) {
    for (let y = 0; y < ch; y++) {
      const row = y * outW;
      for (let x = 0; x < cw; x++) {
        const here = at(x, y) * 3;
        out[row + 2 * x] = x === 0 ? at(0, y) : (here + at(x - 1, y) + 1) >> 2;
        out[row + 2 * x + 1] = x === cw - 1 ? at(x, y) : (here + at(x + 1, y) + 2) >> 2;
      }
    }
  } else if (fx === 1 && fy === 2) {
    for (let y = 0; y < ch; y++) {
      for (let v = 0; v < 2; v++) {
        const other = v === 0 ? y - 1 : y + 1;
        const bias = v === 0 ? 1 : 2;
        const row = (2 * y + v) * outW;
        for (let x = 0; x < cw; x++) out[row + x] = (at(x, y) * 3 + at(x, other) + bias) >> 2;
      }
    }
  } else {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) out[y * outW + x] = plane[Math.floor(y / fy) * cw + Math.floor(x / fx)];
    }
  }
  if (outW === width && outH === height) return out;
  const cropped = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) cropped.set(out.subarray(y * outW, y * outW + width), y * width);
  return cropped;
}
