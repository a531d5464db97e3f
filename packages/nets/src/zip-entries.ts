// A minimal reader for the zip archives that torch.save writes (PKWARE APPNOTE: end of central directory record,
// central directory, local file headers; ZIP64 records when sizes or offsets overflow 32 bits). torch writes every
// entry stored (method 0) and pads local headers so that data is 64-byte aligned, so the data offset must be taken
// from each local header, not from the central directory. Only stored entries are read; each one's CRC-32 is checked.

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start like a zip archive (a local file header, or an empty archive's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const sig = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  return sig === LOCAL || sig === EOCD;
}

/**
 * Lists the entries of a zip archive (names → data views into `bytes`, no copy), in central-directory order. `fn` names the caller in
 * errors. Throws on a truncated or corrupt archive, a compressed entry, or a CRC mismatch.
 */
export function readZipEntries(bytes: Uint8Array, fn: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${fn}: zip field ${v} at byte ${at} is too large`);
    return Number(v);
  };

  // The end record is 22 bytes plus a comment of up to 65535 bytes, so search backwards over that window.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === EOCD && at + 22 + u16(at + 20) === bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error(`${fn}: no zip end-of-central-directory record in ${bytes.length} bytes; the file is truncated or not a zip archive`);
  }
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== ZIP64_LOCATOR) throw new Error(`${fn}: zip needs a ZIP64 end record but has no ZIP64 locator`);
    const record = u64(locator + 8);
    if (record + 56 > bytes.length || u32(record) !== ZIP64_EOCD) throw new Error(`${fn}: the ZIP64 end record at byte ${record} is missing or corrupt`);
    count = u64(record + 32);
    cdSize = u64(record + 40);
    cdOffset = u64(record + 48);
  }
  if (cdOffset + cdSize > bytes.length) {
    throw new Error(`${fn}: the zip central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the ${bytes.length}-byte file (truncated?)`);
  }

  const entries = new Map<string, Uint8Array>();
  const decoder = new TextDecoder('utf-8');
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== CENTRAL) throw new Error(`${fn}: zip central directory entry ${i} at byte ${at} is corrupt`);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compressed = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    if (at + 46 + nameLength + extraLength + commentLength > cdOffset + cdSize) {
      throw new Error(`${fn}: zip central directory entry ${i} at byte ${at} runs past the directory (corrupt file)`);
    }
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64 extended information (header id 1) holds, in this order, whichever of the three fields overflowed.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const length = u16(extra + 2);
      if (id === 1 && extra + 4 + length <= extraEnd) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = u64(field);
          field += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(field);
          field += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(field);
      }
      extra += 4 + length;
    }
    at = extraEnd + commentLength;

    if (localOffset + 30 > bytes.length || u32(localOffset) !== LOCAL) {
      throw new Error(`${fn}: zip entry "${name}": no local header at byte ${localOffset} (truncated or corrupt file)`);
    }
    const start = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (start + compressed > bytes.length) {
      throw new Error(`${fn}: zip entry "${name}" needs bytes [${start}, ${start + compressed}) but the file has ${bytes.length} (truncated?)`);
    }
    if (method !== 0) {
      throw new Error(
        `${fn}: zip entry "${name}" is compressed (method ${method}); torch.save writes entries stored (method 0), so re-save the file with torch.save`,
      );
    }
    if (compressed !== size) throw new Error(`${fn}: zip entry "${name}" is stored but its sizes differ (${compressed} vs ${size})`);
    const data = bytes.subarray(start, start + size);
    const actual = crc32(data);
    if (actual !== crc) {
      throw new Error(`${fn}: zip entry "${name}" is corrupt: CRC-32 ${hex(actual)} does not match the recorded ${hex(crc)}`);
    }
    entries.set(name, data);
  }
  return entries;
}

const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;

let table: Uint32Array | null = null;

/** CRC-32 (the zip/IEEE polynomial, reflected 0xEDB88320), table-driven. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
