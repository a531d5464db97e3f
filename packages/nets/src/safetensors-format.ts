// The safetensors format (https://github.com/huggingface/safetensors), written from its specification:
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}
//   rest      the byte buffer; offsets are relative to its start, tensors are little-endian and row-major
// The byte buffer must be covered exactly: no overlaps, no holes, nothing after the last tensor.
// Everything here works on bytes so that the library runs in a browser too; file IO belongs to the caller.
// This file holds the format's types and constants; safetensors-encode.ts and safetensors-decode.ts use them.

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

export const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Dtypes of the format that exist but that this module does not read (so the error can say "not supported" rather than "unknown"). */
export const KNOWN_UNSUPPORTED = ['U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'C64'];
export const WRITABLE: readonly string[] = ['F64', 'F32', 'F16', 'I64', 'I32', 'U8', 'BOOL'] satisfies SafetensorsWriteDtype[];
export const METADATA = '__metadata__';
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A value as an error message shows it. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
