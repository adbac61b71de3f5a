/**
 * How a trained classifier does on held-out data: the confusion matrix and
 * the samples it got most confidently wrong, predicted batch by batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { EvaluationEvent, MisclassifiedSample } from '../protocol/training';
import { product } from './data/shape';
import { toPixels } from './data/images';
import type { PreparedData } from './dataset';

/** How many wrong predictions the evaluation lists at most. */
export const WORST_SAMPLES = 16;

export type Evaluation = Omit<EvaluationEvent, 'type' | 'model' | 'member'>;

/**
 * Evaluates `model` on the validation data (the training data when there is
 * none). A single output unit is a yes/no: class 1 when it says more than
 * 0.5, as binary accuracy counts it, with confidence max(p, 1 - p). Several
 * units predict the unit with the highest output, its output the
 * confidence. Undefined for regression.
 */
export function evaluateClassifier(model: tf.LayersModel, data: PreparedData, batchSize: number): Evaluation | undefined {
  if (data.target === 'regression') return undefined;
  // A model with several outputs is not evaluated: a confusion matrix is of one classifier, and each output's figures are in the history.
  if (Array.isArray(data.train.y)) return undefined;
  const on = data.validation ? 'validation' : 'train';
  const target = data.validation ?? data.train;
  const units = data.outputUnits;
  // Output units that no training sample's class stands for still get a row and column, so every prediction is counted.
  const size = Math.max(data.classes.length, units === 1 ? 2 : units);
  const classes = Array.from({ length: size }, (_, i) => (i < data.classes.length ? data.classes[i]! : `unit ${i}`));
  const confusion = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const wrong: { index: number; label: number; predicted: number; confidence: number }[] = [];

  for (let start = 0; start < target.count; start += batchSize) {
    const count = Math.min(batchSize, target.count - start);
    const outputs = tf.tidy(() => (model.predict(sliceRows(target.x, start, count)) as tf.Tensor).dataSync());
    for (let row = 0; row < count; row++) {
      const { predicted, confidence } = units === 1 ? yesNo(outputs[row]!) : highest(outputs, row * units, units);
      const index = start + row;
      const label = target.classIndices[index]!;
      confusion[label]![predicted]!++;
      if (predicted !== label) wrong.push({ index, label, predicted, confidence });
    }
  }

  const worst: MisclassifiedSample[] = wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, WORST_SAMPLES);
  const evaluation: Evaluation = { on, classes, confusion, worst };
  // Images are shown for a model with one input only (a model with several has no imageShape).
  const x = target.x;
  if (data.imageShape && !Array.isArray(x)) {
    evaluation.imageShape = data.imageShape;
    if (worst.length > 0) {
      const features = tf.tidy(() => tf.gather(x, worst.map((sample) => sample.index)).dataSync() as Float32Array);
      const pixels = toPixels(features, product(x.shape.slice(1)), worst.map((_, i) => i));
      worst.forEach((sample, i) => (sample.pixels = pixels[i]));
    }
  }
  return evaluation;
}

/** Rows [start, start + count) of a model's input, or of each of its inputs. */
function sliceRows(x: tf.Tensor | tf.Tensor[], start: number, count: number): tf.Tensor | tf.Tensor[] {
  const slice = (tensor: tf.Tensor): tf.Tensor => tf.slice(tensor, [start, ...tensor.shape.slice(1).map(() => 0)], [count, ...tensor.shape.slice(1).map(() => -1)]);
  return Array.isArray(x) ? x.map(slice) : slice(x);
}

function yesNo(p: number): { predicted: number; confidence: number } {
  return { predicted: p > 0.5 ? 1 : 0, confidence: Math.min(1, Math.max(0, Math.max(p, 1 - p))) };
}

/** The first unit with the highest output, as argMax picks it. */
function highest(outputs: ArrayLike<number>, offset: number, units: number): { predicted: number; confidence: number } {
  let predicted = 0;
  for (let unit = 1; unit < units; unit++) if (outputs[offset + unit]! > outputs[offset + predicted]!) predicted = unit;
  return { predicted, confidence: outputs[offset + predicted]! };
}
