// The safetensors format (https://github.com/huggingface/safetensors), written from its specification:
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}
//   rest      the byte buffer; offsets are relative to its start, tensors are little-endian and row-major
// The byte buffer must be covered exactly: no overlaps, no holes, nothing after the last tensor.
// Everything here works on bytes so that the library runs in a browser too; file IO belongs to the caller.
import * as tf from '@tensorflow/tfjs-core';
import type { Module, StateDict } from '@not/ot-core';

/** Element types of the safetensors format that this module reads. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Element types that {@link encodeSafetensors} writes. */
export type SafetensorsWriteDtype = 'F64' | 'F32' | 'F16' | 'I64' | 'I32' | 'U8' | 'BOOL';

/** A typed array that {@link encodeSafetensors} takes as tensor data. */
export type SafetensorsData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | BigInt64Array;

/** One tensor to write. `dtype` defaults from the array: Float32Array → F32, Float64Array → F64, Int32Array → I32, Uint8Array → U8, BigInt64Array → I64. */
export interface SafetensorsInput {
  /** Element type in the file; the values are converted to it (integer types must hold them exactly, F16 rounds). Needed for arrays without a default. */
  dtype?: SafetensorsWriteDtype;
  /** Dimensions; their product must equal the number of values. */
  shape: readonly number[];
  /** The values, row-major: numbers whatever the dtype (F16 too), except BigInt64Array, which only I64 takes. */
  data: SafetensorsData;
}

/**
 * One decoded tensor. `dtype` is the element type in the file; `data` is converted for TensorFlow.js:
 * F64, F32, F16 and BF16 → Float32Array; I64, I32, I16, I8 → Int32Array (I64 must fit in int32); U8 and BOOL → Uint8Array.
 */
export interface SafetensorsTensor {
  /** Element type in the file. */
  dtype: SafetensorsDtype;
  /** Dimensions. */
  shape: number[];
  /** The values, row-major, converted as above. */
  data: Float32Array | Int32Array | Uint8Array;
}

/** What {@link decodeSafetensors} reads from a file: its tensors and its metadata. */
export interface DecodedSafetensors {
  /** Tensors in the order of their data in the file. */
  tensors: Record<string, SafetensorsTensor>;
  /** The header's `__metadata__` (string → string), or {} when absent. */
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Dtypes of the format that exist but that this module does not read (so the error can say "not supported" rather than "unknown"). */
const KNOWN_UNSUPPORTED = ['U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'C64'];
const WRITABLE: readonly string[] = ['F64', 'F32', 'F16', 'I64', 'I32', 'U8', 'BOOL'] satisfies SafetensorsWriteDtype[];
const METADATA = '__metadata__';
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Writes tensors (packed in the order given) and optional string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, SafetensorsInput>, metadata?: Record<string, string>): Uint8Array {
  const fn = 'encodeSafetensors';
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new Error(`${fn}: metadata "${key}" must be a string, got ${typeof value}`);
    }
    header[METADATA] = { ...metadata };
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === METADATA) throw new Error(`${fn}: "${METADATA}" is reserved for metadata and cannot name a tensor`);
    const shape = [...tensor.shape];
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${fn}: tensor "${name}" shape must hold integers >= 0, got [${shape}]`);
    }
    const dtype = tensor.dtype ?? defaultDtype(name, tensor.data);
    if (!WRITABLE.includes(dtype)) {
      throw new Error(`${fn}: tensor "${name}" dtype must be one of F64, F32, F16, I64, I32, U8, BOOL, got "${dtype}"`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (tensor.data.length !== count) {
      throw new Error(`${fn}: tensor "${name}" has ${tensor.data.length} values but shape [${shape}] needs ${count}`);
    }
    const bytes = encodeData(name, dtype, tensor.data);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  // Pad the header with spaces so the byte buffer starts 8-byte aligned, as the reference writer does.
  let json = JSON.stringify(header);
  const utf8 = new TextEncoder();
  let headerBytes = utf8.encode(json);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding) headerBytes = utf8.encode((json += ' '.repeat(padding)));
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function defaultDtype(name: string, data: SafetensorsData): SafetensorsWriteDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint8Array) return 'U8';
  if (data instanceof BigInt64Array) return 'I64';
  throw new Error(`encodeSafetensors: tensor "${name}" needs an explicit dtype for a ${(data as object).constructor.name}`);
}

function encodeData(name: string, dtype: SafetensorsWriteDtype, data: SafetensorsData): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n * BYTES[dtype]);
  const view = new DataView(out.buffer);
  const fn = 'encodeSafetensors';
  if (data instanceof BigInt64Array) {
    if (dtype !== 'I64') throw new Error(`${fn}: tensor "${name}" has BigInt64Array data, which only dtype I64 takes; got dtype ${dtype}`);
    for (let i = 0; i < n; i++) view.setBigInt64(i * 8, data[i], true);
    return out;
  }
  const values = data as Exclude<SafetensorsData, BigInt64Array>;
  const integral = (lo: number, hi: number) => {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new Error(`${fn}: tensor "${name}" value ${v} at index ${i} is not representable as ${dtype} (integers in [${lo}, ${hi}])`);
      }
    }
  };
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < n; i++) view.setFloat64(i * 8, values[i], true);
      break;
    case 'F32':
      if (LITTLE_ENDIAN_HOST && values instanceof Float32Array) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      else for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i], true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) view.setUint16(i * 2, float32ToFloat16Bits(values[i]), true);
      break;
    case 'I64':
      integral(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < n; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
      break;
    case 'I32':
      integral(-2147483648, 2147483647);
      if (LITTLE_ENDIAN_HOST && values instanceof Int32Array) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      else for (let i = 0; i < n; i++) view.setInt32(i * 4, values[i], true);
      break;
    case 'U8':
      integral(0, 255);
      out.set(values);
      break;
    case 'BOOL':
      integral(0, 1);
      out.set(values);
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Reads safetensors bytes, checking the header and every offset; throws naming what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const fn = 'decodeSafetensors';
  if (!(bytes instanceof Uint8Array)) throw new Error(`${fn}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  // A plain view of the same memory: Node's Buffer (readFileSync's result) makes slice() a view, not the copy we need.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new Error(`${fn}: truncated file: ${bytes.length} bytes, expected at least 8 (the header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new Error(
      `${fn}: header length ${headerLength} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8}); ` +
        'the file is truncated or not safetensors',
    );
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    throw new Error(`${fn}: the ${n}-byte header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error(`${fn}: the header must be a JSON object, got ${Array.isArray(header) ? 'an array' : describe(header)}`);
  }
  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA) {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) {
        throw new Error(`${fn}: "${METADATA}" must be an object of strings, got ${describe(info)}`);
      }
      for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
        if (typeof value !== 'string') throw new Error(`${fn}: "${METADATA}"."${key}" must be a string, got ${describe(value)}`);
        metadata[key] = value;
      }
      continue;
    }
    const what = `tensor "${name}"`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new Error(`${fn}: ${what} must be an object, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string') throw new Error(`${fn}: ${what} needs a string "dtype", got ${describe(dtype)}`);
    if (!(dtype in BYTES)) {
      const kind = KNOWN_UNSUPPORTED.includes(dtype) ? 'unsupported' : 'unknown';
      throw new Error(`${fn}: ${what} has ${kind} dtype "${dtype}"; expected one of ${Object.keys(BYTES).join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${fn}: ${what} "shape" must be an array of integers >= 0, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new Error(`${fn}: ${what} "data_offsets" must be [begin, end] with integers >= 0, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw new Error(`${fn}: ${what} data_offsets [${begin}, ${end}] end before they begin`);
    if (end > bufferLength) {
      throw new Error(`${fn}: ${what} data_offsets [${begin}, ${end}] run past the end of the ${bufferLength}-byte data buffer (truncated file?)`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = count * BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      throw new Error(
        `${fn}: ${what} data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape}] of ${dtype} needs ${expected}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }

  // The buffer must be covered exactly: sorted by offset, each tensor starts where the previous one ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const entry of entries) {
    if (entry.begin < covered) {
      throw new Error(`${fn}: tensor "${entry.name}" data_offsets [${entry.begin}, ${entry.end}] overlap tensor "${previous}" (which ends at ${covered})`);
    }
    if (entry.begin > covered) {
      throw new Error(`${fn}: data buffer bytes [${covered}, ${entry.begin}) belong to no tensor (a hole before tensor "${entry.name}")`);
    }
    covered = entry.end;
    previous = entry.name;
  }
  if (covered !== bufferLength) {
    throw new Error(`${fn}: the data buffer has ${bufferLength} bytes but the tensors cover ${covered}; ${bufferLength - covered} bytes are left over`);
  }

  const tensors: Record<string, SafetensorsTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
    tensors[name] = { dtype, shape: [...shape], data: decodeData(name, dtype, bytes.subarray(bufferStart + begin, bufferStart + end)) };
  }
  return { tensors, metadata };
}

function decodeData(name: string, dtype: SafetensorsDtype, raw: Uint8Array): Float32Array | Int32Array | Uint8Array {
  const n = raw.length / BYTES[dtype];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN_HOST) return new Float32Array(raw.slice().buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new Error(`decodeSafetensors: tensor "${name}" (I64) holds ${v} at index ${i}, which does not fit in int32`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': {
      if (LITTLE_ENDIAN_HOST) return new Int32Array(raw.slice().buffer);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'I8':
      return Int32Array.from(new Int8Array(raw.slice().buffer));
    case 'U8':
      return raw.slice();
    case 'BOOL': {
      const out = raw.slice();
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) throw new Error(`decodeSafetensors: tensor "${name}" (BOOL) holds byte ${out[bad]} at index ${bad}; expected 0 or 1`);
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// TensorFlow.js state dicts

/**
 * Writes a state dict as safetensors bytes: float32 tensors as F32, int32 as I32, bool as BOOL, keyed by the state
 * dict's names (the reference's PyTorch names, so `safetensors.torch.load_file` reads them back). Reads the tensors
 * synchronously; disposes nothing.
 */
export function saveStateDict(state: StateDict, metadata?: Record<string, string>): Uint8Array {
  const inputs: Record<string, SafetensorsInput> = {};
  for (const [name, tensor] of Object.entries(state)) {
    if (!(tensor instanceof tf.Tensor)) throw new Error(`saveStateDict: state["${name}"] must be a tf.Tensor, got ${describe(tensor)}`);
    if (tensor.isDisposed) throw new Error(`saveStateDict: state["${name}"] is disposed`);
    const shape = tensor.shape;
    if (tensor.dtype === 'float32') inputs[name] = { dtype: 'F32', shape, data: tensor.dataSync() as Float32Array };
    else if (tensor.dtype === 'int32') inputs[name] = { dtype: 'I32', shape, data: tensor.dataSync() as Int32Array };
    else if (tensor.dtype === 'bool') inputs[name] = { dtype: 'BOOL', shape, data: Uint8Array.from(tensor.dataSync() as Uint8Array) };
    else throw new Error(`saveStateDict: state["${name}"] has dtype ${tensor.dtype}; expected float32, int32 or bool`);
  }
  return encodeSafetensors(inputs, metadata);
}

/**
 * Reads safetensors bytes into new tensors (float32 for F64/F32/F16/BF16, int32 for I64/I32/I16/I8/U8, bool for
 * BOOL). The caller owns the tensors and disposes them.
 */
export function loadStateDictFile(bytes: Uint8Array): StateDict {
  return stateDictFromTensors(decodeSafetensors(bytes).tensors);
}

/** New tensors from already decoded safetensors (as {@link loadStateDictFile}), for callers that also read the metadata. */
export function stateDictFromTensors(tensors: Record<string, SafetensorsTensor>): StateDict {
  const state: StateDict = {};
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    if (dtype === 'BOOL') state[name] = tf.tensor(data, shape, 'bool');
    else if (dtype === 'U8') state[name] = tf.tensor(Int32Array.from(data), shape, 'int32');
    else state[name] = tf.tensor(data, shape, data instanceof Float32Array ? 'float32' : 'int32');
  }
  return state;
}

/**
 * Loads safetensors bytes into a module with `module.loadStateDict` (which checks names and shapes and throws
 * naming the first mismatch) and disposes the temporary tensors, also when loading fails.
 */
export function loadSafetensorsInto(module: Module, bytes: Uint8Array): void {
  const state = loadStateDictFile(bytes);
  try {
    // A tidy scope frees whatever loadStateDict makes on the way (casts); variables keep their new values.
    tf.tidy(() => module.loadStateDict(state));
  } finally {
    for (const tensor of Object.values(state)) tensor.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Half precision

/** IEEE 754 binary16 bits → number. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE 754 binary16 bits, rounding to nearest even (overflow → ±Infinity). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // Subnormal half (or zero): shift the full 24-bit significand into 10 bits, rounding to nearest even.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry into the exponent, which is right
  return sign | half;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
