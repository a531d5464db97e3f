// safetensors reading: bytes → tensors and metadata, every offset checked (the format: safetensors-format.ts).
import { BYTES, KNOWN_UNSUPPORTED, LITTLE_ENDIAN_HOST, METADATA, describe, type SafetensorsDtype, type SafetensorsTensor, type DecodedSafetensors } from './safetensors-format';
import { float16BitsToFloat32 } from './float16';

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
