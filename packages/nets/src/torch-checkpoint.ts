// Reads PyTorch checkpoints (.pth / .pt written by torch.save) without Python, for state dicts of tensors.
//
// Two layouts exist (facts from torch/serialization.py and torch/_utils.py):
// - zip (torch.save since 1.6): `<prefix>/data.pkl` is a protocol-2 pickle of the object; each storage is the raw
//   little-endian entry `<prefix>/data/<key>`; the pickle names storages by persistent ids
//   ('storage', <torch.XStorage>, key, location, numel). Newer versions add `<prefix>/byteorder`.
// - legacy (before 1.6, and `_use_new_zipfile_serialization=False`): five pickles back to back (the magic number
//   0x1950a86a20f9469cfc6c, protocol version 1001, system info, the object, the sorted list of storage keys), then for
//   each key in that order the storage's element count as int64 and its raw bytes. Persistent ids carry one more
//   item, a view (view_key, offset, size) or None.
// Tensors are rebuilt by torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
// backward_hooks[, metadata]); parameters wrap them in _rebuild_parameter. Offsets and strides count elements.
// Everything works on bytes so that it runs in a browser too; file IO belongs to the caller.
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@not/ot-core';
import { float16BitsToFloat32 } from './float16';
import { PyDict, PyTuple, describe, globalValue, unpickle, type PickleGlobal, type PyValue } from './torch-pickle';
import { looksLikeZip, readZipEntries } from './zip-entries';

/** Element types of PyTorch storages that this reader takes. */
export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * One tensor of a checkpoint, contiguous (row-major) whatever its strides were in the file. `dtype` is the type in
 * the file; `data` is converted for TensorFlow.js: float32/float64/float16/bfloat16 → Float32Array; int64 (must fit
 * in int32), int32, int16, int8 → Int32Array; uint8 and bool → Uint8Array.
 */
export interface TorchTensor {
  /** Element type in the file. */
  dtype: TorchDtype;
  /** Dimensions. */
  shape: number[];
  /** The values, contiguous row-major, converted as above. */
  data: Float32Array | Int32Array | Uint8Array;
}

const FN = 'readTorchCheckpoint';
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

const STORAGES: Record<string, [TorchDtype, number]> = {
  FloatStorage: ['float32', 4],
  DoubleStorage: ['float64', 8],
  HalfStorage: ['float16', 2],
  BFloat16Storage: ['bfloat16', 2],
  LongStorage: ['int64', 8],
  IntStorage: ['int32', 4],
  ShortStorage: ['int16', 2],
  CharStorage: ['int8', 1],
  ByteStorage: ['uint8', 1],
  BoolStorage: ['bool', 1],
};

class StorageType {
  constructor(readonly name: string, readonly dtype: TorchDtype, readonly itemSize: number) {}
}

/** A storage as a persistent id names it: `numel` elements from `elementOffset` (a legacy view) of storage `key`. */
class StorageRef {
  constructor(readonly type: StorageType, readonly key: string, readonly elementOffset: number, readonly numel: number) {}
}

class TensorRef {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function intTuple(what: string, v: PyValue): number[] {
  const items = v instanceof PyTuple ? v.items : null;
  if (!items || !items.every(isCount)) throw new Error(`${what} must be a tuple of integers >= 0, got ${describe(v)}`);
  return items as number[];
}

function rebuildTensor(args: PyValue[], least: number): TensorRef {
  if (args.length < least) throw new Error(`expected at least ${least} arguments, got ${args.length}`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new Error(`the storage argument is ${describe(storage)}, expected a storage`);
  if (!isCount(offset)) throw new Error(`storage_offset must be an integer >= 0, got ${String(offset)}`);
  const shape = intTuple('size', size);
  const strides = intTuple('stride', stride);
  if (shape.length !== strides.length) throw new Error(`size [${shape}] and stride [${strides}] differ in length`);
  return new TensorRef(storage, offset, shape, strides);
}

function asTensor(v: PyValue): TensorRef {
  if (!(v instanceof TensorRef)) throw new Error(`expected a tensor, got ${describe(v)}`);
  return v;
}

/** The only globals a state dict of tensors needs. Everything else (module classes, os.system, …) is refused. */
function allowedGlobals(): Record<string, PickleGlobal> {
  const globals: Record<string, PickleGlobal> = {
    'collections OrderedDict': {
      call: (args) => {
        if (args.length > 1) throw new Error(`expected at most 1 argument, got ${args.length}`);
        const dict = new PyDict();
        // Files from Python 2-era PyTorch (e.g. lpips' weights) pickle OrderedDict([[key, value], ...]).
        const items = args.length ? args[0] : [];
        if (!Array.isArray(items)) throw new Error(`expected a list of [key, value] pairs, got ${describe(items)}`);
        for (const pair of items) {
          const kv = Array.isArray(pair) ? pair : pair instanceof PyTuple ? pair.items : null;
          if (!kv || kv.length !== 2 || (typeof kv[0] !== 'string' && typeof kv[0] !== 'number')) {
            throw new Error(`expected a list of [key, value] pairs, got ${describe(pair)}`);
          }
          dict.map.set(kv[0], kv[1]);
        }
        return dict;
      },
    },
    'torch._utils _rebuild_tensor_v2': { call: (args) => rebuildTensor(args, 6) },
    'torch._utils _rebuild_tensor': { call: (args) => rebuildTensor(args, 4) },
    'torch._utils _rebuild_parameter': { call: (args) => asTensor(args[0]) },
    'torch._utils _rebuild_parameter_with_state': { call: (args) => asTensor(args[0]) },
  };
  for (const [name, [dtype, size]] of Object.entries(STORAGES)) {
    // Files saved from GPU tensors name torch.cuda.XStorage; the bytes are the same.
    for (const module of ['torch', 'torch.cuda']) globals[`${module} ${name}`] = { value: new StorageType(name, dtype, size) };
  }
  return globals;
}

function storageType(v: PyValue): StorageType {
  const type = globalValue(v);
  if (!(type instanceof StorageType)) {
    throw new Error(`a storage of type ${describe(v)}; supported: ${Object.keys(STORAGES).join(', ')}`);
  }
  return type;
}

/** Parses a persistent id; `legacy` ids carry a sixth item, the view. */
function storageFromId(id: PyValue, legacy: boolean): StorageRef {
  const items = id instanceof PyTuple ? id.items : null;
  if (!items || items[0] !== 'storage') {
    const kind = items && typeof items[0] === 'string' ? `"${items[0]}"` : describe(id);
    throw new Error(`unsupported persistent id ${kind}: only storages are read (save model.state_dict(), not the model)`);
  }
  if (items.length !== (legacy ? 6 : 5)) throw new Error(`a storage id with ${items.length} items, expected ${legacy ? 6 : 5}`);
  const type = storageType(items[1]);
  const key = items[2];
  const numel = items[4];
  if (typeof key !== 'string') throw new Error(`a storage key of type ${describe(key)}, expected a string`);
  if (!isCount(numel)) throw new Error(`storage "${key}" has size ${String(numel)}, expected an integer >= 0`);
  const view = legacy ? items[5] : null;
  if (view === null) return new StorageRef(type, key, 0, numel);
  const parts = view instanceof PyTuple ? view.items : [];
  if (parts.length !== 3 || !isCount(parts[1]) || !isCount(parts[2])) throw new Error(`storage "${key}" has a malformed view ${describe(view)}`);
  return new StorageRef(type, key, parts[1] as number, parts[2] as number);
}

/**
 * Reads a PyTorch checkpoint (zip or legacy format) holding tensors: a state dict, or dicts / lists of them (nested
 * keys are joined with "."). Values that are not tensors (epochs, strings, None) are skipped. Returns the tensors by
 * key in the file's order. Refuses, with an error naming the problem, anything whose unpickling would need other
 * Python objects (whole modules, custom classes): no code from the file is ever run.
 */
export function readTorchCheckpoint(bytes: Uint8Array): Record<string, TorchTensor> {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${FN}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length === 0) throw new Error(`${FN}: the file is empty`);
  if (looksLikeZip(bytes)) return readZip(bytes);
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1] <= 5) return readLegacy(bytes);
  if (bytes.length >= 262 && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new Error(`${FN}: this is a tar archive, the torch.save format of PyTorch before 0.4, which is not supported; load and re-save it with a newer PyTorch`);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`${FN}: not a PyTorch checkpoint: expected a zip archive (torch.save since 1.6) or a pickle stream (the legacy format), got bytes ${head}`);
}

function readZip(bytes: Uint8Array): Record<string, TorchTensor> {
  const entries = readZipEntries(bytes, FN);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new Error(`${FN}: a zip archive with ${pickles.length} "<name>/data.pkl" entries, expected 1: not a torch.save checkpoint`);
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (entries.has(`${prefix}constants.pkl`)) {
    throw new Error(`${FN}: this is a TorchScript archive (torch.jit.save); save a state dict with torch.save(model.state_dict(), path) instead`);
  }
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new Error(`${FN}: the checkpoint was written big-endian ("${new TextDecoder().decode(order).trim()}"); only little-endian files are read`);
  }
  const { value } = unpickle(entries.get(pickles[0])!, 0, {
    fn: FN,
    globals: allowedGlobals(),
    persistentLoad: (id) => storageFromId(id, false),
  });
  return collectTensors(value, (storage) => {
    const name = `${prefix}data/${storage.key}`;
    const data = entries.get(name);
    if (!data) throw new Error(`${FN}: storage "${storage.key}" has no entry "${name}" in the archive`);
    return data;
  });
}

function readLegacy(bytes: Uint8Array): Record<string, TorchTensor> {
  const header = (what: string, at: number) => {
    try {
      return unpickle(bytes, at, { fn: FN, globals: {} });
    } catch (error) {
      throw new Error(`${(error as Error).message}; reading the legacy format's ${what}`);
    }
  };
  const magic = header('magic number', 0);
  if (magic.value !== LEGACY_MAGIC) {
    throw new Error(`${FN}: a pickle stream that does not start with the legacy torch.save magic number (got ${describe(magic.value)} ${String(magic.value)}): not a PyTorch checkpoint`);
  }
  const protocol = header('protocol version', magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) throw new Error(`${FN}: legacy protocol version ${String(protocol.value)}, expected ${LEGACY_PROTOCOL}`);
  const info = header('system info', protocol.end);
  if (info.value instanceof PyDict && info.value.map.get('little_endian') === false) {
    throw new Error(`${FN}: the checkpoint was written on a big-endian machine; only little-endian files are read`);
  }
  const storages = new Map<string, StorageType>();
  const main = unpickle(bytes, info.end, {
    fn: FN,
    globals: allowedGlobals(),
    persistentLoad: (id) => {
      const ref = storageFromId(id, true);
      const known = storages.get(ref.key);
      if (known && known.dtype !== ref.type.dtype) throw new Error(`storage "${ref.key}" is used as both ${known.dtype} and ${ref.type.dtype}`);
      storages.set(ref.key, ref.type);
      return ref;
    },
  });
  const keys = unpickle(bytes, main.end, { fn: FN, globals: {} });
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new Error(`${FN}: the legacy storage key list is ${describe(keys.value)}, expected a list of strings (corrupt file?)`);
  }
  // Storage sections follow in the order of that list: int64 element count, then the raw bytes.
  const sections = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const type = storages.get(key);
    if (!type) throw new Error(`${FN}: the legacy storage list names "${key}", which no tensor uses (corrupt file?)`);
    if (at + 8 > bytes.length) throw new Error(`${FN}: truncated file: storage "${key}" starts at byte ${at} but the file has ${bytes.length} bytes`);
    const numel = view.getBigInt64(at, true);
    const size = numel * BigInt(type.itemSize);
    if (numel < 0n || size > BigInt(bytes.length - at - 8)) {
      throw new Error(`${FN}: truncated file: storage "${key}" needs ${size} bytes after byte ${at + 8} but the file has ${bytes.length} bytes`);
    }
    sections.set(key, bytes.subarray(at + 8, at + 8 + Number(size)));
    at += 8 + Number(size);
  }
  return collectTensors(main.value, (storage) => {
    const data = sections.get(storage.key);
    if (!data) throw new Error(`${FN}: storage "${storage.key}" is missing from the legacy storage list (corrupt file?)`);
    return data;
  });
}

/** Walks dicts and lists for tensors, materialising each from its storage bytes. */
function collectTensors(root: PyValue, storageBytes: (s: StorageRef) => Uint8Array): Record<string, TorchTensor> {
  const out: Record<string, TorchTensor> = {};
  const visit = (value: PyValue, key: string) => {
    if (value instanceof TensorRef) out[key] = materialize(key, value, storageBytes(value.storage));
    else if (value instanceof PyDict) for (const [k, v] of value.map) visit(v, key ? `${key}.${String(k)}` : String(k));
    else if (Array.isArray(value) || value instanceof PyTuple) {
      (Array.isArray(value) ? value : value.items).forEach((v, i) => visit(v, key ? `${key}.${i}` : String(i)));
    }
  };
  if (!(root instanceof TensorRef || root instanceof PyDict || Array.isArray(root) || root instanceof PyTuple)) {
    throw new Error(`${FN}: the checkpoint holds ${describe(root)}, expected a dict of tensors`);
  }
  if (root instanceof TensorRef) visit(root, 'tensor');
  else visit(root, '');
  return out;
}

function materialize(key: string, t: TensorRef, raw: Uint8Array): TorchTensor {
  const { type, elementOffset, numel: storageNumel } = t.storage;
  const what = `${FN}: tensor "${key}"`;
  if ((elementOffset + storageNumel) * type.itemSize > raw.length) {
    throw new Error(`${what}: its ${type.dtype} storage "${t.storage.key}" needs ${(elementOffset + storageNumel) * type.itemSize} bytes, the file holds ${raw.length} (truncated?)`);
  }
  const count = t.size.reduce((a, b) => a * b, 1);
  if (count === 0) return { dtype: type.dtype, shape: [...t.size], data: decode(what, type, raw, 0, 0) };
  // The elements this view reaches lie in [offset, last]; all must be inside the storage.
  const last = t.offset + t.size.reduce((sum, n, i) => sum + (n - 1) * t.stride[i], 0);
  if (last >= storageNumel) {
    throw new Error(`${what}: offset ${t.offset}, size [${t.size}] and stride [${t.stride}] reach element ${last} of a storage with ${storageNumel}`);
  }
  const span = decode(what, type, raw, elementOffset + t.offset, last - t.offset + 1);
  let contiguous = true;
  for (let i = t.size.length - 1, expected = 1; i >= 0; i--) {
    if (t.size[i] !== 1 && t.stride[i] !== expected) contiguous = false;
    expected *= t.size[i];
  }
  if (contiguous) return { dtype: type.dtype, shape: [...t.size], data: span.length === count ? span : span.subarray(0, count) };
  // Gather a strided view in row-major order with an odometer over the dimensions.
  const data = new (span.constructor as Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor)(count);
  const rank = t.size.length;
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < count; i++) {
    data[i] = span[source];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < t.size[d]) {
        source += t.stride[d];
        break;
      }
      source -= (t.size[d] - 1) * t.stride[d];
      index[d] = 0;
    }
  }
  return { dtype: type.dtype, shape: [...t.size], data };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Converts `count` elements starting at element `start` of little-endian storage bytes. */
function decode(what: string, type: StorageType, raw: Uint8Array, start: number, count: number): Float32Array | Int32Array | Uint8Array {
  const bytes = raw.subarray(start * type.itemSize, (start + count) * type.itemSize);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type.dtype) {
    case 'float32': {
      if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.slice().buffer);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'float64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'float16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16BitsToFloat32(view.getUint16(2 * i, true));
      return out;
    }
    case 'bfloat16': {
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'int64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) throw new Error(`${what} (int64) holds ${v} at storage element ${start + i}, which does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'int16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    }
    case 'int8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    }
    case 'uint8':
      return bytes.slice();
    case 'bool': {
      const out = bytes.slice();
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) throw new Error(`${what} (bool) holds byte ${out[bad]} at storage element ${start + bad}; expected 0 or 1`);
      return out;
    }
  }
}

/**
 * New tf tensors from read checkpoint tensors: float32 for the float types, int32 for the integer types and uint8,
 * bool for bool. The caller owns (and disposes) them.
 */
export function stateDictFromTorchTensors(tensors: Record<string, TorchTensor>): StateDict {
  const state: StateDict = {};
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    if (dtype === 'bool') state[name] = tf.tensor(data, shape, 'bool');
    else if (dtype === 'uint8') state[name] = tf.tensor(Int32Array.from(data), shape, 'int32');
    else state[name] = tf.tensor(data, shape, data instanceof Float32Array ? 'float32' : 'int32');
  }
  return state;
}

/** Reads a PyTorch checkpoint's tensors ({@link readTorchCheckpoint}) into new tf tensors; the caller owns them. */
export function loadTorchStateDict(bytes: Uint8Array): StateDict {
  return stateDictFromTorchTensors(readTorchCheckpoint(bytes));
}
