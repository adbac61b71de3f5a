/**
 * A train block's data, ready for fit(): training and validation tensors
 * with classes fixed by the training data, the validation split stratified
 * and seeded; and what the data event tells of it: samples per class and,
 * for an image input, a few training samples as pixels.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { keyedInputs, type DataSourceUse, type KeyedColumns, type Network, type TrainBlock } from '../core';
import type { DataEvent, ImageShape, WarningEvent } from '../protocol/training';
import { DataError, encodeLabels, encodeWith, loadDataSource, numpyLabels, stratifiedSplit, toTensors, type Label, type LossTarget, type RawData } from './data';
import { imageShapeOf, pickByClass, toPixels } from './data/images';
import { gatherInputs, splitInputs, type ModelInput } from './data/inputs';
import { loadNumpyInputs } from './data/numpy';
import { outputLabels, outputTensors, stratifyingOutput } from './data/outputs';
import { product } from './data/shape';

export { DataError };

export interface TensorPair {
  /** One tensor for a model with one input; one per input, in the model's order, for several. */
  x: tf.Tensor | tf.Tensor[];
  /** One tensor for a model with one output; one per output, in the model's order, for several. */
  y: tf.Tensor2D | tf.Tensor2D[];
  count: number;
  /** Each sample's class index (for regression, the index of its value among the distinct values). */
  classIndices: Int32Array;
}

export interface PreparedData {
  classes: Label[];
  featureShape: number[];
  /** What the loss wants of the labels; every target but regression makes the model a classifier. */
  target: LossTarget;
  /** Units of the model's output layer. */
  outputUnits: number;
  train: TensorPair;
  validation?: TensorPair;
  /** The input's image layout, when the model takes images. */
  imageShape?: ImageShape;
  /** The data event's content, less its type and model. */
  overview: Pick<DataEvent, 'labelCounts' | 'images'>;
  /** What is allowed but probably not meant, for warning events: the run goes on. */
  warnings: Pick<WarningEvent, 'message' | 'file'>[];
  dispose(): void;
}

/** How many training samples the data event shows at most. */
const SHOWN_SAMPLES = 32;

export async function prepareData(block: TrainBlock, network: Network, context: { baseDir: string; seed: number }): Promise<PreparedData> {
  const modelInputs = network.inputs.map((input) => ({ name: input.name, shape: input.outputShape!.slice(1) }));
  if (modelInputs.some((input) => input.shape.some((dim) => dim === null))) {
    throw new DataError(`model '${network.name}' has an input with an unknown dimension (none); data needs a fixed shape to be fed`);
  }
  const inputs = modelInputs as ModelInput[];
  // Columns named per input are read all, then gathered in the inputs' order (data/inputs.ts).
  const perInput = inputs.length > 1 || keyedInputs(block.data!) !== undefined;
  const load = { baseDir: context.baseDir, inputShape: perInput ? null : inputs[0]!.shape, seed: context.seed };
  const loadSource = async (use: DataSourceUse): Promise<RawData> => {
    if (!perInput) return loadDataSource(use, load);
    const keyed = keyedInputs(use);
    if (use.spec.name === 'npz' && keyed) return loadNumpyInputs(numpyInputs(use, keyed, inputs, context.baseDir));
    if (use.spec.name !== 'csv') throw new DataError(`${use.spec.name}() gives one set of features, but model '${network.name}' has ${inputs.length} inputs: use csv(..., inputs={…}) or npz(..., inputs={…})`);
    return gatherInputs(await loadDataSource(use, load), keyedInputs(use), inputs);
  };
  const source = await loadSource(block.data!);
  // Several outputs: each its labels (data/outputs.ts); the classes, target and units here are those of the output the split is stratified by.
  const outputs = network.outputs.length > 1 ? outputLabels(block, network, source) : undefined;
  const main = outputs?.find((output) => output.name === stratifyingOutput(block));
  const outputShape = network.outputs[0]!.outputShape!;
  const outputUnits = main ? main.units : (outputShape[outputShape.length - 1] as number);
  const target: LossTarget = main ? main.target : block.loss!.target;
  const { classes, indices } = encodeLabels(source);

  let train: { data: RawData; indices: Int32Array } = { data: source, indices };
  let validation: { data: RawData; indices: Int32Array } | undefined;
  if (typeof block.validation === 'number') {
    ({ train, validation } = stratifiedSplit(source, indices, block.validation, context.seed));
  } else if (block.validation) {
    const held = await loadSource(block.validation);
    validation = { data: held, indices: encodeWith(classes, held) };
  }

  const tensors = (part: { data: RawData; indices: Int32Array }): { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor2D | tf.Tensor2D[] } => {
    const made = toTensors(part.data, part.indices, classes.length, target, outputUnits);
    const x = perInput ? splitInputs(made.x, inputs) : made.x;
    if (!outputs) return { x, y: made.y };
    made.y.dispose();
    try {
      return { x, y: outputTensors(part.data, outputs) };
    } catch (error) {
      tf.dispose(x);
      throw error;
    }
  };
  const trainTensors = tensors(train);
  let validationTensors: ReturnType<typeof tensors> | undefined;
  try {
    validationTensors = validation ? tensors(validation) : undefined;
  } catch (error) {
    tf.dispose([trainTensors.x, trainTensors.y]);
    throw error;
  }
  // The panel's images are those of a model's one input.
  const imageShape = perInput ? undefined : imageShapeOf(network, block.data);
  return {
    classes,
    featureShape: source.featureShape,
    target,
    outputUnits,
    train: { ...trainTensors, count: train.data.count, classIndices: train.indices },
    validation: validationTensors && validation ? { ...validationTensors, count: validation.data.count, classIndices: validation.indices } : undefined,
    imageShape,
    overview: overviewOf(train, validation, classes.length, target, imageShape),
    warnings: warningsOf(source, classes, target),
    dispose() {
      tf.dispose([trainTensors.x, trainTensors.y]);
      if (validationTensors) tf.dispose([validationTensors.x, validationTensors.y]);
    },
  };
}

/**
 * A classifier whose training data holds a single class learns to answer
 * that class whatever the input, with a loss that soon looks perfect: most
 * often the label column is the wrong one, or the file was cut short.
 */
function warningsOf(source: RawData, classes: readonly Label[], target: LossTarget): PreparedData['warnings'] {
  if (target === 'regression' || classes.length !== 1) return [];
  const label = typeof classes[0] === 'string' ? `'${classes[0]}'` : String(classes[0]);
  return [
    {
      message: `the training data ${source.name} has only one class (every label is ${label}): the model can only learn to always answer it; a classifier needs samples of at least two classes`,
      ...(source.rows ? { file: source.rows.file } : {}),
    },
  ];
}

function overviewOf(
  train: { data: RawData; indices: Int32Array },
  validation: { data: RawData; indices: Int32Array } | undefined,
  classCount: number,
  target: LossTarget,
  imageShape: ImageShape | undefined,
): PreparedData['overview'] {
  const classifier = target !== 'regression';
  const overview: PreparedData['overview'] = {};
  if (classifier) overview.labelCounts = { train: countClasses(train.indices, classCount), validation: countClasses(validation?.indices, classCount) };
  if (imageShape) {
    // A regression's samples are its first ones, each labelled with its value.
    const rows = classifier ? pickByClass(train.indices, classCount, SHOWN_SAMPLES) : Array.from({ length: Math.min(SHOWN_SAMPLES, train.data.count) }, (_, row) => row);
    const pixels = toPixels(train.data.features, product(train.data.featureShape), rows);
    overview.images = {
      shape: imageShape,
      samples: rows.map((row, i) => ({ label: classifier ? train.indices[row]! : Number(train.data.labels[row]), pixels: pixels[i]! })),
    };
  }
  return overview;
}

function countClasses(indices: Int32Array | undefined, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  if (indices) for (const label of indices) counts[label]!++;
  return counts;
}

/** The arrays of npz(..., inputs={…}), in the model's input order; an input the dict leaves out is an error (the checker says so first). */
function numpyInputs(use: DataSourceUse, keyed: KeyedColumns, inputs: readonly ModelInput[], baseDir: string): Parameters<typeof loadNumpyInputs>[0] {
  const path = use.args.values['path'] as string;
  const file = resolve(baseDir, path);
  const name = `npz("${path}")`;
  return {
    name,
    scale: use.args.values['scale'] as number,
    ...numpyLabels(use, path, baseDir),
    inputs: inputs.map((input) => {
      const entry = keyed.entries.find((candidate) => candidate.key === input.name);
      if (!entry || entry.columns.length !== 1) throw new DataError(`${name}: inputs= gives no array for the model's input '${input.name}'`, { file });
      return { input: input.name, shape: input.shape, source: { path, file, array: entry.columns[0]! } };
    }),
  };
}
