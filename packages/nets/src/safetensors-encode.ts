// safetensors writing: tensors and string metadata → bytes (the format: safetensors-format.ts).
import { BYTES, LITTLE_ENDIAN_HOST, METADATA, WRITABLE, type SafetensorsWriteDtype, type SafetensorsData, type SafetensorsInput } from './safetensors-format';
import { float32ToFloat16Bits } from './float16';

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
