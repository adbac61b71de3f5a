/**
 * `npy(...)` and `npz(...)`: features and labels from NumPy's files, each
 * array decoded chunk by chunk straight into its typed array (host/numpy.ts),
 * so that memory holds the decoded values and one chunk, never the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { closestMatch } from '../../core';
import { fileKindOf } from '../../host/fileDataHost';
import { elementsOf, isNpz, NpyDecoder, openNumpy, readArrays, streamBytes, type NumpyArrayInfo } from '../../host/numpy';
import { fileProblem } from '../fileErrors';
import { DataError } from './errors';
import { fitInput } from './shape';
import type { RawData } from './types';

export interface NumpyOptions {
  /** How messages name the data: the call as written, e.g. npz("d.npz"). */
  name: string;
  features: ArraySource;
  labels: ArraySource;
  /** For a model with several outputs (`y={out_a: "ya", …}`): every output's array, `labels` being the first's. */
  outputLabels?: ArraySource[];
  scale: number;
  shape: number[] | null;
  inputShape: number[];
}

/** One array: a .npy file (array '') or a member of an .npz archive. */
export interface ArraySource {
  /** The path as the .net file writes it, for messages. */
  path: string;
  /** The path resolved against the .net file's folder. */
  file: string;
  array: string;
}

export async function loadNumpy(options: NumpyOptions): Promise<RawData> {
  const x = await readArray(options.features, 'float32');
  const y = await readArray(options.labels, 'float64');
  const where = describe(options.features);
  const [samples, ...sample] = x.shape;
  if (samples === undefined) throw new DataError(`${where} holds a single value, not samples: its first axis must count the samples`, { file: options.features.file });
  const featureCount = elementsOf(sample);
  const featureShape = fitInput(featureCount, options.shape, options.inputShape, where, { file: options.features.file });
  for (let i = 0; i < x.values.length; i++) {
    if (!Number.isFinite(x.values[i])) {
      throw new DataError(`${where} sample ${Math.floor(i / Math.max(featureCount, 1)) + 1}: the feature ${x.values[i]} is not a finite number`, { file: options.features.file });
    }
    x.values[i]! *= options.scale;
  }
  const labels = labelValues(y.values as Float64Array, y.shape, samples, options.labels, where);
  const extraLabels = await outputLabelValues(options.outputLabels, samples, where);
  return { features: x.values as Float32Array, labels, count: samples, featureShape, name: options.name, ...(extraLabels ? { extraLabels } : {}) };
}

/**
 * Each output's labels, named by their array as the outputs' label columns
 * are (data/outputs.ts finds each output's by that name); undefined for one output.
 */
async function outputLabelValues(sources: ArraySource[] | undefined, samples: number, features: string): Promise<RawData['extraLabels']> {
  if (!sources) return undefined;
  const labels: NonNullable<RawData['extraLabels']> = [];
  for (const source of sources) {
    const y = await readArray(source, 'float64');
    labels.push({ column: source.array, labels: labelValues(y.values as Float64Array, y.shape, samples, source, features) });
  }
  return labels;
}

/** One model input fed by an array of an archive: `npz(..., inputs={name: "array"})`. */
export interface InputArray {
  /** The model input's name. */
  input: string;
  /** One sample's shape, without the batch dimension, as the model takes it. */
  shape: number[];
  source: ArraySource;
}

/**
 * A model with several inputs fed from an archive, one array each: the
 * arrays' values laid side by side per sample in the inputs' order, as one
 * flat feature row (the dataset cuts it into one tensor per input), so that
 * the split and the shuffle stay per sample across all of them.
 */
export async function loadNumpyInputs(options: { name: string; inputs: InputArray[]; labels: ArraySource; outputLabels?: ArraySource[]; scale: number }): Promise<RawData> {
  const parts: { values: Float32Array; width: number }[] = [];
  let samples: number | undefined;
  for (const { input, shape, source } of options.inputs) {
    const x = await readArray(source, 'float32');
    const where = describe(source);
    const [count, ...sample] = x.shape;
    if (count === undefined) throw new DataError(`${where} holds a single value, not samples: its first axis must count the samples`, { file: source.file });
    if (samples !== undefined && count !== samples) throw new DataError(`${where} has ${count} samples, but the first input's array has ${samples}`, { file: source.file });
    samples = count;
    const width = elementsOf(sample);
    const wanted = elementsOf(shape);
    if (width !== wanted) throw new DataError(`${where} gives ${width} values a sample, but input '${input}' takes [${shape.join(', ')}] (${wanted} values)`, { file: source.file });
    for (let i = 0; i < x.values.length; i++) {
      if (!Number.isFinite(x.values[i])) throw new DataError(`${where} sample ${Math.floor(i / Math.max(width, 1)) + 1}: the feature ${x.values[i]} is not a finite number`, { file: source.file });
      x.values[i]! *= options.scale;
    }
    parts.push({ values: x.values as Float32Array, width });
  }
  const count = samples ?? 0;
  const total = parts.reduce((sum, part) => sum + part.width, 0);
  const features = new Float32Array(count * total);
  for (let row = 0; row < count; row++) {
    let at = row * total;
    for (const part of parts) {
      features.set(part.values.subarray(row * part.width, (row + 1) * part.width), at);
      at += part.width;
    }
  }
  const y = await readArray(options.labels, 'float64');
  const labels = labelValues(y.values as Float64Array, y.shape, count, options.labels, `the inputs' arrays`);
  const extraLabels = await outputLabelValues(options.outputLabels, count, `the inputs' arrays`);
  return { features, labels, count, featureShape: [total], name: options.name, ...(extraLabels ? { extraLabels } : {}) };
}

/** How messages name an array: its file, and its name within an archive. */
function describe(source: ArraySource): string {
  return source.array === '' ? source.path : `'${source.array}' of ${source.path}`;
}

/**
 * One label a sample: shape (n,) or (n, 1) as the values; (n, k) as one-hot
 * rows, each read as the index of its 1 (a row that is not one-hot is an
 * error at its sample).
 */
function labelValues(values: Float64Array, shape: number[], samples: number, source: ArraySource, features: string): Float64Array {
  const where = describe(source);
  const [count, width = 1, ...more] = shape;
  if (count === undefined || more.length > 0) {
    throw new DataError(`${where} has shape (${shape.join(', ')}): labels are one value a sample (shape (n,)) or one-hot rows (shape (n, classes))`, { file: source.file });
  }
  if (count !== samples) throw new DataError(`${where} has ${count} labels, but ${features} has ${samples} samples`, { file: source.file });
  if (width === 1) {
    for (let row = 0; row < count; row++) {
      if (!Number.isFinite(values[row])) throw new DataError(`${where} sample ${row + 1}: the label ${values[row]} is not a finite number`, { file: source.file });
    }
    return values;
  }
  const classes = new Float64Array(count);
  for (let row = 0; row < count; row++) {
    let hot = -1;
    for (let column = 0; column < width; column++) {
      const value = values[row * width + column];
      if (value === 1 && hot < 0) hot = column;
      else if (value !== 0) hot = -2;
    }
    if (hot < 0) throw new DataError(`${where} sample ${row + 1} is not a one-hot row (one 1, the rest 0): labels of shape (n, ${width}) are read as one-hot classes`, { file: source.file });
    classes[row] = hot;
  }
  return classes;
}

/** An array's values in C order, as float32 (features) or float64 (labels, exact for every integer up to 2^53). */
async function readArray(source: ArraySource, type: 'float32' | 'float64'): Promise<{ values: Float32Array | Float64Array; shape: number[] }> {
  const handle = await openArrayFile(source);
  try {
    const size = (await handle.stat()).size;
    const info = await findArray(handle, size, source);
    const header = info.header!;
    const total = elementsOf(header.shape);
    const values = type === 'float32' ? new Float32Array(total) : new Float64Array(total);
    const decoder = new NpyDecoder(header, values, 'it');
    let skip = header.dataOffset;
    await streamBytes(handle, size, info.member, (chunk) => {
      const rest = skip >= chunk.length ? undefined : chunk.subarray(skip);
      skip = Math.max(0, skip - chunk.length);
      if (rest) decoder.push(rest);
      return true;
    });
    decoder.finish();
    return { values, shape: header.shape };
  } catch (error) {
    if (error instanceof DataError) throw error;
    if (error instanceof Error && error.name === 'NumpyFormatError') throw new DataError(`${describe(source)}: ${error.message}`, { file: source.file });
    throw new DataError(`cannot read the data file ${source.path}: ${fileProblem(error, source.file)}`, { file: source.file });
  } finally {
    await handle.close();
  }
}

/** The array the source names, with its header; a missing name is an error with the archive's names. */
async function findArray(handle: FileHandle, size: number, source: ArraySource): Promise<NumpyArrayInfo> {
  const arrays = await readArrays(handle, size, isNpz(source.file));
  if (source.array === '' && isNpz(source.file)) throw new DataError(`${source.path} is an .npz archive: read it with npz(...)`, { file: source.file });
  const info = source.array === '' ? arrays[0] : arrays.find((candidate) => candidate.name === source.array);
  if (!info) {
    const names = arrays.map((array) => array.name);
    const suggestion = closestMatch(source.array, names);
    const hint = suggestion ? `; did you mean '${suggestion}'?` : `; it holds ${names.join(', ') || 'no arrays'}`;
    throw new DataError(`${source.path} has no array '${source.array}'${hint}`, { file: source.file });
  }
  if (!info.header) throw new DataError(`${describe(source)} cannot be read: ${info.problem}`, { file: source.file });
  return info;
}

/** Opens a NumPy file, refusing what is not a regular file (never blocking on a named pipe). */
async function openArrayFile(source: ArraySource): Promise<FileHandle> {
  try {
    return (await openNumpy(source.file)).handle;
  } catch (error) {
    const stats = (error as { stats?: Parameters<typeof fileKindOf>[0] }).stats;
    if (stats) throw new DataError(`${source.path} is ${fileKindOf(stats)}, not a NumPy file`, { file: source.file });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DataError(`data file '${source.path}' not found`, { file: source.file });
    throw new DataError(`cannot read the data file ${source.path}: ${fileProblem(error, source.file)}`, { file: source.file });
  }
}
