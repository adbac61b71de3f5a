/**
 * Data for a model with several inputs. The source is loaded as one flat
 * feature array, as for one input; its columns are then put in the order of
 * the model's inputs, each input's columns together, so that the split,
 * the shuffle and the validation hold-out stay per sample across all of
 * them. The tensor is cut into one per input only at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveInputColumns, type KeyedColumns } from '../../core';
import { DataError } from './errors';
import { product } from './shape';
import type { RawData } from './types';

/** A model input: its name, and one sample's shape without the batch dimension. */
export interface ModelInput {
  name: string;
  shape: number[];
}

/**
 * The features of `data` (a CSV file read with every feature column) as
 * the columns `keyed` names for each input, in the order of `inputs`: one
 * sample's features are those of the first input, then the second's, and so
 * on. A column the header lacks, or one used twice or as the label, is an
 * error at the header row, as is an input without columns or with columns
 * that do not fill its shape.
 */
export function gatherInputs(data: RawData, keyed: KeyedColumns | undefined, inputs: readonly ModelInput[]): RawData {
  const header = data.header;
  const file = data.rows?.file;
  const at = { file, line: 1 };
  if (!keyed || !header) {
    throw new DataError(`${data.name} gives one set of features, but the model has ${inputs.length} inputs (${inputs.map((input) => input.name).join(', ')}): name the columns of each with inputs={…} in csv(...)`, at);
  }
  // The label columns, of every output: the features are the other columns, in header order.
  const labels = [data.rows ? data.rows.labelColumn - 1 : -1, ...(data.extraLabels ?? []).map((extra) => header.indexOf(extra.column))].filter((index) => index >= 0);
  const { inputs: resolved, problems } = resolveInputColumns(keyed, header, labels.map((index) => header[index]!));
  const problem = problems[0];
  if (problem) {
    const what = problem.kind === 'reused' ? `column '${problem.column}' is already ${problem.use}` : `it has no column '${problem.column}'`;
    throw new DataError(`${data.name}: inputs=${problem.entry.key}: ${what}`, at);
  }
  // A header index as an index into the features, which leave out the label columns.
  const featureIndex = (column: number): number => column - labels.filter((label) => label < column).length;
  const order: number[] = [];
  for (const input of inputs) {
    const found = resolved.find((candidate) => candidate.name === input.name);
    if (!found) throw new DataError(`${data.name}: inputs= gives no columns for the model's input '${input.name}'`, at);
    if (found.columns.length !== product(input.shape)) {
      throw new DataError(`${data.name}: inputs=${input.name} gives ${found.columns.length} columns, but the input '${input.name}' takes [${input.shape.join(', ')}] (${product(input.shape)} values)`, at);
    }
    order.push(...found.columns.map(featureIndex));
  }
  const width = product(data.featureShape);
  const features = new Float32Array(data.count * order.length);
  for (let row = 0; row < data.count; row++) {
    const from = row * width;
    const to = row * order.length;
    for (let i = 0; i < order.length; i++) features[to + i] = data.features[from + order[i]!]!;
  }
  return { ...data, features, featureShape: [order.length] };
}

/** The gathered features' tensor [count, total] as one tensor per input, each in its shape; `x` is disposed. */
export function splitInputs(x: tf.Tensor, inputs: readonly ModelInput[]): tf.Tensor[] {
  const count = x.shape[0]!;
  const parts = tf.tidy(() => tf.split(x, inputs.map((input) => product(input.shape)), 1).map((part, i) => part.reshape([count, ...inputs[i]!.shape])));
  x.dispose();
  return parts;
}
