/** Turns loaded data into the x and y tensors fit() takes, shaped for the loss. */
import * as tf from '@tensorflow/tfjs';
import { DataError } from './errors';
import type { RawData } from './types';

/** What the loss wants its labels to be (LossSpec's target). */
export type LossTarget = 'categorical' | 'sparse' | 'binary' | 'regression';

/**
 * The output layer must have room for every class: one unit per class, or a
 * single sigmoid unit for two classes under a binary loss. Fewer classes
 * than units is allowed (a class may be absent from this data).
 */
export function checkClassesFitOutput(classCount: number, outputUnits: number, target: LossTarget): void {
  if (target === 'regression') return;
  if (target === 'binary' && outputUnits === 1) {
    if (classCount > 2) throw new DataError(`the data has ${classCount} classes but the output layer has 1 unit, which tells only 2 classes apart`);
    return;
  }
  if (classCount > outputUnits) {
    throw new DataError(`the data has ${classCount} classes but the output layer has ${outputUnits} unit${outputUnits === 1 ? '' : 's'}`);
  }
}

/**
 * x as float32 [count, ...featureShape]; y one-hot for categorical (and for
 * binary over several units), the class index for sparse, 0/1 for binary
 * with one unit, the labels themselves for regression. The caller disposes both.
 */
export function toTensors(data: RawData, indices: Int32Array, classCount: number, target: LossTarget, outputUnits: number): { x: tf.Tensor; y: tf.Tensor2D } {
  checkClassesFitOutput(classCount, outputUnits, target);
  const y = labelTensor(data, indices, target, outputUnits);
  return { x: tf.tensor(data.features, [data.count, ...data.featureShape], 'float32'), y };
}

export function labelTensor(data: RawData, indices: Int32Array, target: LossTarget, outputUnits: number): tf.Tensor2D {
  if (target === 'regression') {
    if (outputUnits !== 1) throw new DataError(`${data.name} has one label column but the output layer has ${outputUnits} units`);
    return tf.tensor2d(regressionLabels(data), [data.count, 1]);
  }
  if (target === 'sparse' || (target === 'binary' && outputUnits === 1)) {
    return tf.tensor2d(Float32Array.from(indices), [data.count, 1]);
  }
  return tf.tidy(() => tf.oneHot(tf.tensor1d(indices, 'int32'), outputUnits).cast('float32'));
}

function regressionLabels(data: RawData): Float32Array {
  const values = new Float32Array(data.count);
  for (let row = 0; row < data.count; row++) {
    const label = data.labels[row];
    if (typeof label !== 'number') {
      const origin = data.rows;
      const where = origin ? `line ${origin.lines[row]}` : `sample ${row + 1}`;
      throw new DataError(`${data.name} ${where}: label '${label}' is not a number, but a regression loss needs numeric labels`, {
        file: origin?.file,
        line: origin?.lines[row],
        column: origin?.labelColumn,
      });
    }
    values[row] = label;
  }
  return values;
}
