/**
 * NumPy's own files, read without NumPy: `.npy` (numpy.lib.format, NEP 1:
 * a magic string, a version, a header length and a Python dict literal
 * naming the dtype, the order and the shape) and `.npz` (a ZIP archive of
 * `.npy` members, stored or deflated, as np.savez and np.savez_compressed
 * write them). Headers are read in bounded reads, for the checker; arrays
 * are decoded chunk by chunk into one Float32Array or Float64Array, for the
 * trainer, so that a file is never held whole beside its decoded values.
 *
 * Every header version (1.0, 2.0, 3.0), both byte orders, C and Fortran
 * order, and the bool, integer and float dtypes are read; others (complex,
 * strings, objects, dates, structured) are named and refused.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** No header numpy writes comes near this; a larger one is a broken file. */
export const MAX_NPY_HEADER = 1 << 20;
const CHUNK_BYTES = 1 << 16;

/** A dtype the trainer can read: its kind, its size in bytes and its byte order. */
export interface NpyDtype {
  kind: 'bool' | 'int' | 'uint' | 'float';
  size: number;
  littleEndian: boolean;
}

/** One array's header as a `.npy` file (or `.npz` member) gives it. */
export interface NpyHeader {
  version: string;
  /** The dtype as written, e.g. '<f4', '>i8', '|b1'. */
  descr: string;
  /** Undefined where the dtype is not one the trainer reads. */
  dtype?: NpyDtype;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes from the start of the array's `.npy` data to its values. */
  dataOffset: number;
}

/** A file that is not what its name says, in words (for the checker and the trainer alike). */
export class NumpyFormatError extends Error {
  override readonly name = 'NumpyFormatError';
}

/** The dtypes read: b1, i1–i8, u1–u8, f2–f8, in either byte order. */
export function parseDtype(descr: string): NpyDtype | undefined {
  const match = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  if (!match) return undefined;
  const [, order, code, digits] = match;
  const size = Number(digits);
  const kind = ({ b: 'bool', i: 'int', u: 'uint', f: 'float' } as const)[code as 'b' | 'i' | 'u' | 'f'];
  const sizes = kind === 'bool' ? [1] : kind === 'float' ? [2, 4, 8] : [1, 2, 4, 8];
  if (!sizes.includes(size)) return undefined;
  // '|' is "not applicable" (one byte); '=' is the writer's own order, little-endian on every platform numpy ships for.
  return { kind, size, littleEndian: order !== '>' };
}

/**
 * The header of a `.npy` file from its first bytes, or undefined when more
 * bytes are needed (`needed` says how many). Throws NumpyFormatError for a
 * file that is not one.
 */
export function parseNpyHeader(bytes: Uint8Array): { header: NpyHeader } | { needed: number } {
  if (bytes.length < 10) {
    checkMagic(bytes);
    return { needed: 12 };
  }
  checkMagic(bytes);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) throw new NumpyFormatError(`it is a .npy file of format version ${major}.${minor}, which is not one of 1.0, 2.0 and 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major > 1 && bytes.length < 12) return { needed: 12 };
  const start = major === 1 ? 10 : 12;
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_NPY_HEADER) throw new NumpyFormatError(`its header claims ${length} bytes, more than any .npy header holds`);
  if (bytes.length < start + length) return { needed: start + length };
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + length));
  const dict = parseHeaderDict(text);
  return {
    header: {
      version: `${major}.${minor}`,
      descr: dict.descr,
      dtype: parseDtype(dict.descr),
      fortranOrder: dict.fortranOrder,
      shape: dict.shape,
      dataOffset: start + length,
    },
  };
}

function checkMagic(bytes: Uint8Array): void {
  const have = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < have; i++) if (bytes[i] !== MAGIC[i]) throw new NumpyFormatError('it is not a .npy file (it does not start with \\x93NUMPY)');
}

/**
 * The header's Python dict literal: {'descr': '<f4', 'fortran_order':
 * False, 'shape': (3, 4), }. A small reader of exactly that grammar
 * (strings, True/False, tuples of integers, a list for a structured dtype).
 */
function parseHeaderDict(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  let at = 0;
  const fail = (what: string): never => {
    throw new NumpyFormatError(`its header is not a valid .npy header (${what}): ${text.trim().slice(0, 120)}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) fail(`expected '${char}'`);
    at++;
  };
  const string = (): string => {
    space();
    const quote = text[at];
    if (quote !== "'" && quote !== '"') fail('expected a string');
    const end = text.indexOf(quote!, at + 1);
    if (end < 0) fail('an unclosed string');
    const value = text.slice(at + 1, end);
    at = end + 1;
    return value;
  };
  // Any value, skipped or read: nested brackets for a structured dtype's list.
  const value = (): unknown => {
    space();
    const char = text[at];
    if (char === "'" || char === '"') return string();
    if (char === '(' || char === '[') {
      const close = char === '(' ? ')' : ']';
      at++;
      const items: unknown[] = [];
      for (;;) {
        space();
        if (text[at] === close) {
          at++;
          return char === '(' ? { tuple: items } : { list: items };
        }
        items.push(value());
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    const word = /^[A-Za-z0-9_+-]+/.exec(text.slice(at))?.[0];
    if (!word) fail('expected a value');
    at += word!.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    const number = Number(word!.replace(/L$/, ''));
    if (!Number.isSafeInteger(number)) fail(`'${word}' is not a value`);
    return number;
  };
  expect('{');
  const entries = new Map<string, unknown>();
  for (;;) {
    space();
    if (text[at] === '}') break;
    const key = string();
    expect(':');
    entries.set(key, value());
    space();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') fail("expected ',' or '}'");
  }
  const descr = entries.get('descr');
  const fortran = entries.get('fortran_order');
  const shape = entries.get('shape') as { tuple?: unknown[] } | undefined;
  if (descr === undefined || typeof fortran !== 'boolean' || !shape?.tuple) fail("it lacks 'descr', 'fortran_order' or 'shape'");
  const dims = shape!.tuple!;
  if (!dims.every((dim) => typeof dim === 'number' && dim >= 0)) fail('a dimension is not a whole number');
  // A structured dtype is a list of fields: named in the message as numpy would print it.
  const written = typeof descr === 'string' ? descr : 'a structured dtype';
  return { descr: written, fortranOrder: fortran as boolean, shape: dims as number[] };
}

/** What each dtype letter is, for messages. */
export function describeDtype(descr: string): string {
  const dtype = parseDtype(descr);
  if (dtype) return `${dtype.kind === 'uint' ? 'uint' : dtype.kind}${dtype.kind === 'bool' ? '' : dtype.size * 8}`;
  const kinds: Record<string, string> = { c: 'complex', U: 'unicode string', S: 'byte string', O: 'Python object', M: 'datetime', m: 'timedelta', V: 'raw bytes' };
  const code = /^[<>|=]?([A-Za-z])/.exec(descr)?.[1];
  return code && kinds[code] ? `${kinds[code]} (${descr})` : descr;
}

export const elementsOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Decodes an array's values, given chunk by chunk, into `out` in C order
 * (a Fortran-ordered array is transposed as it comes), each value as a
 * number: bools 0 or 1, 64-bit integers rounded to the nearest double.
 */
export class NpyDecoder {
  private readonly total: number;
  private readonly view: (view: DataView, at: number) => number;
  private readonly carry: Uint8Array;
  private carried = 0;
  private index = 0;
  // Fortran order: the C position of the next value, and the multi-index walked first axis fastest.
  private cIndex = 0;
  private readonly counters: number[];
  private readonly strides: number[];

  constructor(
    private readonly header: NpyHeader,
    private readonly out: Float32Array | Float64Array,
    private readonly name: string,
  ) {
    const dtype = header.dtype;
    if (!dtype) throw new NumpyFormatError(`${name} holds ${describeDtype(header.descr)} values; only bool, integer and float arrays can be read`);
    this.total = elementsOf(header.shape);
    if (out.length < this.total) throw new RangeError('the output is smaller than the array');
    this.view = reader(dtype);
    this.carry = new Uint8Array(dtype.size);
    this.counters = header.shape.map(() => 0);
    this.strides = header.shape.map((_, axis) => elementsOf(header.shape.slice(axis + 1)));
  }

  /** Values decoded so far. */
  get count(): number {
    return this.index;
  }

  /** Decodes the bytes of `chunk`; bytes past the array's end are an error. */
  push(chunk: Uint8Array): void {
    const size = this.carry.length;
    let at = 0;
    if (this.carried > 0) {
      const take = Math.min(size - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      at = take;
      if (this.carried < size) return;
      this.store(this.view(new DataView(this.carry.buffer), 0));
      this.carried = 0;
    }
    const whole = Math.floor((chunk.length - at) / size);
    if (this.index + whole > this.total) throw new NumpyFormatError(`${this.name} holds more data than its shape (${this.header.shape.join(', ')}) says`);
    const view = new DataView(chunk.buffer, chunk.byteOffset + at, whole * size);
    for (let i = 0; i < whole; i++) this.store(this.view(view, i * size));
    const rest = chunk.length - at - whole * size;
    if (rest > 0) {
      this.carry.set(chunk.subarray(chunk.length - rest));
      this.carried = rest;
    }
  }

  /** Throws unless every value arrived. */
  finish(): void {
    if (this.index < this.total || this.carried > 0) {
      throw new NumpyFormatError(`${this.name} is truncated: its shape (${this.header.shape.join(', ')}) holds ${this.total} values, but the file ends after ${this.index}`);
    }
  }

  private store(value: number): void {
    if (this.index >= this.total) throw new NumpyFormatError(`${this.name} holds more data than its shape (${this.header.shape.join(', ')}) says`);
    if (!this.header.fortranOrder || this.header.shape.length < 2) {
      this.out[this.index++] = value;
      return;
    }
    this.out[this.cIndex] = value;
    this.index++;
    const { counters, strides } = this;
    const shape = this.header.shape;
    for (let axis = 0; axis < shape.length; axis++) {
      counters[axis]!++;
      this.cIndex += strides[axis]!;
      if (counters[axis]! < shape[axis]!) return;
      this.cIndex -= counters[axis]! * strides[axis]!;
      counters[axis] = 0;
    }
  }
}

function reader(dtype: NpyDtype): (view: DataView, at: number) => number {
  const le = dtype.littleEndian;
  switch (dtype.kind) {
    case 'bool':
      return (view, at) => (view.getUint8(at) !== 0 ? 1 : 0);
    case 'int':
      if (dtype.size === 1) return (view, at) => view.getInt8(at);
      if (dtype.size === 2) return (view, at) => view.getInt16(at, le);
      if (dtype.size === 4) return (view, at) => view.getInt32(at, le);
      return (view, at) => Number(view.getBigInt64(at, le));
    case 'uint':
      if (dtype.size === 1) return (view, at) => view.getUint8(at);
      if (dtype.size === 2) return (view, at) => view.getUint16(at, le);
      if (dtype.size === 4) return (view, at) => view.getUint32(at, le);
      return (view, at) => Number(view.getBigUint64(at, le));
    case 'float':
      if (dtype.size === 2) return (view, at) => halfToNumber(view.getUint16(at, le));
      if (dtype.size === 4) return (view, at) => view.getFloat32(at, le);
      return (view, at) => view.getFloat64(at, le);
  }
}

/** IEEE 754 half precision, exactly: every float16 is a float32. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// ZIP archives (APPNOTE.TXT): the end record, the central directory, each member's local header.

/** A member of an `.npz` archive, as its central directory lists it. */
export interface ZipMember {
  name: string;
  /** 0: stored; 8: deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The central directory of an archive of many arrays is small; past this the archive is taken for broken. */
const MAX_DIRECTORY = 16 << 20;

/** Reads `length` bytes at `position`, fewer at the end of the file. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The members of a ZIP archive of `size` bytes, from its central directory. */
export async function readZipDirectory(handle: FileHandle, size: number): Promise<ZipMember[]> {
  const tailLength = Math.min(size, 22 + 0xffff + 20);
  const tail = await readAt(handle, size - tailLength, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new NumpyFormatError('it is not a .npz file (no ZIP archive ends it)');
  let entries = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  if ((directoryOffset === 0xffffffff || entries === 0xffff) && end >= 20 && view.getUint32(end - 20, true) === ZIP64_LOCATOR) {
    const record = await readAt(handle, Number(view.getBigUint64(end - 12, true)), 56);
    const zip64 = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (record.length < 56 || zip64.getUint32(0, true) !== ZIP64_EOCD) throw new NumpyFormatError('its ZIP64 end record is broken');
    entries = Number(zip64.getBigUint64(32, true));
    directorySize = Number(zip64.getBigUint64(40, true));
    directoryOffset = Number(zip64.getBigUint64(48, true));
  }
  if (directorySize > MAX_DIRECTORY || directoryOffset + directorySize > size) throw new NumpyFormatError('its ZIP directory is broken');
  const directory = await readAt(handle, directoryOffset, directorySize);
  const dir = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const members: ZipMember[] = [];
  let at = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > directory.length || dir.getUint32(at, true) !== CENTRAL) throw new NumpyFormatError('its ZIP directory is broken');
    const nameLength = dir.getUint16(at + 28, true);
    const extraLength = dir.getUint16(at + 30, true);
    const commentLength = dir.getUint16(at + 32, true);
    const name = new TextDecoder().decode(directory.subarray(at + 46, at + 46 + nameLength));
    let size32 = dir.getUint32(at + 24, true);
    let compressed = dir.getUint32(at + 20, true);
    let offset = dir.getUint32(at + 42, true);
    // ZIP64: the fields that overflowed are in the extra field 0x0001, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = dir.getUint16(extra, true);
      const length = dir.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        const next = () => {
          const value = Number(dir.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (size32 === 0xffffffff) size32 = next();
        if (compressed === 0xffffffff) compressed = next();
        if (offset === 0xffffffff) offset = next();
      }
      extra += 4 + length;
    }
    members.push({ name, method: dir.getUint16(at + 10, true), compressedSize: compressed, size: size32, localHeaderOffset: offset });
    at = extraEnd + commentLength;
  }
  return members;
}

/** Where a member's data starts: after its local header, whose name and extra field may differ in length from the directory's. */
async function memberDataOffset(handle: FileHandle, member: ZipMember): Promise<number> {
  const local = await readAt(handle, member.localHeaderOffset, 30);
  const view = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (local.length < 30 || view.getUint32(0, true) !== LOCAL) throw new NumpyFormatError(`its member ${member.name} is broken`);
  return member.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
}

/**
 * The bytes of one member (or of a whole `.npy` file when `member` is
 * undefined), chunk by chunk, inflated where the member is deflated.
 * Stops early when `onChunk` returns false.
 */
export async function streamBytes(handle: FileHandle, size: number, member: ZipMember | undefined, onChunk: (chunk: Uint8Array) => boolean): Promise<void> {
  const start = member ? await memberDataOffset(handle, member) : 0;
  const length = member ? member.compressedSize : size;
  if (member && member.method !== 0 && member.method !== 8) throw new NumpyFormatError(`its member ${member.name} is compressed by method ${member.method}; only stored and deflated members are read`);
  const inflate = member?.method === 8 ? createInflateRaw() : undefined;
  let more = true;
  // What inflate gives is handed on as it comes (at most zlib's 16 KiB at a time), so that a highly compressed member never piles up.
  let inflateFailure: Error | undefined;
  let consumerFailure: unknown;
  const hand = (chunk: Uint8Array) => {
    if (!more) return;
    try {
      more = onChunk(chunk);
    } catch (error) {
      consumerFailure = error;
      more = false;
    }
  };
  const ended = inflate
    ? new Promise<void>((resolve) => {
        inflate.on('data', hand);
        inflate.on('end', resolve);
        inflate.on('error', (error) => {
          inflateFailure ??= error;
          resolve();
        });
      })
    : undefined;
  try {
    for (let done = 0; done < length && more && !inflateFailure; ) {
      const chunk = await readAt(handle, start + done, Math.min(CHUNK_BYTES, length - done));
      if (chunk.length === 0) throw new NumpyFormatError(member ? `its member ${member.name} is truncated` : 'it is truncated');
      done += chunk.length;
      if (!inflate) hand(chunk);
      // A write that fails never calls back: the error ends the wait instead.
      else await Promise.race([new Promise<void>((resolve) => inflate.write(chunk, () => resolve())), ended]);
    }
    if (inflate && more && !inflateFailure) {
      inflate.end();
      await ended;
    }
    if (consumerFailure !== undefined) throw consumerFailure;
    if (inflateFailure && more) throw new NumpyFormatError(`its member ${member!.name} cannot be inflated: ${inflateFailure.message}`);
  } finally {
    inflate?.destroy();
  }
}

/** The `.npy` header at the start of a byte stream: reads only as far as the header goes. */
export async function readNpyHeader(handle: FileHandle, size: number, member?: ZipMember): Promise<NpyHeader> {
  let bytes = new Uint8Array(0);
  let header: NpyHeader | undefined;
  let failure: unknown;
  await streamBytes(handle, size, member, (chunk) => {
    const joined = new Uint8Array(bytes.length + chunk.length);
    joined.set(bytes);
    joined.set(chunk, bytes.length);
    bytes = joined;
    try {
      const result = parseNpyHeader(bytes);
      if ('header' in result) header = result.header;
    } catch (error) {
      failure = error;
    }
    return header === undefined && failure === undefined && bytes.length <= MAX_NPY_HEADER + 12;
  });
  if (failure) throw failure;
  if (!header) throw new NumpyFormatError(bytes.length === 0 ? 'it is empty' : 'it ends inside its .npy header');
  return header;
}

/** A file (or member) too short for its shape is truncated: told from its size alone, before any value is read. */
function checkLength(header: NpyHeader, size: number): void {
  if (!header.dtype) return;
  const needed = header.dataOffset + elementsOf(header.shape) * header.dtype.size;
  if (size < needed) throw new NumpyFormatError(`it is truncated: its shape (${header.shape.join(', ')}) needs ${needed} bytes, but it has ${size}`);
}

/** An array of a NumPy file, as the checker sees it. */
export interface NumpyArrayInfo {
  /** The member's name without `.npy` for an `.npz`; '' for a `.npy` file. */
  name: string;
  header?: NpyHeader;
  /** Why the member's header could not be read. */
  problem?: string;
  member?: ZipMember;
}

/** The name np.savez gives the array `name`: the member's name without `.npy`. */
export const arrayName = (member: string): string => member.replace(/\.npy$/, '');

/** Every array of a `.npy` (one, named '') or `.npz` file with its header, read from an open file. */
export async function readArrays(handle: FileHandle, size: number, zip: boolean): Promise<NumpyArrayInfo[]> {
  if (!zip) {
    const header = await readNpyHeader(handle, size);
    checkLength(header, size);
    return [{ name: '', header }];
  }
  const arrays: NumpyArrayInfo[] = [];
  for (const member of await readZipDirectory(handle, size)) {
    if (member.name.endsWith('/')) continue;
    try {
      const header = await readNpyHeader(handle, size, member);
      checkLength(header, member.size);
      arrays.push({ name: arrayName(member.name), header, member });
    } catch (error) {
      arrays.push({ name: arrayName(member.name), problem: error instanceof Error ? error.message : String(error), member });
    }
  }
  return arrays;
}

/** Whether a path names an archive: `.npz` by its name, as numpy.load decides by its content; here the name decides. */
export const isNpz = (path: string): boolean => /\.npz$/i.test(path);

/**
 * Opens a file for reading only if it is a regular file, without blocking
 * on a FIFO; `expected`, when given, must be the same file.
 */
export async function openNumpy(file: string, expected?: Stats): Promise<{ handle: FileHandle; stats: Stats }> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { stats });
    if (expected && (stats.ino !== expected.ino || stats.dev !== expected.dev)) throw Object.assign(new Error('it changed while it was being read'), { code: 'ECHANGED' });
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
