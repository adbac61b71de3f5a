/**
 * A train block's data, ready for fit(): training and validation tensors
 * with classes fixed by the training data, the validation split stratified
 * and seeded.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Network, TrainBlock } from '../core';
import { DataError, encodeLabels, encodeWith, loadDataSource, stratifiedSplit, toTensors, type Label, type LossTarget, type RawData } from './data';

export { DataError };

export interface TensorPair {
  x: tf.Tensor;
  y: tf.Tensor2D;
  count: number;
}

export interface PreparedData {
  classes: Label[];
  featureShape: number[];
  train: TensorPair;
  validation?: TensorPair;
  dispose(): void;
}

export async function prepareData(block: TrainBlock, network: Network, context: { baseDir: string; seed: number }): Promise<PreparedData> {
  const inputShape = network.inputs[0]!.outputShape!.slice(1);
  if (inputShape.some((dim) => dim === null)) {
    throw new DataError(`model '${network.name}' has an input with an unknown dimension (none); data needs a fixed shape to be fed`);
  }
  const load = { baseDir: context.baseDir, inputShape: inputShape as number[], seed: context.seed };
  const source = await loadDataSource(block.data!, load);
  const outputShape = network.outputs[0]!.outputShape!;
  const outputUnits = outputShape[outputShape.length - 1] as number;
  const target: LossTarget = block.loss!.target;
  const { classes, indices } = encodeLabels(source);

  let train: { data: RawData; indices: Int32Array } = { data: source, indices };
  let validation: { data: RawData; indices: Int32Array } | undefined;
  if (typeof block.validation === 'number') {
    ({ train, validation } = stratifiedSplit(source, indices, block.validation, context.seed));
  } else if (block.validation) {
    const held = await loadDataSource(block.validation, load);
    validation = { data: held, indices: encodeWith(classes, held) };
  }

  const trainTensors = toTensors(train.data, train.indices, classes.length, target, outputUnits);
  let validationTensors: ReturnType<typeof toTensors> | undefined;
  try {
    validationTensors = validation ? toTensors(validation.data, validation.indices, classes.length, target, outputUnits) : undefined;
  } catch (error) {
    trainTensors.x.dispose();
    trainTensors.y.dispose();
    throw error;
  }
  return {
    classes,
    featureShape: source.featureShape,
    train: { ...trainTensors, count: train.data.count },
    validation: validationTensors && validation ? { ...validationTensors, count: validation.data.count } : undefined,
    dispose() {
      trainTensors.x.dispose();
      trainTensors.y.dispose();
      validationTensors?.x.dispose();
      validationTensors?.y.dispose();
    },
  };
}
