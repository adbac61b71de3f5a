/**
 * Labels for a model with several outputs: each output's labels are the
 * column `label={name: column, …}` names for it, encoded as that output's
 * loss wants them, with classes fixed by the training data as for one
 * output. The first label written is the one the data is stratified by.
 */
import type * as tf from '@tensorflow/tfjs';
import { keyedLabels, type Network, type TrainBlock } from '../../core';
import { encodeLabels, encodeWith } from './labels';
import { DataError } from './errors';
import { labelTensor, checkClassesFitOutput, type LossTarget } from './tensors';
import type { Label, RawData } from './types';

/** An output of the model, with the label column, loss target and units it is trained with. */
export interface OutputLabels {
  name: string;
  column: string;
  target: LossTarget;
  units: number;
  /** The classes of its labels in the training data (for regression, the distinct values). */
  classes: Label[];
}

/** The label column each output of `network` is trained on, in the model's output order; the loss and classes of each. */
export function outputLabels(block: TrainBlock, network: Network, source: RawData): OutputLabels[] {
  const labels = keyedLabels(block.data!);
  return network.outputs.map((output) => {
    const column = labels?.entries.find((entry) => entry.key === output.name)?.columns[0];
    if (column === undefined) throw new DataError(`the data gives no labels for output '${output.name}' of model '${network.name}': name them with label={…}`);
    const loss = block.outputLosses ? block.outputLosses[output.name] : block.loss;
    if (!loss) throw new DataError(`the loss gives no loss for output '${output.name}' of model '${network.name}'`);
    const shape = output.outputShape!;
    const units = shape[shape.length - 1] as number;
    const { classes } = encodeLabels(labelled(source, column));
    checkClassesFitOutput(classes.length, units, loss.target);
    return { name: output.name, column, target: loss.target, units, classes };
  });
}

/** The output whose label column the data is stratified by: the first label written. */
export function stratifyingOutput(block: TrainBlock): string | undefined {
  return keyedLabels(block.data!)?.entries[0]?.key;
}

/** One label tensor per output, for some rows of the data; the caller disposes them. */
export function outputTensors(data: RawData, outputs: readonly OutputLabels[]): tf.Tensor2D[] {
  const made: tf.Tensor2D[] = [];
  try {
    for (const output of outputs) {
      const view = labelled(data, output.column);
      made.push(labelTensor(view, encodeWith(output.classes, view), output.target, output.units));
    }
  } catch (error) {
    for (const tensor of made) tensor.dispose();
    throw error;
  }
  return made;
}

/** The data with the labels of `column`: the main label column's, or one of the other outputs'. */
function labelled(data: RawData, column: string): RawData {
  const main = data.header && data.rows ? data.header[data.rows.labelColumn - 1] : undefined;
  if (column === main) return data;
  const extra = data.extraLabels?.find((candidate) => candidate.column === column);
  if (!extra) throw new DataError(`${data.name} has no label column '${column}'`);
  const labelColumn = data.header ? data.header.indexOf(column) + 1 : 0;
  return { ...data, labels: extra.labels, ...(data.rows ? { rows: { ...data.rows, labelColumn } } : {}) };
}
