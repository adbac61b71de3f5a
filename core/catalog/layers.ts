/**
 * The layer catalog: every layer the language knows, with its Keras
 * arguments, defaults and ranges, its shape rule and its parameter formula.
 * The formulas equal what tfjs-layers builds; a differential test holds them
 * to it.
 */
import {
  deconvLength,
  elementCount,
  formatCount,
  formatShape,
  knownLastDim,
  normaliseAxis,
  requireMinRank,
  requireRank,
  shapesEqual,
  slideWindow,
} from './shape';
import { ShapeError, type ArgType, type LayerCategory, type LayerSpec, type ParamCount, type ParamSpec, type ResolvedArgs, type ResolvedCall, type Shape } from './types';

const INITIALIZERS = [
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'zeros',
  'ones',
  'random_normal',
  'random_uniform',
  'truncated_normal',
  'orthogonal',
] as const;

const PADDING: ArgType = { kind: 'enum', values: ['valid', 'same'] };
const FILL_MODE: ArgType = { kind: 'enum', values: ['reflect', 'wrap', 'constant', 'nearest'] };
const INTERPOLATION: ArgType = { kind: 'enum', values: ['bilinear', 'nearest'] };
const RNN_LAYERS = ['SimpleRNN', 'LSTM', 'GRU'] as const;

/** Arguments every layer takes. */
const COMMON: readonly ParamSpec[] = [
  { name: 'name', type: { kind: 'optional', of: { kind: 'string' } }, default: null, doc: 'The layer\'s name in summaries and saved models; a stable default such as `dense_1` otherwise.' },
  { name: 'trainable', type: { kind: 'bool' }, default: true, doc: 'When false, the layer\'s weights are frozen: all its parameters count as non-trainable.' },
];

const param = (name: string, type: ArgType, doc: string, defaultValue?: ParamSpec['default']): ParamSpec =>
  defaultValue === undefined ? { name, type, doc } : { name, type, doc, default: defaultValue };

const activation = (defaultValue = 'linear'): ParamSpec => param('activation', { kind: 'activation' }, 'Activation applied to the output.', defaultValue);
const useBias = (): ParamSpec => param('use_bias', { kind: 'bool' }, 'Whether the layer adds a learned bias.', true);
const initializers = (): ParamSpec[] => [
  param('kernel_initializer', { kind: 'enum', values: INITIALIZERS }, 'How the kernel starts.', 'glorot_uniform'),
  // Orthogonal needs a matrix, and a bias is a vector: tfjs (and Keras) refuse it.
  param('bias_initializer', { kind: 'enum', values: INITIALIZERS.filter((i) => i !== 'orthogonal') }, 'How the bias starts.', 'zeros'),
];
const seed = (): ParamSpec => param('seed', { kind: 'optional', of: { kind: 'int', min: 0 } }, 'Seed of the layer\'s randomness; the train block\'s seed otherwise.', null);

interface LayerDefinition extends Omit<LayerSpec, 'params' | 'positional' | 'category'> {
  params: ParamSpec[];
  positional?: number;
}

function define(category: LayerCategory, definitions: LayerDefinition[]): LayerSpec[] {
  return definitions.map((d) => ({ ...d, category, positional: d.positional ?? 0, params: [...d.params, ...COMMON] }));
}

// Argument access. The resolver has checked every type, so these casts hold.
const int = (args: ResolvedArgs, name: string): number => args.values[name] as number;
const bool = (args: ResolvedArgs, name: string): boolean => args.values[name] as boolean;
const str = (args: ResolvedArgs, name: string): string => args.values[name] as string;
const ints = (args: ResolvedArgs, name: string): number[] => args.values[name] as number[];

/** Splits a count into trainable and frozen parts as `trainable=false` asks. */
function counted(args: ResolvedArgs, trainable: number, nonTrainable: number, formula: string): ParamCount {
  return bool(args, 'trainable') ? { trainable, nonTrainable, formula } : { trainable: 0, nonTrainable: trainable + nonTrainable, formula };
}

const f = formatCount;
const only = (inputs: Shape[]): Shape => inputs[0]!;
const identity = (inputs: Shape[]): Shape => [...only(inputs)];

function denseLike(name: string, input: Shape, units: number, args: ResolvedArgs, piecesText = ''): ParamCount {
  const inDim = knownLastDim(name, input);
  const width = units;
  const kernel = inDim * width;
  const bias = bool(args, 'use_bias') ? width : 0;
  const widthText = piecesText || f(width);
  return counted(args, kernel + bias, 0, bias ? `${f(inDim)} × ${widthText} + ${widthText}` : `${f(inDim)} × ${widthText}`);
}

// Convolutions

function convolution(rank: 1 | 2, transpose = false): LayerDefinition {
  const name = transpose ? 'Conv2DTranspose' : `Conv${rank}D`;
  const layout = rank === 1 ? '(None, steps, channels)' : '(None, h, w, c)';
  const params: ParamSpec[] = [
    param('filters', { kind: 'int', min: 1 }, 'Number of output channels.'),
    param('kernel_size', { kind: 'ints', rank, min: 1 }, `Window size${rank === 2 ? ': one number for a square, or (h, w)' : ''}.`),
    param('strides', { kind: 'ints', rank, min: 1 }, 'Step of the window.', Array<number>(rank).fill(1)),
    param('padding', PADDING, '`valid` (no padding) or `same` (pad so that stride 1 keeps the size).', 'valid'),
  ];
  if (!transpose) params.push(param('dilation_rate', { kind: 'ints', rank, min: 1 }, 'Spacing between kernel taps.', Array<number>(rank).fill(1)));
  params.push(activation(), useBias(), ...initializers());
  return {
    name,
    positional: 4,
    doc: transpose
      ? 'Transposed 2-D convolution ("deconvolution"): learns to upsample feature maps.'
      : `${rank}-D convolution: ${rank === 1 ? 'slides filters along a sequence' : 'slides filters over an image'}, one output channel per filter.`,
    params,
    shapeRule: transpose
      ? '(None, h, w, c) → (None, h·s + max(k − s, 0), …, filters) with valid padding, (None, h·s, w·s, filters) with same.'
      : `${layout} → each spatial size becomes ⌈(n − d·(k − 1)) / s⌉ with valid padding, ⌈n / s⌉ with same; the channels become filters.`,
    paramRule: transpose ? 'kh × kw × filters × c + filters (bias).' : `${rank === 1 ? 'k' : 'kh × kw'} × c × filters + filters (bias).`,
    outputShape(inputs, args) {
      const input = only(inputs);
      requireRank(name, input, rank + 2, layout);
      const kernel = ints(args, 'kernel_size');
      const strides = ints(args, 'strides');
      const padding = str(args, 'padding');
      const spatial = input.slice(1, rank + 1);
      let out;
      if (transpose) {
        out = spatial.map((dim, i) => deconvLength(dim, strides[i]!, kernel[i]!, padding));
      } else {
        const dilation = ints(args, 'dilation_rate');
        if (dilation.some((d) => d > 1) && strides.some((s) => s > 1)) {
          throw new ShapeError('argument-conflict', `${name} cannot combine strides > 1 with dilation_rate > 1`, 'dilation_rate');
        }
        out = slideWindow(name, 'kernel', spatial, kernel, strides, padding, dilation);
      }
      return [null, ...out, int(args, 'filters')];
    },
    countParams(inputs, args) {
      const channels = knownLastDim(name, only(inputs));
      const kernel = ints(args, 'kernel_size');
      const filters = int(args, 'filters');
      const weights = kernel.reduce((a, b) => a * b, 1) * channels * filters;
      const bias = bool(args, 'use_bias') ? filters : 0;
      const factors = [...kernel, channels, filters].map(f).join(' × ');
      return counted(args, weights + bias, 0, bias ? `${factors} + ${f(filters)}` : factors);
    },
  };
}

// Pooling

function pooling(kind: 'Max' | 'Average', rank: 1 | 2): LayerDefinition {
  const name = `${kind}Pooling${rank}D`;
  const layout = rank === 1 ? '(None, steps, channels)' : '(None, h, w, c)';
  return {
    name,
    tfjsClassName: name,
    positional: 3,
    doc: `${kind === 'Max' ? 'Takes the maximum' : 'Averages'} over each ${rank === 1 ? 'window of steps' : 'window of pixels'}, channel by channel.`,
    params: [
      param('pool_size', { kind: 'ints', rank, min: 1 }, 'Window size.', Array<number>(rank).fill(2)),
      param('strides', { kind: 'optional', of: { kind: 'ints', rank, min: 1 } }, 'Step of the window; the pool size when none.', null),
      param('padding', PADDING, '`valid` or `same`.', 'valid'),
    ],
    shapeRule: `${layout} → each spatial size becomes ⌈(n − p + 1) / s⌉ with valid padding, ⌈n / s⌉ with same; channels unchanged.`,
    paramRule: 'None.',
    outputShape(inputs, args) {
      const input = only(inputs);
      requireRank(name, input, rank + 2, layout);
      const pool = ints(args, 'pool_size');
      const strides = (args.values['strides'] as number[] | null) ?? pool;
      const out = slideWindow(name, 'pool', input.slice(1, rank + 1), pool, strides, str(args, 'padding'));
      return [null, ...out, input[rank + 1]!];
    },
  };
}

function globalPooling(kind: 'Max' | 'Average', rank: 1 | 2): LayerDefinition {
  const name = `Global${kind}Pooling${rank}D`;
  const layout = rank === 1 ? '(None, steps, channels)' : '(None, h, w, c)';
  return {
    name,
    doc: `${kind === 'Max' ? 'The maximum' : 'The mean'} of each channel over all ${rank === 1 ? 'steps' : 'pixels'}.`,
    params: [],
    shapeRule: `${layout} → (None, channels).`,
    paramRule: 'None.',
    outputShape(inputs) {
      const input = only(inputs);
      requireRank(name, input, rank + 2, layout);
      return [null, input[rank + 1]!];
    },
  };
}

// Recurrent

function recurrent(name: (typeof RNN_LAYERS)[number]): LayerDefinition {
  const gates = name === 'LSTM' ? 4 : name === 'GRU' ? 3 : 1;
  const params: ParamSpec[] = [
    param('units', { kind: 'int', min: 1 }, 'Size of the hidden state.'),
    activation('tanh'),
  ];
  if (name !== 'SimpleRNN') params.push(param('recurrent_activation', { kind: 'activation' }, 'Activation of the gates.', 'sigmoid'));
  params.push(
    useBias(),
    param('return_sequences', { kind: 'bool' }, 'Return the state at every step (for stacking recurrent layers) instead of the last one.', false),
    param('dropout', { kind: 'float', min: 0, max: 1, maxOpen: true }, 'Dropout rate of the inputs, while training.', 0),
    param('recurrent_dropout', { kind: 'float', min: 0, max: 1, maxOpen: true }, 'Dropout rate of the recurrent state, while training.', 0),
  );
  if (name === 'GRU') {
    params.push(param('reset_after', { kind: 'bool' }, 'Apply the reset gate after the matrix product. TensorFlow.js supports only false.', false));
  }
  const formulaText = gates === 1 ? 'units × (input + units) + units' : `${gates} × (units × (input + units) + units)`;
  return {
    name,
    positional: 1,
    doc:
      name === 'SimpleRNN'
        ? 'A fully connected recurrent layer: the output of each step feeds the next.'
        : name === 'LSTM'
          ? 'Long short-term memory: a recurrent layer with input, forget and output gates and a cell state.'
          : 'Gated recurrent unit: a recurrent layer with update and reset gates.',
    tfjsNote:
      name === 'GRU'
        ? 'TensorFlow.js\'s GRU has no reset_after=true, Keras 2\'s default; the count shown is the one TensorFlow.js trains, 3 × units fewer than Keras 2 prints.'
        : name === 'LSTM'
          ? 'TensorFlow.js defaults recurrent_activation to hard_sigmoid; the language uses Keras\'s sigmoid and passes it explicitly.'
          : undefined,
    params,
    shapeRule: '(None, steps, features) → (None, units), or (None, steps, units) with return_sequences=true.',
    paramRule: `${formulaText} (bias included).`,
    outputShape(inputs, args) {
      const input = only(inputs);
      requireRank(name, input, 3, '(None, steps, features)');
      for (const which of ['activation', 'recurrent_activation']) {
        if (args.values[which] === 'leaky_relu') {
          throw new ShapeError('unsupported-argument', `TensorFlow.js has no leaky_relu inside a recurrent cell; use it after ${name}`, which);
        }
      }
      if (name === 'GRU' && bool(args, 'reset_after')) {
        throw new ShapeError('unsupported-argument', 'TensorFlow.js\'s GRU supports only reset_after=false', 'reset_after');
      }
      const units = int(args, 'units');
      return bool(args, 'return_sequences') ? [null, input[1]!, units] : [null, units];
    },
    countParams(inputs, args) {
      const inDim = knownLastDim(name, only(inputs));
      const units = int(args, 'units');
      const bias = bool(args, 'use_bias') ? units : 0;
      const total = gates * (units * (inDim + units) + bias);
      const inner = `${f(units)} × (${f(inDim)} + ${f(units)})${bias ? ` + ${f(units)}` : ''}`;
      return counted(args, total, 0, gates === 1 ? inner : `${gates} × (${inner})`);
    },
  };
}

// Normalization

/**
 * BatchNormalization and LayerNormalization: a learned scale (gamma) and
 * offset (beta) per channel, plus, for batch normalization, the moving mean
 * and variance, which are weights but not trained.
 */
function normalization(name: string, doc: string, extra: ParamSpec[], movingStatistics: boolean): LayerDefinition {
  return {
    name,
    positional: 1,
    doc,
    params: [
      param('axis', { kind: 'int' }, movingStatistics ? 'The channel axis.' : 'The axis to normalise.', -1),
      ...extra,
      param('epsilon', { kind: 'float', min: 0, minOpen: true }, 'Added to the variance to avoid dividing by zero.', 0.001),
      param('center', { kind: 'bool' }, 'Learn an offset beta.', true),
      param('scale', { kind: 'bool' }, 'Learn a scale gamma.', true),
    ],
    shapeRule: 'Unchanged.',
    paramRule: movingStatistics
      ? 'Per channel: gamma and beta (trainable) and the moving mean and variance (non-trainable): 4 × channels.'
      : 'gamma and beta: 2 × the size of the normalised axis.',
    outputShape(inputs, args) {
      normalisedChannels(name, only(inputs), int(args, 'axis'));
      if (movingStatistics) {
        // tfjs's training step reads gamma and beta unconditionally, and fails without either.
        for (const which of ['center', 'scale']) {
          if (!bool(args, which)) throw new ShapeError('unsupported-argument', `TensorFlow.js's ${name} cannot train with ${which}=false`, which);
        }
      }
      return identity(inputs);
    },
    countParams(inputs, args) {
      const channels = normalisedChannels(name, only(inputs), int(args, 'axis'));
      const learned = (bool(args, 'center') ? 1 : 0) + (bool(args, 'scale') ? 1 : 0);
      const statistics = movingStatistics ? 2 : 0;
      return counted(args, learned * channels, statistics * channels, `${learned + statistics} × ${f(channels)}`);
    },
  };
}

// Merges

function elementwise(name: string, doc: string, arity?: number): LayerDefinition {
  return {
    name,
    merge: arity ? { min: arity, max: arity } : { min: 2 },
    doc,
    params: [],
    shapeRule: 'All inputs must have equal shapes; the output has that shape.',
    paramRule: 'None.',
    outputShape(inputs) {
      const first = inputs[0]!;
      for (const other of inputs.slice(1)) {
        if (!shapesEqual(first, other)) {
          throw new ShapeError('shape-mismatch', `${name} needs equal shapes: ${formatShape(first)} and ${formatShape(other)}`);
        }
      }
      return [...first];
    },
  };
}

// Augmentation

function augmentation(name: string, doc: string, params: ParamSpec[], positional: number): LayerDefinition {
  return {
    name,
    positional,
    trainingOnly: true,
    doc: `${doc} Acts only while training; at inference it passes images through unchanged.`,
    params: [...params, seed()],
    shapeRule: '(None, h, w, c) → unchanged.',
    paramRule: 'None.',
    outputShape(inputs) {
      requireRank(name, only(inputs), 4, '(None, h, w, c)');
      return identity(inputs);
    },
  };
}

/** How the geometric augmentations fill what they uncover and sample what they move. */
const resampling = (uncovered: string): ParamSpec[] => [
  param('fill_mode', FILL_MODE, `How to fill ${uncovered}.`, 'reflect'),
  param('interpolation', INTERPOLATION, 'How to sample pixels.', 'bilinear'),
  param('fill_value', { kind: 'float' }, 'The value used when fill_mode is constant.', 0),
];

/** A [lower, upper] pair must be increasing, as Keras 2 requires, except RandomContrast's two separate amounts. */
const FACTOR = (min: number, max: number, ordered = true): ArgType => ({ kind: 'factor', min, max, ordered });

/** Bidirectional's wrapped layer: its catalog entry and arguments. */
function resolveBidirectionalInner(args: ResolvedArgs): { spec: LayerSpec; args: ResolvedArgs } {
  const inner = args.values['layer'] as ResolvedCall;
  return { spec: findLayer(inner.name)!, args: inner.args };
}

export const LAYERS: readonly LayerSpec[] = [
  ...define('core', [
    {
      name: 'Dense',
      positional: 2,
      doc: 'A fully connected layer: every output unit sees every input value. On inputs of rank 3 or more it acts on the last axis.',
      params: [param('units', { kind: 'int', min: 1 }, 'Number of output units.'), activation(), useBias(), ...initializers()],
      shapeRule: '(None, …, n) → (None, …, units).',
      paramRule: 'n × units + units (bias).',
      outputShape(inputs, args) {
        const input = only(inputs);
        requireMinRank('Dense', input, 2, '(None, features)');
        knownLastDim('Dense', input);
        return [...input.slice(0, -1), int(args, 'units')];
      },
      countParams: (inputs, args) => denseLike('Dense', only(inputs), int(args, 'units'), args),
    },
    {
      name: 'Maxout',
      positional: 2,
      doc: 'Maxout units (Goodfellow et al., 2013): a dense layer with `units × pieces` outputs, of which each unit keeps the largest of its pieces.',
      tfjsNote: 'Neither Keras nor TensorFlow.js ships Maxout; the trainer supplies the layer.',
      params: [
        param('units', { kind: 'int', min: 1 }, 'Number of output units.'),
        param('pieces', { kind: 'int', min: 1 }, 'Linear pieces per unit; each unit outputs their maximum.', 2),
        useBias(),
      ],
      shapeRule: '(None, …, n) → (None, …, units).',
      paramRule: 'n × units·pieces + units·pieces (bias).',
      outputShape(inputs, args) {
        const input = only(inputs);
        requireMinRank('Maxout', input, 2, '(None, features)');
        knownLastDim('Maxout', input);
        return [...input.slice(0, -1), int(args, 'units')];
      },
      countParams(inputs, args) {
        const units = int(args, 'units');
        const pieces = int(args, 'pieces');
        return denseLike('Maxout', only(inputs), units * pieces, args, `(${f(units)} × ${f(pieces)})`);
      },
    },
    {
      name: 'Embedding',
      positional: 2,
      doc: 'Turns whole numbers (token ids in [0, input_dim)) into dense vectors of size output_dim.',
      params: [
        param('input_dim', { kind: 'int', min: 1 }, 'Size of the vocabulary: ids run from 0 to input_dim − 1.'),
        param('output_dim', { kind: 'int', min: 1 }, 'Size of each vector.'),
      ],
      shapeRule: '(None, …) → (None, …, output_dim).',
      paramRule: 'input_dim × output_dim.',
      outputShape: (inputs, args) => [...only(inputs), int(args, 'output_dim')],
      countParams(_inputs, args) {
        const inDim = int(args, 'input_dim');
        const outDim = int(args, 'output_dim');
        return counted(args, inDim * outDim, 0, `${f(inDim)} × ${f(outDim)}`);
      },
    },
  ]),
  ...define('activation', [
    {
      name: 'Activation',
      positional: 1,
      doc: 'Applies an activation function.',
      params: [param('activation', { kind: 'activation' }, 'The activation to apply.')],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
    {
      name: 'ReLU',
      tfjsClassName: 'ReLU',
      positional: 1,
      doc: 'Rectified linear unit, optionally capped.',
      params: [param('max_value', { kind: 'optional', of: { kind: 'float', min: 0 } }, 'Upper bound of the output; none for no bound.', null)],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
    {
      name: 'LeakyReLU',
      positional: 1,
      doc: 'ReLU with a small slope `alpha` below zero.',
      params: [param('alpha', { kind: 'float', min: 0 }, 'Slope below zero.', 0.3)],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
    {
      name: 'ELU',
      positional: 1,
      doc: 'Exponential linear unit: alpha · (exp(x) − 1) below zero.',
      params: [param('alpha', { kind: 'float', min: 0 }, 'Scale of the negative part.', 1.0)],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape(inputs, args) {
        if (args.values['alpha'] !== 1) throw new ShapeError('unsupported-argument', 'TensorFlow.js\'s ELU supports only alpha=1.0', 'alpha');
        return identity(inputs);
      },
    },
    {
      name: 'PReLU',
      positional: 0,
      doc: 'Parametric ReLU: the slope below zero is learned, one per input value unless axes are shared.',
      params: [param('shared_axes', { kind: 'optional', of: { kind: 'intList', min: 1 } }, 'Axes (1 = first non-batch axis) along which one slope is shared, e.g. [1, 2] for one slope per channel.', null)],
      shapeRule: 'Unchanged.',
      paramRule: 'The product of the input dimensions, with shared axes counted as 1.',
      outputShape(inputs, args) {
        const input = only(inputs);
        const shared = args.values['shared_axes'] as number[] | null;
        for (const axis of shared ?? []) {
          if (axis >= input.length) throw new ShapeError('invalid-axis', `PReLU shared axis ${axis} does not exist in ${formatShape(input)}`, 'shared_axes');
        }
        return identity(inputs);
      },
      countParams(inputs, args) {
        const input = only(inputs);
        const shared = new Set((args.values['shared_axes'] as number[] | null) ?? []);
        const dims = input.slice(1).map((dim, i) => (shared.has(i + 1) ? 1 : dim));
        if (dims.some((d) => d === null)) throw new ShapeError('unknown-dimension', `PReLU needs every unshared dimension known; got ${formatShape(input)}`);
        const count = (dims as number[]).reduce((a, b) => a * b, 1);
        return counted(args, count, 0, (dims as number[]).map(f).join(' × '));
      },
    },
    {
      name: 'Softmax',
      positional: 1,
      doc: 'Softmax along an axis: probabilities that sum to 1.',
      params: [param('axis', { kind: 'int' }, 'The axis to normalise.', -1)],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape(inputs, args) {
        const input = only(inputs);
        const axis = int(args, 'axis');
        if (normaliseAxis(axis, input.length) === undefined || normaliseAxis(axis, input.length) === 0) {
          throw new ShapeError('invalid-axis', `Softmax axis ${axis} does not exist in ${formatShape(input)}`, 'axis');
        }
        if (normaliseAxis(axis, input.length) !== input.length - 1) {
          throw new ShapeError('unsupported-argument', `TensorFlow.js's Softmax works only along the last axis (${input.length - 1} or -1); got ${axis}`, 'axis');
        }
        return identity(inputs);
      },
    },
  ]),
  ...define('regularization', [
    {
      name: 'Dropout',
      positional: 1,
      trainingOnly: true,
      doc: 'While training, sets a random fraction `rate` of its inputs to 0 and scales the rest by 1 / (1 − rate); at inference it does nothing.',
      params: [param('rate', { kind: 'float', min: 0, max: 1, maxOpen: true }, 'Fraction of inputs to drop.'), seed()],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
    {
      name: 'GaussianNoise',
      positional: 1,
      trainingOnly: true,
      doc: 'While training, adds zero-centred Gaussian noise of standard deviation `stddev`; a regulariser and a form of data augmentation.',
      params: [param('stddev', { kind: 'float', min: 0 }, 'Standard deviation of the noise.'), seed()],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
  ]),
  ...define('normalization', [
    normalization(
      'BatchNormalization',
      'Normalises each channel by the batch\'s mean and variance while training and by their moving averages at inference.',
      [param('momentum', { kind: 'float', min: 0, max: 1 }, 'Momentum of the moving averages.', 0.99)],
      true,
    ),
    normalization('LayerNormalization', 'Normalises each sample over its last axis, with a learned scale and offset.', [], false),
  ]),
  ...define('reshaping', [
    {
      name: 'Flatten',
      doc: 'Flattens each sample into a vector, e.g. before a Dense layer.',
      params: [],
      shapeRule: '(None, d1, d2, …) → (None, d1·d2·…).',
      paramRule: 'None.',
      outputShape(inputs) {
        const input = only(inputs);
        requireMinRank('Flatten', input, 3, '(None, d1, d2, …)');
        const count = elementCount(input);
        if (count === null) throw new ShapeError('unknown-dimension', `Flatten needs every dimension known; got ${formatShape(input)}`);
        return [null, count];
      },
    },
    {
      name: 'Reshape',
      positional: 1,
      doc: 'Gives each sample a new shape with the same number of values; one dimension may be -1 to be inferred.',
      params: [param('target_shape', { kind: 'intList', allowMinusOne: true, min: 1 }, 'The new shape, without the batch dimension, e.g. [28, 28, 1].')],
      shapeRule: '(None, …) → (None, target_shape…), with -1 inferred.',
      paramRule: 'None.',
      outputShape(inputs, args) {
        const input = only(inputs);
        const target = ints(args, 'target_shape');
        const count = elementCount(input);
        const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        if (count === null) {
          if (target.includes(-1)) return [null, ...target.map((d) => (d === -1 ? null : d))];
          return [null, ...target];
        }
        if (target.includes(-1)) {
          if (count % known !== 0) throw new ShapeError('reshape-size', `Reshape cannot turn ${count} values into a multiple of ${known}`, 'target_shape');
          return [null, ...target.map((d) => (d === -1 ? count / known : d))];
        }
        if (known !== count) throw new ShapeError('reshape-size', `Reshape cannot turn ${count} values into ${known}`, 'target_shape');
        return [null, ...target];
      },
    },
    {
      name: 'Rescaling',
      positional: 2,
      doc: 'Multiplies by `scale` and adds `offset`, e.g. Rescaling(1/255) for pixels.',
      params: [param('scale', { kind: 'float' }, 'The factor.'), param('offset', { kind: 'float' }, 'Added after scaling.', 0)],
      shapeRule: 'Unchanged.',
      paramRule: 'None.',
      outputShape: identity,
    },
  ]),
  ...define('convolution', [convolution(1), convolution(2), convolution(2, true)]),
  ...define('pooling', [
    pooling('Max', 1),
    pooling('Max', 2),
    pooling('Average', 1),
    pooling('Average', 2),
    globalPooling('Average', 1),
    globalPooling('Average', 2),
    globalPooling('Max', 1),
    globalPooling('Max', 2),
  ]),
  ...define('recurrent', [
    recurrent('SimpleRNN'),
    recurrent('LSTM'),
    recurrent('GRU'),
    {
      name: 'Bidirectional',
      positional: 1,
      doc: 'Runs a recurrent layer forwards and a copy backwards and merges their outputs.',
      params: [
        param('layer', { kind: 'layer', accepts: RNN_LAYERS }, 'The recurrent layer to run both ways, e.g. LSTM(32).'),
        param('merge_mode', { kind: 'enum', values: ['concat', 'sum', 'mul', 'ave'] }, 'How the two directions combine.', 'concat'),
      ],
      shapeRule: 'As the wrapped layer, with the last axis doubled when merge_mode is concat.',
      paramRule: '2 × the wrapped layer\'s count.',
      outputShape(inputs, args) {
        const inner = resolveBidirectionalInner(args);
        const shape = inner.spec.outputShape(inputs, inner.args);
        if (str(args, 'merge_mode') === 'concat') shape[shape.length - 1] = (shape[shape.length - 1] as number) * 2;
        return shape;
      },
      countParams(inputs, args) {
        const inner = resolveBidirectionalInner(args);
        // The wrapped layer's own trainable=false freezes both directions, as in tfjs.
        const count = inner.spec.countParams!(inputs, inner.args);
        return counted(args, 2 * count.trainable, 2 * count.nonTrainable, `2 × (${count.formula})`);
      },
    },
  ]),
  ...define('merge', [
    elementwise('Add', 'Adds its inputs elementwise, e.g. for a skip connection: (a, b) -> Add().'),
    elementwise('Subtract', 'Subtracts the second input from the first: (a, b) -> Subtract().', 2),
    elementwise('Multiply', 'Multiplies its inputs elementwise.'),
    elementwise('Average', 'Averages its inputs elementwise.'),
    elementwise('Maximum', 'The elementwise maximum of its inputs.'),
    elementwise('Minimum', 'The elementwise minimum of its inputs.'),
    {
      name: 'Concatenate',
      positional: 1,
      merge: { min: 2 },
      doc: 'Joins its inputs along an axis (the last by default).',
      params: [param('axis', { kind: 'int' }, 'The axis to join along.', -1)],
      shapeRule: 'Inputs of one rank, equal except on `axis`; the output\'s axis is their sum.',
      paramRule: 'None.',
      outputShape(inputs, args) {
        const first = inputs[0]!;
        const axisArg = int(args, 'axis');
        const axis = normaliseAxis(axisArg, first.length);
        if (axis === undefined || axis === 0) throw new ShapeError('invalid-axis', `Concatenate axis ${axisArg} does not exist in ${formatShape(first)}`, 'axis');
        let total: number | null = 0;
        for (const shape of inputs) {
          const mismatch = shape.length !== first.length || shape.some((dim, i) => i !== axis && dim !== first[i]);
          if (mismatch) {
            throw new ShapeError('shape-mismatch', `Concatenate needs equal shapes except on axis ${axisArg}: ${formatShape(first)} and ${formatShape(shape)}`);
          }
          total = total === null || shape[axis] === null ? null : total + (shape[axis] as number);
        }
        const out = [...first];
        out[axis] = total;
        return out;
      },
    },
  ]),
  ...define('augmentation', [
    augmentation(
      'RandomFlip',
      'Flips images at random.',
      [param('mode', { kind: 'enum', values: ['horizontal', 'vertical', 'horizontal_and_vertical'] }, 'Which flips to apply.', 'horizontal_and_vertical')],
      1,
    ),
    augmentation(
      'RandomRotation',
      'Rotates images by a random angle.',
      [
        param('factor', FACTOR(-1, 1), 'A fraction of a full turn: 0.05 rotates by up to ±18°; or [lower, upper].'),
        ...resampling('the corners that the rotation uncovers'),
      ],
      1,
    ),
    augmentation(
      'RandomTranslation',
      'Shifts images by a random offset.',
      [
        param('height_factor', FACTOR(-1, 1), 'A fraction of the height: 0.1 shifts by up to ±10%; or [lower, upper].'),
        param('width_factor', FACTOR(-1, 1), 'A fraction of the width, likewise.'),
        ...resampling('the uncovered border'),
      ],
      2,
    ),
    augmentation(
      'RandomZoom',
      'Zooms images in or out at random.',
      [
        param('height_factor', FACTOR(-1, 1), 'A fraction: 0.2 zooms by up to ±20% (negative zooms in); or [lower, upper].'),
        param('width_factor', { kind: 'optional', of: FACTOR(-1, 1) }, 'Likewise for the width; none keeps the aspect ratio.', null),
        ...resampling('the uncovered border'),
      ],
      2,
    ),
    augmentation(
      'RandomBrightness',
      'Adds a random brightness offset to each image.',
      [
        param('factor', FACTOR(-1, 1), 'A fraction of the value range: 0.2 shifts by up to ±20%; or [lower, upper].'),
        param('value_range', { kind: 'pair' }, 'The range of pixel values, kept after the shift.', [0, 255]),
      ],
      2,
    ),
    augmentation(
      'RandomContrast',
      'Scales each image\'s contrast by a random factor around its mean.',
      [param('factor', FACTOR(0, 1, false), 'A fraction: 0.2 scales contrast by a factor in [0.8, 1.2]; or [lower, upper].')],
      1,
    ),
  ]),
];

function normalisedChannels(layer: string, input: Shape, axisArg: number): number {
  const axis = normaliseAxis(axisArg, input.length);
  if (axis === undefined || axis === 0) throw new ShapeError('invalid-axis', `${layer} axis ${axisArg} does not exist in ${formatShape(input)}`, 'axis');
  const channels = input[axis];
  if (channels === null || channels === undefined) {
    throw new ShapeError('unknown-dimension', `${layer} needs a known size on axis ${axisArg}; got ${formatShape(input)}`);
  }
  return channels;
}

const BY_NAME = new Map(LAYERS.map((layer) => [layer.name, layer]));

export function findLayer(name: string): LayerSpec | undefined {
  return BY_NAME.get(name);
}

export const LAYER_NAMES: readonly string[] = LAYERS.map((layer) => layer.name);

/** Keras's default layer name stem: `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
export function snakeCase(name: string): string {
  let stem = SNAKE_CASE.get(name);
  if (stem === undefined) {
    stem = toSnakeCase(name);
    SNAKE_CASE.set(name, stem);
  }
  return stem;
}

const SNAKE_CASE = new Map<string, string>();

function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
