/**
 * What a train block can say: its settings, losses, optimizers, metrics,
 * schedules, callbacks and data sources, with Keras's names and defaults.
 */
import type { ArgType, ParamSpec, Signature } from './types';

const p = (name: string, type: ArgType, doc: string, defaultValue?: ParamSpec['default']): ParamSpec =>
  defaultValue === undefined ? { name, type, doc } : { name, type, doc, default: defaultValue };

const learningRate = (value: number): ParamSpec => ({ ...p('learning_rate', { kind: 'float', min: 0, minOpen: true }, 'Step size of each update.', value), aliases: ['lr'] });
const epsilon = (): ParamSpec => p('epsilon', { kind: 'float', min: 0, minOpen: true }, 'Added to denominators to avoid dividing by zero.', 1e-7);
const samples = (value: number): ParamSpec => p('samples', { kind: 'int', min: 1 }, 'How many samples to generate.', value);
const noise = (value: number): ParamSpec => p('noise', { kind: 'float', min: 0 }, 'Standard deviation of the Gaussian noise added to each point.', value);
const seed = (): ParamSpec => p('seed', { kind: 'optional', of: { kind: 'int', min: 0 } }, 'Seed of the generator; the train block\'s seed otherwise.', null);
const fraction = { kind: 'float', min: 0, max: 1, minOpen: true, maxOpen: true } as const;

export interface LossSpec {
  name: string;
  aliases?: string[];
  doc: string;
  /** What the output and labels must look like. */
  target: 'binary' | 'categorical' | 'sparse' | 'regression';
}

export const LOSSES: readonly LossSpec[] = [
  { name: 'binary_crossentropy', target: 'binary', doc: 'For two classes (or several independent yes/no labels): one sigmoid unit per label.' },
  { name: 'categorical_crossentropy', target: 'categorical', doc: 'For one class out of several: a softmax layer with one unit per class; labels are one-hot encoded by the trainer.' },
  { name: 'sparse_categorical_crossentropy', target: 'sparse', doc: 'As categorical_crossentropy, with labels given as class indices.' },
  { name: 'mean_squared_error', aliases: ['mse'], target: 'regression', doc: 'Mean of the squared differences: regression.' },
  { name: 'mean_absolute_error', aliases: ['mae'], target: 'regression', doc: 'Mean of the absolute differences: regression, robust to outliers.' },
  { name: 'mean_absolute_percentage_error', aliases: ['mape'], target: 'regression', doc: 'Mean absolute difference as a percentage of the label.' },
  { name: 'mean_squared_logarithmic_error', aliases: ['msle'], target: 'regression', doc: 'Mean squared difference of log(1 + x).' },
  { name: 'hinge', target: 'binary', doc: 'Hinge loss for labels in {-1, 1} (the trainer maps 0/1 labels).' },
  { name: 'squared_hinge', target: 'binary', doc: 'Squared hinge loss.' },
  { name: 'categorical_hinge', target: 'categorical', doc: 'Hinge loss for one class out of several.' },
  { name: 'log_cosh', aliases: ['logcosh'], target: 'regression', doc: 'log(cosh(error)): like squared error near zero, like absolute error far from it.' },
  { name: 'kl_divergence', aliases: ['kullback_leibler_divergence'], target: 'categorical', doc: 'Kullback–Leibler divergence between label and predicted distributions.' },
  { name: 'poisson', target: 'regression', doc: 'Poisson loss, for counts.' },
  { name: 'cosine_similarity', target: 'regression', doc: 'Negative cosine similarity between label and prediction.' },
];

export interface MetricSpec {
  name: string;
  doc: string;
}

export const METRICS: readonly MetricSpec[] = [
  { name: 'accuracy', doc: 'Fraction of samples classified right; binary or categorical as the loss implies. Recorded as acc and val_acc.' },
  { name: 'binary_accuracy', doc: 'Fraction of right yes/no predictions at threshold 0.5.' },
  { name: 'categorical_accuracy', doc: 'Fraction of samples whose largest output is the true class.' },
  { name: 'sparse_categorical_accuracy', doc: 'As categorical_accuracy, with labels as class indices.' },
  { name: 'top_k_categorical_accuracy', doc: 'Fraction of samples whose true class is among the 5 largest outputs.' },
  { name: 'precision', doc: 'Of the samples predicted positive, the fraction that are.' },
  { name: 'recall', doc: 'Of the positive samples, the fraction predicted positive.' },
  { name: 'mse', doc: 'Mean squared error, as a metric.' },
  { name: 'mae', doc: 'Mean absolute error, as a metric.' },
];

export const OPTIMIZERS: readonly Signature[] = [
  {
    name: 'SGD',
    positional: 1,
    doc: 'Stochastic gradient descent, with optional momentum and Nesterov momentum.',
    params: [
      learningRate(0.01),
      p('momentum', { kind: 'float', min: 0, max: 1, maxOpen: true }, 'Fraction of the previous update carried into the next.', 0),
      p('nesterov', { kind: 'bool' }, 'Use Nesterov momentum.', false),
    ],
  },
  {
    name: 'Adam',
    positional: 1,
    doc: 'Adaptive moment estimation: a per-weight step size from running averages of the gradient and its square.',
    params: [
      learningRate(0.001),
      p('beta_1', fraction, 'Decay of the running mean of gradients.', 0.9),
      p('beta_2', fraction, 'Decay of the running mean of squared gradients.', 0.999),
      epsilon(),
    ],
  },
  {
    name: 'RMSprop',
    positional: 1,
    doc: 'Divides each step by a running average of recent gradient magnitudes.',
    params: [
      learningRate(0.001),
      p('rho', fraction, 'Decay of the running average.', 0.9),
      p('momentum', { kind: 'float', min: 0, max: 1, maxOpen: true }, 'Momentum.', 0),
      epsilon(),
      p('centered', { kind: 'bool' }, 'Normalise by the variance instead of the second moment.', false),
    ],
  },
  {
    name: 'Adagrad',
    positional: 1,
    doc: 'A per-weight step size that shrinks with the sum of past squared gradients.',
    params: [learningRate(0.001), p('initial_accumulator_value', { kind: 'float', min: 0 }, 'Starting value of the accumulators.', 0.1), epsilon()],
  },
];

export const SCHEDULES: readonly Signature[] = [
  {
    name: 'ExponentialDecay',
    positional: 3,
    doc: 'Multiplies the learning rate by decay_rate every decay_steps optimizer steps (batches): lr · decay_rate^(step / decay_steps).',
    params: [
      p('initial_learning_rate', { kind: 'optional', of: { kind: 'float', min: 0, minOpen: true } }, 'The starting rate; the optimizer\'s learning_rate when none.', null),
      p('decay_steps', { kind: 'int', min: 1 }, 'Steps (batches) per decay.'),
      p('decay_rate', { kind: 'float', min: 0, minOpen: true }, 'Factor per decay_steps.'),
      p('staircase', { kind: 'bool' }, 'Decay in whole steps instead of continuously.', false),
    ],
  },
  {
    name: 'StepDecay',
    positional: 2,
    doc: 'Multiplies the learning rate by `factor` every `every` epochs: the classic step schedule.',
    params: [
      p('factor', fraction, 'Factor applied at each step.', 0.5),
      p('every', { kind: 'int', min: 1 }, 'Epochs between steps.', 10),
      p('initial_learning_rate', { kind: 'optional', of: { kind: 'float', min: 0, minOpen: true } }, 'The starting rate; the optimizer\'s learning_rate when none.', null),
    ],
  },
  {
    name: 'CosineDecay',
    positional: 2,
    doc: 'Follows half a cosine from the learning rate down to alpha times it over decay_steps optimizer steps (batches).',
    params: [
      p('decay_steps', { kind: 'int', min: 1 }, 'Steps (batches) over which to decay.'),
      p('alpha', { kind: 'float', min: 0, max: 1 }, 'The final rate as a fraction of the initial one.', 0),
      p('initial_learning_rate', { kind: 'optional', of: { kind: 'float', min: 0, minOpen: true } }, 'The starting rate; the optimizer\'s learning_rate when none.', null),
    ],
  },
];

const MODE = p('mode', { kind: 'enum', values: ['auto', 'min', 'max'] }, 'Whether the monitored quantity should fall (min) or rise (max); auto infers it from the name.', 'auto');

export const CALLBACKS: readonly Signature[] = [
  {
    name: 'ReduceLROnPlateau',
    positional: 0,
    doc: 'Multiplies the learning rate by `factor` when the monitored quantity has not improved for `patience` epochs.',
    params: [
      p('monitor', { kind: 'monitor' }, 'The quantity to watch.', 'val_loss'),
      p('factor', fraction, 'Factor applied to the learning rate.', 0.1),
      p('patience', { kind: 'int', min: 0 }, 'Epochs without improvement before reducing.', 10),
      p('min_delta', { kind: 'float', min: 0 }, 'The smallest change that counts as an improvement.', 1e-4),
      p('cooldown', { kind: 'int', min: 0 }, 'Epochs to wait after a reduction before watching again.', 0),
      p('min_lr', { kind: 'float', min: 0 }, 'The learning rate never goes below this.', 0),
      MODE,
    ],
  },
  {
    name: 'EarlyStopping',
    positional: 0,
    doc: 'Stops training when the monitored quantity has not improved for `patience` epochs.',
    params: [
      p('monitor', { kind: 'monitor' }, 'The quantity to watch.', 'val_loss'),
      p('patience', { kind: 'int', min: 0 }, 'Epochs without improvement before stopping.', 0),
      p('min_delta', { kind: 'float', min: 0 }, 'The smallest change that counts as an improvement.', 0),
      MODE,
      p('restore_best_weights', { kind: 'bool' }, 'Return to the weights of the best epoch when stopping.', false),
      p('baseline', { kind: 'optional', of: { kind: 'float' } }, 'Stop unless the quantity beats this value.', null),
    ],
  },
];

export interface DataSourceSpec extends Signature {
  /** Shape of one sample's features, without the batch dimension; undefined when known only from the file. */
  features?(values: Record<string, unknown>): number[] | undefined;
  /** Number of classes, where the source fixes it. */
  classes?(values: Record<string, unknown>): number | undefined;
  /** True when the features can take any shape with the same number of values (images). */
  reshapes?: boolean;
}

const twoDimensional = (): number[] => [2];

const scale = (): ParamSpec => p('scale', { kind: 'float' }, 'Multiplies every feature, e.g. 1/255 for pixels.', 1);
const reshape = (): ParamSpec => p('shape', { kind: 'optional', of: { kind: 'intList', min: 1 } }, 'Reshapes each sample\'s features, e.g. [28, 28, 1] for a convolutional input.', null);

/** Arrays saved by NumPy: the first axis counts the samples; labels are class indices (any values: each distinct value a class), one-hot rows, or numbers for regression. */
const NUMPY_SOURCES: readonly DataSourceSpec[] = [
  {
    name: 'npy',
    positional: 1,
    doc: 'Features and labels from two .npy files (np.save): the first axis counts the samples.',
    params: [
      p('path', { kind: 'string' }, 'The features\' .npy file, relative to the .net file.'),
      p('labels', { kind: 'string' }, 'The labels\' .npy file: one label a sample (class indices, one-hot rows, or numbers for regression).'),
      scale(),
      reshape(),
    ],
  },
  {
    name: 'npz',
    positional: 1,
    doc: 'Features and labels from two arrays of an .npz archive (np.savez or np.savez_compressed), named as they were saved.',
    params: [
      p('path', { kind: 'string' }, 'The .npz file, relative to the .net file.'),
      p('x', { kind: 'string' }, 'The name of the features\' array, e.g. x_train.', 'x'),
      p('y', { kind: 'columns', single: true }, 'The name of the labels\' array, e.g. y_train; for a model with several outputs, an array per output by output name, e.g. {out_a: "ya", out_b: "yb"}.', 'y'),
      scale(),
      reshape(),
      p('inputs', { kind: 'optional', of: { kind: 'columns' } }, 'The array of each model input, by input name, e.g. {features: "x1", extra: "x2"}, instead of x; needed for a model with several inputs.', null),
    ],
  },
];

/** `images(...)`: Keras's image_dataset_from_directory; its classes are the folder's sub-folders, which only the data host knows. */
const IMAGE_FOLDER: DataSourceSpec = {
  name: 'images',
  positional: 1,
  doc: 'A folder of images sorted into class folders, as Keras\'s image_dataset_from_directory reads it: each sub-folder is a class (in sorted order), each PNG or JPEG file below it a sample, resized to `size`. Decoded one file at a time.',
  params: [
    p('path', { kind: 'string' }, 'The folder holding one folder per class, relative to the .net file.'),
    p('size', { kind: 'ints', rank: 2, min: 1 }, 'Height and width every image is resized to (bilinear, as Keras).', [256, 256]),
    p('color', { kind: 'enum', values: ['grayscale', 'rgb'] }, 'grayscale gives samples of shape [h, w, 1], rgb of [h, w, 3].', 'rgb'),
    p('scale', { kind: 'float' }, 'Multiplies every pixel value (0 to 255), e.g. 1/255.', 1),
  ],
  features: (v) => {
    const [height, width] = v['size'] as number[];
    return [height!, width!, v['color'] === 'grayscale' ? 1 : 3];
  },
};

export const DATA_SOURCES: readonly DataSourceSpec[] = [
  {
    name: 'csv',
    positional: 1,
    doc: 'A CSV file with a header row: one column is the label, the others are the features. Read as a stream.',
    params: [
      p('path', { kind: 'string' }, 'The file, relative to the .net file.'),
      p('label', { kind: 'columns', single: true }, 'The name of the label column; for a model with several outputs, a label column per output by output name, e.g. {out_a: "ya", out_b: "yb"}.', 'label'),
      p('scale', { kind: 'float' }, 'Multiplies every feature, e.g. 1/255 for pixels.', 1),
      p('shape', { kind: 'optional', of: { kind: 'intList', min: 1 } }, 'Reshapes each sample\'s features, e.g. [28, 28, 1] for a convolutional input.', null),
      p('inputs', { kind: 'optional', of: { kind: 'columns' } }, 'The columns of each model input, by input name: a column, a list of columns, or "first:last" (inclusive, in header order), e.g. {features: "f0:f63", extra: "e0:e7"}; needed for a model with several inputs.', null),
    ],
  },
  ...NUMPY_SOURCES,
  IMAGE_FOLDER,
  { name: 'xor', positional: 0, doc: 'The four points of XOR: label 1 where the two inputs differ.', params: [], features: twoDimensional, classes: () => 2 },
  { name: 'and', positional: 0, doc: 'The four points of AND: label 1 where both inputs are 1.', params: [], features: twoDimensional, classes: () => 2 },
  { name: 'or', positional: 0, doc: 'The four points of OR: label 1 where either input is 1.', params: [], features: twoDimensional, classes: () => 2 },
  {
    name: 'mnist',
    positional: 1,
    doc: 'Handwritten digits, 28×28 grayscale scaled to [0, 1], 10 classes; reshaped to the model\'s input ([784] or [28, 28, 1]).',
    params: [p('samples', { kind: 'optional', of: { kind: 'int', min: 1 } }, 'Use only this many samples; all when none.', null)],
    features: () => [28, 28, 1],
    classes: () => 10,
    reshapes: true,
  },
  {
    name: 'spiral',
    positional: 0,
    doc: 'Interleaved spiral arms in the plane, one class per arm.',
    params: [samples(300), p('classes', { kind: 'int', min: 2 }, 'Number of arms.', 3), noise(0.2), seed()],
    features: twoDimensional,
    classes: (v) => v['classes'] as number,
  },
  {
    name: 'blobs',
    positional: 0,
    doc: 'Gaussian clusters, one class per cluster.',
    params: [
      samples(300),
      p('centers', { kind: 'int', min: 2 }, 'Number of clusters (classes).', 3),
      p('features', { kind: 'int', min: 1 }, 'Dimensions of each point.', 2),
      p('std', { kind: 'float', min: 0 }, 'Standard deviation of each cluster.', 1),
      seed(),
    ],
    features: (v) => [v['features'] as number],
    classes: (v) => v['centers'] as number,
  },
  {
    name: 'circles',
    positional: 0,
    doc: 'A small circle inside a large one: two classes no straight line separates.',
    params: [samples(300), noise(0.05), p('factor', fraction, 'Radius of the inner circle relative to the outer.', 0.5), seed()],
    features: twoDimensional,
    classes: () => 2,
  },
  {
    name: 'moons',
    positional: 0,
    doc: 'Two interleaving half circles.',
    params: [samples(300), noise(0.1), seed()],
    features: twoDimensional,
    classes: () => 2,
  },
];

export type SettingKind = 'data' | 'validation' | 'loss' | 'lossWeights' | 'optimizer' | 'metrics' | 'int' | 'bool' | 'schedule' | 'callbacks';

export interface SettingSpec {
  name: string;
  kind: SettingKind;
  doc: string;
  /** The default in the language's own syntax, for hovers and docs; absent for required settings. */
  default?: string;
  min?: number;
  /** An int or bool setting's field of the checked train block. */
  target?: ScalarTarget;
  /**
   * The value when the setting is absent (the `default` above, as a value):
   * an int or bool setting's field value; for the optimizer, the name of the
   * catalog's optimizer taken with its own defaults. Absent where it stays unset.
   */
  value?: number | boolean | string;
}

/** The fields of a checked train block that the int and bool settings fill. */
export type ScalarTarget = 'epochs' | 'batchSize' | 'shuffle' | 'seed' | 'ensemble';

export const SETTINGS: readonly SettingSpec[] = [
  { name: 'data', kind: 'data', doc: 'The training data: csv(...), npy(...), npz(...), images(...), or a built-in set such as xor(), mnist(), spiral().' },
  { name: 'validation', kind: 'validation', doc: 'Validation data: another data source, or a fraction of the training data held out (shuffled with the seed and stratified by class), e.g. 0.2.', default: 'none' },
  { name: 'loss', kind: 'loss', doc: 'The loss to minimise, e.g. categorical_crossentropy; for a model with several outputs, one loss for all, or a loss per output by output name, e.g. {out_a: binary_crossentropy, out_b: mse}.' },
  { name: 'loss_weights', kind: 'lossWeights', doc: 'For a model with several outputs: the weight of each output\'s loss in the total that is minimised, by output name, e.g. {out_a: 1.0, out_b: 0.5}; 1 for an output it leaves out.', default: 'none' },
  { name: 'optimizer', kind: 'optimizer', doc: 'The optimizer, e.g. Adam(learning_rate=0.001) or SGD(learning_rate=0.1, momentum=0.9).', default: 'Adam()', value: 'Adam' },
  { name: 'metrics', kind: 'metrics', doc: 'Quantities recorded besides the loss, e.g. [accuracy]; for several outputs, recorded for every output, or per output by output name, e.g. {out_a: [accuracy], out_b: [mae]}.', default: '[]' },
  { name: 'epochs', kind: 'int', doc: 'Passes over the training data.', default: '10', min: 1, target: 'epochs', value: 10 },
  { name: 'batch_size', kind: 'int', doc: 'Samples per gradient step: smaller batches give noisier, more frequent updates.', default: '32', min: 1, target: 'batchSize', value: 32 },
  { name: 'shuffle', kind: 'bool', doc: 'Shuffle the training data before each epoch.', default: 'true', target: 'shuffle', value: true },
  { name: 'seed', kind: 'int', doc: 'Seed of every random choice (weights, shuffling, splits, dropout): the same seed on the same backend gives the same curves.', default: 'none', min: 0, target: 'seed' },
  { name: 'schedule', kind: 'schedule', doc: 'A learning-rate schedule: ExponentialDecay(...), StepDecay(...) or CosineDecay(...).', default: 'none' },
  { name: 'callbacks', kind: 'callbacks', doc: 'Callbacks such as ReduceLROnPlateau(...) and EarlyStopping(...).', default: '[]' },
  { name: 'ensemble', kind: 'int', doc: 'Train this many members with different seeds and report each member and their averaged prediction.', default: '1', min: 1, target: 'ensemble', value: 1 },
];

export function findByName<T extends { name: string; aliases?: string[] }>(items: readonly T[], name: string): T | undefined {
  return items.find((item) => item.name === name || item.aliases?.includes(name));
}
