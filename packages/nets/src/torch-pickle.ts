// A restricted interpreter for Python pickles (protocols 0–5 as far as data goes), enough for PyTorch state dicts.
// Python's pickle would import and call any `module.name` the stream names; this one looks each name up in a table
// the caller passes and refuses every other, so a hostile file cannot run code. Opcode meanings follow the standard
// library's pickletools documentation. Containers come back as plain values: lists as arrays, tuples as PyTuple,
// dicts as PyDict (insertion-ordered); the caller's callables build anything else (tensors).

/** A Python tuple (kept apart from lists, which are arrays). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** Keys a PyDict takes: Python's hashable scalars. */
export type PyKey = string | number | bigint | boolean | null;

/** A Python dict (or OrderedDict), in insertion order. `attributes` holds what BUILD set on it (OrderedDict's `_metadata`). */
export class PyDict {
  readonly map = new Map<PyKey, PyValue>();
  attributes: PyValue = null;
}

/** Anything the interpreter puts on its stack; the caller's callables may return their own objects. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | object;

/** What a `module name` global resolves to: a callable for REDUCE, or a plain value (e.g. a storage type). */
export type PickleGlobal = { call: (args: PyValue[]) => PyValue } | { value: PyValue };

export interface UnpickleOptions {
  /** Allowed globals by "module name" (a space between, as GLOBAL writes them). */
  globals: Record<string, PickleGlobal>;
  /** Resolves BINPERSID / PERSID ids (PyTorch's storages). Without it, persistent ids are refused. */
  persistentLoad?: (id: PyValue) => PyValue;
  /** Names the caller in errors. */
  fn: string;
}

const NAMES: Record<number, string> = {};
for (const [name, code] of Object.entries({
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, FLOAT: 0x46, INT: 0x49, BININT: 0x4a, BININT1: 0x4b,
  LONG: 0x4c, BININT2: 0x4d, NONE: 0x4e, PERSID: 0x50, BINPERSID: 0x51, REDUCE: 0x52, STRING: 0x53, BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55, UNICODE: 0x56, BINUNICODE: 0x58, APPEND: 0x61, BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64,
  EMPTY_DICT: 0x7d, APPENDS: 0x65, GET: 0x67, BINGET: 0x68, INST: 0x69, LONG_BINGET: 0x6a, LIST: 0x6c, EMPTY_LIST: 0x5d,
  OBJ: 0x6f, PUT: 0x70, BINPUT: 0x71, LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74, EMPTY_TUPLE: 0x29, SETITEMS: 0x75,
  BINFLOAT: 0x47, PROTO: 0x80, NEWOBJ: 0x81, EXT1: 0x82, EXT2: 0x83, EXT4: 0x84, TUPLE1: 0x85, TUPLE2: 0x86,
  TUPLE3: 0x87, NEWTRUE: 0x88, NEWFALSE: 0x89, LONG1: 0x8a, LONG4: 0x8b, BINBYTES: 0x42, SHORT_BINBYTES: 0x43,
  SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e, EMPTY_SET: 0x8f, ADDITEMS: 0x90, FROZENSET: 0x91,
  NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96, NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
})) NAMES[code] = name;

const MARK = Symbol('mark');

/**
 * Runs one pickle that starts at `start` in `bytes` (up to its STOP) and returns the value and the offset just past
 * STOP. Throws, naming `options.fn` and the byte offset, on a truncated stream, an unknown or unsupported opcode, a
 * global outside `options.globals`, or a malformed structure.
 */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: PyValue; end: number } {
  const { fn } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: (PyValue | typeof MARK)[] = [];
  const memo = new Map<number, PyValue>();
  let pos = start;
  let opAt = start;

  const fail = (message: string): never => {
    throw new Error(`${fn}: ${message} (pickle opcode at byte ${opAt})`);
  };
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated pickle: needs ${n} more bytes at byte ${pos}, the data has ${bytes.length}`);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} runs past the end of the data`);
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle: a text argument has no end of line');
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (raw: Uint8Array): string => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('a unicode string is not valid UTF-8');
    }
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) fail('stack underflow');
    if (v === MARK) fail('a MARK where a value was expected');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK on the stack');
    const items = stack.splice(at) as PyValue[];
    items.shift();
    return items;
  };
  /** Signed little-endian two's complement, as LONG1 / LONG4 store it. */
  const long = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const resolve = (module: string, name: string): PyValue => {
    const entry = options.globals[`${module} ${name}`];
    if (!entry) {
      const allowed = Object.keys(options.globals).map((k) => k.replace(' ', '.'));
      const list = allowed.length > 4 ? `${allowed.slice(0, 4).join(', ')}, …` : allowed.join(', ') || 'none';
      fail(`refuses the global ${module}.${name}: it is not one of the ${allowed.length} globals that a state dict of tensors needs (${list})`);
    }
    return { global: `${module}.${name}`, entry } as GlobalRef;
  };
  const dictKey = (key: PyValue): PyKey => {
    if (key === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof key)) return key as PyKey;
    return fail(`unsupported dict key of type ${describe(key)}`);
  };
  const setItems = (dict: PyValue, items: PyValue[]) => {
    if (!(dict instanceof PyDict)) fail(`SETITEM(S) on ${describe(dict)}, expected a dict`);
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).map.set(dictKey(items[i]), items[i + 1]);
  };
  const append = (list: PyValue, items: PyValue[]) => {
    if (!Array.isArray(list)) fail(`APPEND(S) on ${describe(list)}, expected a list`);
    (list as PyValue[]).push(...items);
  };
  const call = (callable: PyValue, args: PyValue): PyValue => {
    if (!isGlobalRef(callable)) return fail(`REDUCE on ${describe(callable)}, which is not an allowed callable`);
    if (!(args instanceof PyTuple)) return fail(`REDUCE of ${callable.global} with ${describe(args)} arguments, expected a tuple`);
    if (!('call' in callable.entry)) return fail(`${callable.global} is not callable`);
    try {
      return callable.entry.call(args.items);
    } catch (error) {
      return fail(`${callable.global}: ${(error as Error).message}`);
    }
  };
  const persistent = (id: PyValue): PyValue => {
    if (!options.persistentLoad) return fail('a persistent id, but this pickle may not reference external data');
    try {
      return options.persistentLoad(id);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  const unwrap = (v: PyValue): PyValue => (isGlobalRef(v) && 'value' in v.entry ? v.entry.value : v);

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail(`pickle protocol ${bytes[pos - 1]} is newer than 5`);
        break;
      case 0x95: // FRAME: a length prefix only
        u64();
        break;
      case 0x2e: { // STOP
        const value = pop();
        return { value: unwrap(value), end: pos };
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) fail('stack underflow');
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8())));
        break;
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('LONG4 with a negative length');
        stack.push(long(take(n)));
        break;
      }
      case 0x49: { // INT (text; protocol 0 writes booleans as 00 / 01)
        const t = line().trim();
        if (t === '00' || t === '01') stack.push(t === '01');
        else if (/^[+-]?\d+$/.test(t)) stack.push(Number.isSafeInteger(Number(t)) ? Number(t) : BigInt(t));
        else fail(`INT with a malformed value "${t}"`);
        break;
      }
      case 0x4c: { // LONG (text)
        const t = line().trim().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(t)) fail(`LONG with a malformed value "${t}"`);
        const v = BigInt(t);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: { // FLOAT (text)
        const v = Number(line());
        if (Number.isNaN(v)) fail('FLOAT with a malformed value');
        stack.push(v);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(take(u64())));
        break;
      case 0x54: { // BINSTRING (Python 2 str): read as latin-1 text, as torch.load's default encoding does for keys
        const n = i32();
        if (n < 0) fail('BINSTRING with a negative length');
        stack.push(latin1.decode(take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: { // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: { // DICT
        const dict = new PyDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        stack.push(resolve(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: { // BUILD: only OrderedDict attributes (torch's _metadata) are accepted, and kept aside
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict)) fail(`BUILD on ${describe(target)}: setting state is only accepted on a dict`);
        (target as PyDict).attributes = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID (text)
        stack.push(persistent(line()));
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x67: // GET (text)
        stack.push(get(Number(line())));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT (text)
        memo.set(Number(line()), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      default: {
        const name = NAMES[op];
        fail(name ? `unsupported pickle opcode ${name} (0x${op.toString(16)}): it builds objects a state dict does not contain` : `unknown pickle opcode 0x${op.toString(16)} (corrupt file?)`);
      }
    }
  }

  function get(index: number): PyValue {
    if (!memo.has(index)) fail(`memo entry ${index} was never stored`);
    return memo.get(index) as PyValue;
  }
}

interface GlobalRef {
  global: string;
  entry: PickleGlobal;
}

function isGlobalRef(v: unknown): v is GlobalRef {
  return typeof v === 'object' && v !== null && 'global' in v && 'entry' in v;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof PyTuple) return `a ${v.items.length}-tuple`;
  if (v instanceof PyDict) return 'a dict';
  if (v instanceof Uint8Array) return 'bytes';
  if (isGlobalRef(v)) return v.global;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}

/** The value of an allowed global that is a plain value (a storage type), or undefined. */
export function globalValue(v: unknown): PyValue | undefined {
  return isGlobalRef(v) && 'value' in v.entry ? v.entry.value : undefined;
}
