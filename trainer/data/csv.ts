/**
 * Reads a CSV file with a header row as a stream. A first pass counts the
 * lines so the features go straight into one Float32Array of the right size:
 * the rows never exist as objects, and the file is never held twice.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parse, type Info } from 'csv-parse';
import { closestMatch } from '../../core';
import { fileKindOf } from '../../host/fileDataHost';
import { fileProblem } from '../fileErrors';
import { DataError } from './errors';
import { fitInput } from './shape';
import type { RawData } from './types';

export interface CsvOptions {
  /** The path as the .net file writes it, for messages. */
  path: string;
  /** The path resolved against the .net file's folder. */
  file: string;
  label: string;
  /** Label columns of a model's other outputs: read as labels too, and left out of the features. */
  extraLabels?: readonly string[];
  scale: number;
  shape: number[] | null;
  /** The model's input shape; null keeps every feature column as it is, for data split into several inputs afterwards. */
  inputShape: number[] | null;
}

export async function loadCsv(options: CsvOptions): Promise<RawData> {
  const handle = await openCsv(options.path, options.file);
  try {
    return await readCsv(handle, options);
  } finally {
    await handle.close();
  }
}

async function readCsv(handle: FileHandle, options: CsvOptions): Promise<RawData> {
  const { path, file, label, scale } = options;
  // Every row ends in a line break but perhaps the last, and the header takes one: no more rows than line breaks.
  const capacity = await countLineBreaks(handle, path, file);
  // The second pass reads the same open file from its start: a file renamed over it meanwhile is not mixed in.
  const input = handle.createReadStream({ start: 0, autoClose: false });
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  // pipe() does not pass on read errors; without this the loop below would wait forever.
  input.on('error', (error) => parser.destroy(error));

  let header: string[] | undefined;
  let labelIndex = -1;
  let extraIndices: number[] = [];
  let extraLabels: string[][] = [];
  let featureCount = 0;
  let featureShape: number[] = [];
  let features = new Float32Array(0);
  let lines = new Int32Array(0);
  const labels: string[] = [];
  let count = 0;
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // Skipped empty lines lie between the previous record and this one.
      const line = previousEnd + 1 + info.empty_lines - previousEmpty;
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      if (!header) {
        header = record.map((name) => name.trim());
        if (header.every((name) => name === '')) {
          throw new DataError(`${path} line ${line}: the header row is blank; a CSV needs a header row that names its columns`, { file, line });
        }
        labelIndex = header.indexOf(label);
        if (labelIndex < 0) {
          const suggestion = closestMatch(label, header);
          const hint = suggestion ? `; did you mean '${suggestion}'?` : `; its columns are ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''}`;
          throw new DataError(`${path} has no column named '${label}'${hint}`, { file, line, column: suggestion ? header.indexOf(suggestion) + 1 : undefined });
        }
        extraIndices = (options.extraLabels ?? []).map((name) => {
          const index = header!.indexOf(name);
          if (index < 0 || index === labelIndex) throw new DataError(`${path} has no column named '${name}' for labels`, { file, line });
          return index;
        });
        extraLabels = extraIndices.map(() => []);
        featureCount = header.length - 1 - extraIndices.length;
        featureShape = options.inputShape ? fitInput(featureCount, options.shape, options.inputShape, path, { file, line }) : [featureCount];
        features = new Float32Array(capacity * featureCount);
        lines = new Int32Array(capacity);
        continue;
      }
      if (record.length !== header.length) {
        throw new DataError(`${path} line ${line} has ${record.length} cells, but the header has ${header.length}`, { file, line, column: Math.min(record.length, header.length) + 1 });
      }
      if (count === capacity) throw new DataError(`${path} changed while it was being read`, { file });
      let offset = count * featureCount;
      for (let column = 0; column < record.length; column++) {
        const cell = record[column];
        if (column === labelIndex) {
          const value = cell.trim();
          if (value === '') throw new DataError(`${path} line ${line}, column ${column + 1}: the label is empty`, { file, line, column: column + 1 });
          labels.push(value);
          continue;
        }
        const extra = extraIndices.length > 0 ? extraIndices.indexOf(column) : -1;
        if (extra >= 0) {
          const value = cell.trim();
          if (value === '') throw new DataError(`${path} line ${line}, column ${column + 1}: the label is empty`, { file, line, column: column + 1 });
          extraLabels[extra]!.push(value);
          continue;
        }
        const value = Number(cell);
        // Number('') is 0: only a zero needs the second look.
        if (!Number.isFinite(value) || (value === 0 && cell.trim() === '')) {
          throw new DataError(`${path} line ${line}, column ${column + 1} ('${header[column]}'): '${cell}' is not a number`, { file, line, column: column + 1 });
        }
        features[offset++] = value * scale;
      }
      lines[count++] = line;
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    if ((error as NodeJS.ErrnoException).syscall) throw readError(error, path, file);
    // csv-parse's own errors (an unclosed quote) name the line in the message and carry it as `lines`.
    throw new DataError(`${path}: ${(error as Error).message}`, { file, line: (error as { lines?: number }).lines });
  } finally {
    input.destroy();
  }
  if (!header) throw emptyFile(path, file);
  if (count === 0) throw new DataError(`${path} has a header row but no data rows`, { file, line: 2 });
  return {
    features: features.subarray(0, count * featureCount),
    labels: numericLabels(labels) ?? labels,
    count,
    featureShape,
    name: path,
    rows: { file, lines: lines.subarray(0, count), labelColumn: labelIndex + 1 },
    header,
    ...(extraIndices.length > 0 ? { extraLabels: extraIndices.map((index, i) => ({ column: header![index]!, labels: numericLabels(extraLabels[i]!) ?? extraLabels[i]! })) } : {}),
  };
}

/**
 * Opens a data file for reading, refusing what is not a regular file with
 * content: a directory, a named pipe or a device (read twice, a pipe would
 * hang or lose its rows; opened without blocking, it cannot hang here).
 */
async function openCsv(path: string, file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DataError(`data file '${path}' not found`, { file });
    throw readError(error, path, file);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new DataError(`${path} is a directory, not a CSV file`, { file });
    if (!stats.isFile()) throw new DataError(`${path} is ${fileKindOf(stats)}, not a regular file: a CSV file is read twice, so it must be a file on disk`, { file });
    if (stats.size === 0) throw emptyFile(path, file);
    return handle;
  } catch (error) {
    await handle.close();
    throw error instanceof DataError ? error : readError(error, path, file);
  }
}

function emptyFile(path: string, file: string): DataError {
  return new DataError(`${path} is empty: a CSV needs a header row, then data rows`, { file, line: 1 });
}

/** A failure to read the data file, in words. */
function readError(error: unknown, path: string, file: string): DataError {
  return new DataError(`cannot read the data file ${path}: ${fileProblem(error, file)}`, { file });
}

/**
 * Line breaks are \n, \r\n or a lone \r: the larger of the two counts is
 * right for all three. One buffer is reused, so this pass leaves no garbage.
 */
async function countLineBreaks(handle: FileHandle, path: string, file: string): Promise<number> {
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let feeds = 0;
    let returns = 0;
    let read: number;
    let position = 0;
    while ((read = (await handle.read(buffer, 0, buffer.length, position)).bytesRead) > 0) {
      position += read;
      const chunk = buffer.subarray(0, read);
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) feeds++;
      for (let at = chunk.indexOf(13); at !== -1; at = chunk.indexOf(13, at + 1)) returns++;
    }
    return Math.max(feeds, returns);
  } catch (error) {
    throw readError(error, path, file);
  }
}

/** The labels as numbers when every one is a number: a column is numeric or it is not. */
function numericLabels(labels: readonly string[]): Float64Array | undefined {
  const numbers = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const value = Number(labels[i]);
    if (!Number.isFinite(value)) return undefined;
    numbers[i] = value;
  }
  return numbers;
}
