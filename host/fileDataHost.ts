/**
 * The data host for Node: answers the core's questions about data files
 * from the file system, relative to the .net file, without ever blocking
 * the event loop.
 *
 * The core asks synchronously; the answers come from a cache. A question
 * the cache cannot answer starts an asynchronous read (fs.promises, on
 * libuv's thread pool) and is answered "cannot tell yet" (undefined), so
 * that analysis goes on without the check; when the read ends, the cache's
 * owner hears of it and analyses again (the server), or the analysis is
 * simply run again after the reads (`analyzeWithDataFiles`, for commands).
 *
 * Only regular files are read: a path is `stat`ed first, and a directory,
 * named pipe, socket or device is never opened (and a file swapped for one
 * between the stat and the open is caught by the open's own `fstat`, the
 * open being non-blocking). Every read is bounded in bytes and in time.
 * Answers are kept per file version (device, inode, size, mtime): an
 * unchanged file is read once, a changed one again.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse, type Options } from 'csv-parse';
import { analyze, type Analysis, type DataFileProblem, type DataHost, type ImageFolderInfo, type NumpyArrays } from '../core';
import { listImageFolder } from './imageFolder';
import { describeDtype, elementsOf, isNpz, NpyDecoder, readArrays, streamBytes, type NumpyArrayInfo } from './numpy';

/** The header row is looked for in the first MiB; past it the header goes unchecked (a 28×28 image's 785 names take about 6 KiB). */
export const HEADER_BYTES = 1 << 20;
/** Files up to 32 MiB are scanned for their classes; larger ones are left to the trainer. */
export const CLASS_SCAN_BYTES = 32 << 20;
/** More distinct labels than this are no classification's: the scan stops and the class check is skipped. */
export const MAX_CLASSES = 10_000;
/** How long a header read (stat, open and read) may take before the file is reported as not answering. */
export const HEADER_TIMEOUT_MS = 5_000;
/** How long a class scan may take before it is given up, unreported. */
export const CLASS_SCAN_TIMEOUT_MS = 30_000;
/** Image folders with more images than this go unchecked (the trainer still reads them): a check lists the folder again on every change. */
export const MAX_LISTED_IMAGES = 100_000;
/** Files remembered at most; the oldest is forgotten first (each path typed while editing is one). */
const MAX_FILES = 256;
const CHUNK_BYTES = 1 << 16;

/** As the trainer parses a CSV file (trainer/data/csv.ts), so that both see the same header and labels. */
const CSV_OPTIONS: Options = { bom: true, relax_column_count: true, skip_empty_lines: true };

type Header = string[] | DataFileProblem | undefined;

export interface DataFilesOptions {
  /**
   * Re-check a file's version each time it is asked about again, and re-read
   * it when it changed (the server); off for a command that reads once.
   */
  revalidate?: boolean;
  headerTimeoutMs?: number;
  classScanTimeoutMs?: number;
}

/** The host of one analysis: what it asked, and how much of it the cache could not answer yet. */
export interface FileDataHost extends DataHost {
  /** Absolute paths of the data files this host was asked about. */
  readonly files: ReadonlySet<string>;
  /** Questions answered "cannot tell yet" because a read had to start or is under way. */
  readonly misses: number;
}

/**
 * How one kind of data file is read: its header's answer (a CSV's names, a
 * NumPy file's arrays), and the scan that counts one label's classes. Both
 * kinds are kept, versioned and refreshed by the same code.
 */
interface FileKind<A> {
  /** Keeps a CSV reading and a NumPy reading of one path apart. */
  name: 'csv' | 'numpy';
  /** The header's answer; a read that fails throws, and becomes `problem`'s answer. */
  readHeader(file: string, stats: Stats): Promise<A>;
  /** The answer for a file that cannot be read, or is not a regular file. */
  problem(problem: DataFileProblem): A;
  /** The problem an answer reports, if any. */
  problemIn(answer: A): DataFileProblem | undefined;
  same(a: A, b: A): boolean;
  /** The count of a label's classes, or undefined (unchecked) when the header says it cannot be counted. */
  classScan(file: string, stats: Stats, answer: A, label: string, cancel: { cancelled: boolean }): (() => Promise<number | undefined>) | undefined;
}

/** What is known of one data file: the answers, each with the file version it was read from. */
interface FileEntry<A = unknown> {
  kind: FileKind<A>;
  header?: { value: A; version?: string };
  classes: Map<string, { value: number | undefined; version?: string }>;
  /** Labels (a CSV's columns, a NumPy file's arrays) whose classes were asked for. */
  labels: Set<string>;
  /** The refresh under way: every answer it owes is settled (or timed out) when it ends. */
  running?: Promise<void>;
  /** Another refresh is wanted once this one ends (a new question came in meanwhile). */
  again: boolean;
  /** A file-system call that outlived its time limit: the file is left alone until it returns, so that stuck calls do not pile up. */
  stuck?: Promise<unknown>;
}

type NumpyAnswer = NumpyArrays | DataFileProblem | undefined;

/** A NumPy file's headers: the core's answer, and the arrays as read, with where each member lies, for the class scans. */
interface NumpyRead {
  answer: NumpyAnswer;
  infos?: NumpyArrayInfo[];
}

const CSV_FILES: FileKind<Header> = {
  name: 'csv',
  readHeader: (file, stats) => readHeader(file, stats),
  problem: (problem) => problem,
  problemIn: (header) => (header && !Array.isArray(header) ? header : undefined),
  same: sameHeader,
  classScan: (file, stats, header, label, cancel) =>
    !Array.isArray(header) || !header.includes(label) || stats.size > CLASS_SCAN_BYTES ? undefined : () => countClasses(file, stats, label, cancel),
};

const NUMPY_FILES: FileKind<NumpyRead> = {
  name: 'numpy',
  async readHeader(file, stats) {
    const read = await readNumpyHeaders(file, stats);
    return 'infos' in read ? { answer: { arrays: read.infos.map(headerOf) }, infos: read.infos } : { answer: read.problem };
  },
  problem: (problem) => ({ answer: problem }),
  problemIn: ({ answer }) => (answer && 'problem' in answer ? answer : undefined),
  same: (a, b) => JSON.stringify(a.answer) === JSON.stringify(b.answer),
  classScan(file, stats, read, array) {
    const info = read.infos?.find((candidate) => candidate.name === array);
    const header = info?.header;
    if (!info || !header?.dtype || elementsOf(header.shape) * header.dtype.size > CLASS_SCAN_BYTES) return undefined;
    return () => countValues(file, stats, info);
  },
};

class TimedOut extends Error {}

type FolderAnswer = ImageFolderInfo | DataFileProblem | undefined;

/** What is known of one image folder: its listing's answer, and the listing under way. */
interface FolderEntry {
  answer?: { value: FolderAnswer };
  running?: Promise<void>;
  again: boolean;
}

/**
 * The cache of data-file answers, shared by the hosts of many analyses (one
 * per server, one per command).
 */
export class DataFiles {
  private readonly entries = new Map<string, FileEntry>();
  private readonly folders = new Map<string, FolderEntry>();
  private readonly listeners: ((file: string) => void)[] = [];
  private readonly revalidate: boolean;
  private readonly headerTimeoutMs: number;
  private readonly classScanTimeoutMs: number;

  constructor(options: DataFilesOptions = {}) {
    this.revalidate = options.revalidate ?? false;
    this.headerTimeoutMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
    this.classScanTimeoutMs = options.classScanTimeoutMs ?? CLASS_SCAN_TIMEOUT_MS;
  }

  /** Calls `listener` with a file's absolute path whenever an answer about it arrives or changes. */
  onChange(listener: (file: string) => void): void {
    this.listeners.push(listener);
  }

  /** A host for the analysis of `netFile`, answering from this cache. */
  host(netFile: string): FileDataHost {
    const base = dirname(netFile);
    const files = new Set<string>();
    let misses = 0;
    const ask = <T>(path: string, answer: (file: string) => { known: true; value: T } | { known: false }): T | undefined => {
      const file = resolve(base, path);
      files.add(file);
      const result = answer(file);
      if (result.known) return result.value;
      misses++;
      return undefined;
    };
    return {
      files,
      get misses() {
        return misses;
      },
      csvHeader: (path) => ask(path, (file) => this.header(file, this.entry(file, CSV_FILES))),
      csvClasses: (path, label) => ask(path, (file) => this.classes(file, label, this.entry(file, CSV_FILES))),
      numpyArrays: (path) => ask(path, (file) => {
        const read = this.header(file, this.entry(file, NUMPY_FILES));
        return read.known ? { known: true, value: read.value.answer } : read;
      }),
      numpyClasses: (path, array) => ask(path, (file) => this.classes(file, array, this.entry(file, NUMPY_FILES))),
      imageFolder: (path) => ask(path, (dir) => this.folder(dir)),
    };
  }

  /** Settles when no read is under way (reads stuck past their time limit are not waited for). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.entries.values(), ...this.folders.values()].map((entry) => entry.running).filter((promise) => promise !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** An image folder's classes and their image counts, listed again on each question when revalidating (a folder has no version to compare). */
  private folder(dir: string): { known: true; value: FolderAnswer } | { known: false } {
    let entry = this.folders.get(dir);
    if (!entry) {
      entry = { again: false };
      this.folders.set(dir, entry);
      for (const [old, candidate] of this.folders) {
        if (this.folders.size <= MAX_FILES) break;
        if (!candidate.running) this.folders.delete(old);
      }
    }
    if (entry.answer) {
      if (this.revalidate) this.relist(dir, entry);
      return { known: true, value: entry.answer.value };
    }
    this.relist(dir, entry);
    return { known: false };
  }

  private relist(dir: string, entry: FolderEntry): void {
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = (async () => {
      do {
        entry.again = false;
        const value = await withTimeout(summarizeFolder(dir), this.classScanTimeoutMs).catch(problemOf);
        if (entry.answer && sameFolder(entry.answer.value, value)) continue;
        entry.answer = { value };
        for (const listener of this.listeners) listener(dir);
      } while (entry.again);
    })()
      .catch(() => undefined)
      .finally(() => {
        entry.running = undefined;
      });
  }

  /** A file's header answer, read (again) as needed. */
  private header<A>(file: string, entry: FileEntry<A>): { known: true; value: A } | { known: false } {
    const known = entry.header;
    if (known) {
      if (this.revalidate && !entry.running) this.refresh(file, entry);
      return { known: true, value: known.value };
    }
    this.refresh(file, entry);
    return { known: false };
  }

  /** The classes of a CSV label column, or of one of a NumPy file's arrays (its distinct values). */
  private classes<A>(file: string, label: string, entry: FileEntry<A>): { known: true; value: number | undefined } | { known: false } {
    const known = entry.classes.get(label);
    if (known) {
      if (this.revalidate && !entry.running) this.refresh(file, entry);
      return { known: true, value: known.value };
    }
    entry.labels.add(label);
    this.refresh(file, entry);
    return { known: false };
  }

  /** The entry of a file read as `kind`. */
  private entry<A>(file: string, kind: FileKind<A>): FileEntry<A> {
    const key = `${kind.name}:${file}`;
    let entry = this.entries.get(key) as FileEntry<A> | undefined;
    if (entry) {
      // Most recently used last: the first is the one to forget.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    entry = { kind, classes: new Map(), labels: new Set(), again: false };
    this.entries.set(key, entry as FileEntry);
    for (const [old, candidate] of this.entries) {
      if (this.entries.size <= MAX_FILES) break;
      if (!candidate.running) this.entries.delete(old);
    }
    return entry;
  }

  /** Starts a refresh of the file's answers, or asks the one under way to run once more. */
  private refresh<A>(file: string, entry: FileEntry<A>): void {
    if (entry.running) {
      entry.again = true;
      return;
    }
    if (entry.stuck) return;
    entry.running = (async () => {
      do {
        entry.again = false;
        if (await this.update(file, entry)) for (const listener of this.listeners) listener(file);
      } while (entry.again && !entry.stuck);
    })()
      .catch(() => undefined)
      .finally(() => {
        entry.running = undefined;
      });
  }

  /**
   * Brings the answers up to the file's current version: its header (a
   * CSV's names; an .npz archive's directory, then each member's first
   * bytes), and the classes of each label asked for; true when any answer
   * is new or changed.
   */
  private async update<A>(file: string, entry: FileEntry<A>): Promise<boolean> {
    const { kind } = entry;
    let changed = false;
    const stats = await this.bounded(entry, () => stat(file), this.headerTimeoutMs).catch((error: unknown) => error);
    const version = stats instanceof Error ? undefined : versionOf(stats as Stats);
    // An answer that may be transient (a read that failed or took too long) is kept for no version: the next look tries again.
    const setHeader = (value: A) => {
      if (!entry.header || !kind.same(entry.header.value, value)) changed = true;
      const lasting = kind.problemIn(value)?.problem !== 'unreadable';
      entry.header = { value, version: lasting ? version : undefined };
    };
    const setClasses = (label: string, value: number | undefined, lasting = true) => {
      const old = entry.classes.get(label);
      if (!old || old.value !== value) changed = true;
      entry.classes.set(label, { value, version: lasting ? version : undefined });
    };
    if (stats instanceof Error || !(stats as Stats).isFile()) {
      setHeader(kind.problem(stats instanceof Error ? problemOf(stats) : notRegular(stats as Stats)));
      for (const label of entry.labels) setClasses(label, undefined);
      return changed;
    }
    const current = stats as Stats;
    if (!entry.header || entry.header.version !== version) {
      setHeader(await this.bounded(entry, () => kind.readHeader(file, current), this.headerTimeoutMs).catch((error: unknown) => kind.problem(problemOf(error))));
    }
    const header = entry.header!.value;
    for (const label of entry.labels) {
      const old = entry.classes.get(label);
      if (old && old.version === version && version !== undefined) continue;
      const cancel = { cancelled: false };
      const scan = kind.classScan(file, current, header, label, cancel);
      if (!scan) {
        setClasses(label, undefined);
        continue;
      }
      const counted = await this.bounded(entry, scan, this.classScanTimeoutMs).then(
        (value) => ({ value, lasting: true }),
        () => {
          cancel.cancelled = true;
          return { value: undefined, lasting: false };
        },
      );
      setClasses(label, counted.value, counted.lasting);
    }
    return changed;
  }

  /** Runs a file-system task with a time limit; past it, the task is left to finish alone and the file is left alone until it does. */
  private bounded<T>(entry: FileEntry<unknown>, task: () => Promise<T>, ms: number): Promise<T> {
    const work = task();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const stuck = work.catch(() => undefined).finally(() => {
          if (entry.stuck === stuck) entry.stuck = undefined;
        });
        entry.stuck = stuck;
        reject(new TimedOut(`no answer within ${Math.round(ms / 1000)} s`));
      }, ms);
      timer.unref();
    });
    return Promise.race([work, limit]).finally(() => clearTimeout(timer));
  }
}

/**
 * The host for one analysis of `netFile`. Without a shared cache it starts
 * empty: the first analysis gets no answers (see `analyzeWithDataFiles`).
 */
export function createFileDataHost(netFile: string, files: DataFiles = new DataFiles()): FileDataHost {
  return files.host(netFile);
}

/**
 * Analyses a file with its data files read: analyses, waits for the reads
 * the analysis asked for, and analyses again until every question was
 * answered from the cache, so that a command's output is complete and the
 * same every time.
 */
export async function analyzeWithDataFiles(text: string, netFile: string, files: DataFiles = new DataFiles()): Promise<Analysis> {
  // Each round can ask one question more (a file's classes, once its header has the label): a few rounds suffice.
  for (let round = 0; ; round++) {
    const host = files.host(netFile);
    const analysis = analyze(text, { host });
    if (host.misses === 0 || round === 4) return analysis;
    await files.idle();
  }
}

/** The headers of a NumPy file's arrays, or why there are none: an invalid file is a problem of its own, not a failed read. */
async function readNumpyHeaders(file: string, expected: Stats): Promise<{ infos: NumpyArrayInfo[] } | { problem: DataFileProblem }> {
  if (expected.size === 0) return { problem: { problem: 'invalid', detail: 'it is empty' } };
  let handle: FileHandle;
  try {
    handle = await openRegular(file, expected);
  } catch (error) {
    const problem = (error as { notRegular?: DataFileProblem }).notRegular;
    if (problem) return { problem };
    throw error;
  }
  try {
    return { infos: await readArrays(handle, expected.size, isNpz(file)) };
  } catch (error) {
    if (error instanceof Error && error.name === 'NumpyFormatError') return { problem: { problem: 'invalid', detail: error.message } };
    throw error;
  } finally {
    await handle.close();
  }
}

/** An array's header as the core sees it. */
function headerOf(info: NumpyArrayInfo): NumpyArrays['arrays'][number] {
  if (!info.header) return { name: info.name, problem: info.problem ?? 'its header cannot be read' };
  return { name: info.name, shape: info.header.shape, dtype: describeDtype(info.header.descr), readable: info.header.dtype !== undefined };
}

/** How many distinct values an array holds, as the trainer's classes; undefined past MAX_CLASSES or when it cannot be read. */
async function countValues(file: string, expected: Stats, info: NumpyArrayInfo): Promise<number | undefined> {
  const header = info.header!;
  const handle = await openRegular(file, expected);
  try {
    const values = new Float64Array(elementsOf(header.shape));
    const decoder = new NpyDecoder(header, values, info.name);
    let skip = header.dataOffset;
    await streamBytes(handle, expected.size, info.member, (chunk) => {
      const rest = skip >= chunk.length ? undefined : chunk.subarray(skip);
      skip = Math.max(0, skip - chunk.length);
      if (rest) decoder.push(rest);
      return true;
    });
    decoder.finish();
    const distinct = new Set(values);
    return distinct.size > MAX_CLASSES ? undefined : distinct.size;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** A folder's classes with their image counts; undefined (unchecked) past MAX_LISTED_IMAGES. */
async function summarizeFolder(dir: string): Promise<FolderAnswer> {
  const listing = await listImageFolder(dir, MAX_LISTED_IMAGES).catch((error: unknown) => {
    if ((error as Error).name === 'TooManyFiles') return undefined;
    throw error;
  });
  if (!listing || !('classes' in listing)) return listing;
  return { classes: listing.classes.map((item) => ({ name: item.name, images: item.files.length })) };
}

function sameFolder(a: FolderAnswer, b: FolderAnswer): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The task's result, or a TimedOut past `ms` (the task is left to finish alone). */
function withTimeout<T>(task: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer within ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([task, limit]).finally(() => clearTimeout(timer));
}

function versionOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

function sameHeader(a: Header, b: Header): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((name, i) => name === b[i]);
  if (a === undefined || b === undefined || Array.isArray(a) || Array.isArray(b)) return a === b;
  return a.problem === b.problem && a.detail === b.detail;
}

/** What a path that is not a regular file names, in words ("a named pipe"); the checker and the trainer's loader say it alike. */
export function fileKindOf(stats: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function notRegular(stats: Stats): DataFileProblem {
  return { problem: 'not-regular', detail: fileKindOf(stats) };
}

/** A failed stat, open or read as the core's problem, its cause in words. */
function problemOf(error: unknown): DataFileProblem {
  if (error instanceof TimedOut) return { problem: 'unreadable', detail: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return { problem: 'missing' };
    case 'ENOTDIR':
      return { problem: 'missing' };
    case 'EACCES':
    case 'EPERM':
      return { problem: 'unreadable', detail: 'permission denied' };
    case 'ELOOP':
      return { problem: 'unreadable', detail: 'too many symbolic links' };
    case 'ENAMETOOLONG':
      return { problem: 'unreadable', detail: 'the path is too long' };
    case 'EIO':
      return { problem: 'unreadable', detail: 'an input/output error' };
    case 'EISDIR':
      return { problem: 'not-regular', detail: 'a directory' };
    default:
      return { problem: 'unreadable', detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Opens a file for reading only if it is still the regular file `expected`
 * describes. The open does not block (a FIFO put in its place would wait
 * for a writer otherwise), and the handle's own stat decides.
 */
async function openRegular(file: string, expected: Stats): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(notRegular(stats).detail), { notRegular: notRegular(stats) });
    if (stats.ino !== expected.ino || stats.dev !== expected.dev) throw Object.assign(new Error('it changed while it was being read'), { code: 'ECHANGED' });
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Feeds a file to csv-parse chunk by chunk, up to `limit` bytes, handing
 * each record to `onRecord` until it returns false. Resolves with
 * 'stopped' when `onRecord` stopped it, 'end' at the end of the file,
 * 'limit' when the limit came first.
 */
async function scanRecords(handle: FileHandle, limit: number, onRecord: (record: string[]) => boolean, cancel = { cancelled: false }): Promise<'stopped' | 'end' | 'limit'> {
  let stopped = false;
  const parser = parse({
    ...CSV_OPTIONS,
    on_record: (record: string[]) => {
      if (!stopped && !onRecord(record)) stopped = true;
      return null;
    },
  });
  let failure: unknown;
  parser.on('error', (error) => (failure ??= error));
  const write = (chunk: Buffer) => new Promise<void>((done) => parser.write(chunk, () => done()));
  let total = 0;
  try {
    for (;;) {
      // A fresh buffer each time: the parser may keep the unfinished end of a chunk it was given.
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, total);
      if (cancel.cancelled) return 'stopped';
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) return 'limit';
      await write(buffer.subarray(0, bytesRead));
      // A record handed on before a later error stands: the error lies beyond it.
      if (stopped) return 'stopped';
      if (failure) throw failure;
    }
    await new Promise<void>((done) => parser.end(() => done()));
    // The end callback may come before the error event of the same flush: give the error its turn.
    await new Promise((tick) => setImmediate(tick));
    if (stopped) return 'stopped';
    if (failure) throw failure;
    return 'end';
  } finally {
    parser.destroy();
  }
}

/** The first record (the header row), trimmed as the trainer trims it. */
async function readHeader(file: string, expected: Stats): Promise<Header> {
  if (expected.size === 0) return { problem: 'empty' };
  let handle: FileHandle;
  try {
    handle = await openRegular(file, expected);
  } catch (error) {
    const problem = (error as { notRegular?: DataFileProblem }).notRegular;
    if (problem) return problem;
    throw error;
  }
  try {
    let header: string[] | undefined;
    const ending = await scanRecords(handle, HEADER_BYTES, (record) => {
      header = record.map((name) => name.trim());
      return false;
    });
    // A first row of blanks (spaces, a stray carriage return) names no column: the file holds no header row.
    if (header) return header.some((name) => name !== '') ? header : { problem: 'empty' };
    // A header row longer than the bound is left unchecked.
    return ending === 'limit' ? undefined : { problem: 'empty' };
  } catch (error) {
    return csvProblem(error);
  } finally {
    await handle.close();
  }
}

/** A csv-parse error (an unclosed quote, a stray one) as a reason. */
function csvProblem(error: unknown): DataFileProblem {
  const code = (error as { code?: unknown }).code;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('CSV_')) {
    return { problem: 'unreadable', detail: `its header row is not valid CSV: ${error.message}` };
  }
  return problemOf(error);
}

/**
 * The classes of the label column as the trainer finds them
 * (trainer/data/csv.ts and labels.ts): each label trimmed; when every label
 * is a finite number, labels are compared as numbers. Undefined where the
 * trainer would fail instead (a short row, an empty label, bad CSV), past
 * MAX_CLASSES, or when the scan is cancelled.
 */
async function countClasses(file: string, expected: Stats, label: string, cancel: { cancelled: boolean }): Promise<number | undefined> {
  const handle = await openRegular(file, expected);
  try {
    let width = -1;
    let column = -1;
    let valid = true;
    let numeric = true;
    const strings = new Set<string>();
    const numbers = new Set<number>();
    const ending = await scanRecords(
      handle,
      CLASS_SCAN_BYTES,
      (record) => {
        if (column < 0) {
          width = record.length;
          column = record.map((name) => name.trim()).indexOf(label);
          valid = column >= 0;
          return valid;
        }
        const value = record.length === width ? record[column]!.trim() : '';
        if (value === '') {
          valid = false;
          return false;
        }
        strings.add(value);
        if (numeric) {
          const number = Number(value);
          if (Number.isFinite(number)) numbers.add(number);
          else numeric = false;
        }
        if (strings.size > MAX_CLASSES) valid = false;
        return valid;
      },
      cancel,
    );
    if (!valid || ending !== 'end') return undefined;
    return numeric ? numbers.size : strings.size;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
