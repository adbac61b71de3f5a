/**
 * `layerwise export`: a network as an equivalent tf.keras 2 script in the
 * Functional API. Every layer keeps its name and gets the arguments the user
 * wrote, plus those that keep the .net file's parameter counts and behaviour
 * (TensorFlow.js's) where Keras 2's defaults differ. A train block becomes
 * model.compile(...), the callbacks, and a commented model.fit(...).
 */
import { buildOrder, findLayer, layerSpec, type ArgType, type ArgValue, type KeyedColumns, type LayerSpec, type Network, type NetworkLayer, type ResolvedArgs, type Signature, type TrainBlock } from '../core';

/** Arguments written even when the user left them out: where Keras 2's default is not the language's. */
const ALWAYS_WRITTEN: Record<string, readonly string[]> = {
  // Keras 2 defaults to reset_after=True, which TensorFlow.js lacks and which counts 3 × units more parameters.
  GRU: ['reset_after'],
};

/**
 * Activations written as a function rather than a name, with the script's
 * note on why. tf.keras 2 has no public keras.activations.leaky_relu (Keras 3
 * added it), and not every Keras 2 resolves the string "leaky_relu";
 * tf.nn.leaky_relu exists in every TensorFlow 2.x, and its alpha defaults to
 * 0.2, the language's slope.
 */
const ACTIVATION_FUNCTIONS: Record<string, { python: string; note: string }> = {
  leaky_relu: { python: 'tf.nn.leaky_relu', note: '# tf.nn.leaky_relu: tf.keras 2 has no leaky_relu activation of its own; alpha defaults to 0.2, as in the .net file.' },
};

/** Keras 2 records the accuracy metric as accuracy and val_accuracy; the language also accepts tfjs's acc. */
const KERAS_MONITORS: Record<string, string> = { acc: 'accuracy', val_acc: 'val_accuracy' };

/** Metrics that Keras 2 does not resolve from a string; their objects record under the same names. */
const METRIC_OBJECTS: Record<string, string> = { precision: 'keras.metrics.Precision()', recall: 'keras.metrics.Recall()' };

const PYTHON_KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
];

/** Names the script itself uses at module level, which a layer's variable must not shadow. */
const SCRIPT_NAMES = ['tf', 'keras', 'layers', 'Maxout', 'super', 'model', 'lr_schedule', 'callbacks'];

/** Maxout as the trainer builds it: output column j of the dense kernel belongs to unit j // pieces. */
const MAXOUT_CLASS = `class Maxout(layers.Layer):
    """Maxout units (Goodfellow et al., 2013): a dense layer with units * pieces
    outputs, of which each unit keeps the largest of its pieces."""

    def __init__(self, units, pieces=2, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.pieces = pieces
        self.use_bias = use_bias
        self.dense = layers.Dense(units * pieces, use_bias=use_bias)

    def call(self, inputs):
        outputs = self.dense(inputs)
        # Split the last axis into (units, pieces), keeping any axes before it.
        shape = tf.concat([tf.shape(outputs)[:-1], [self.units, self.pieces]], axis=0)
        return tf.reduce_max(tf.reshape(outputs, shape), axis=-1)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces, "use_bias": self.use_bias}`;

/**
 * The Keras script of a network that has no errors, with the block that
 * trains it, if any. `sourceFile` names the .net file in the script's header.
 * Throws when a layer's shape is unknown; the caller checks the diagnostics
 * first, since a bad argument falls back to its default and leaves no trace here.
 */
export function exportKeras(network: Network, trainBlock: TrainBlock | undefined, sourceFile: string): string {
  const layers = buildOrder(network).filter((layer) => layer.type !== 'Input');
  const variables = variableNames(network);
  const lines = [
    `# ${network.name}, exported by layerwise from ${sourceFile}.`,
    '# tf.keras 2: TensorFlow 2.9 to 2.15, or a later one with tf_keras installed and TF_USE_LEGACY_KERAS=1.',
    'import tensorflow as tf',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
  ];
  if (trainBlock?.seed !== undefined) lines.push('', '# The train block\'s seed, for repeatable weights, shuffles and dropout.', `keras.utils.set_random_seed(${trainBlock.seed})`);
  if (layers.some((layer) => layer.type === 'Maxout')) lines.push('', '', MAXOUT_CLASS, '');
  const graph = network.inputs.map((input) => `${variables.get(input.name)} = keras.Input(shape=${pyTuple(inputShape(network, input))}, name=${pyString(input.name)})`);
  for (const layer of layers) {
    const spec = checked(network, layer);
    const sources = layer.inbound.map((name) => variables.get(name)!);
    const applied = spec.merge ? `[${sources.join(', ')}]` : sources[0];
    graph.push(`${variables.get(layer.name)} = ${layerCall(spec, layer.args!, layer.name)}(${applied})`);
  }
  const notes = Object.values(ACTIVATION_FUNCTIONS).filter((fn) => graph.some((line) => line.includes(fn.python)));
  lines.push('', ...notes.map((fn) => fn.note), ...graph);
  const ends = (list: NetworkLayer[]): string => (list.length === 1 ? variables.get(list[0]!.name)! : `[${list.map((layer) => variables.get(layer.name)).join(', ')}]`);
  lines.push(`model = keras.Model(inputs=${ends(network.inputs)}, outputs=${ends(network.outputs)}, name=${pyString(network.name)})`);
  if (trainBlock) lines.push(...training(trainBlock));
  lines.push('model.summary()');
  return lines.join('\n') + '\n';
}

/** A layer's catalog entry; throws for a layer with errors. */
function checked(network: Network, layer: NetworkLayer): LayerSpec {
  const spec = layerSpec(layer);
  if (!layer.outputShape || !spec || !layer.args) throw new Error(`${network.name}: layer '${layer.name}' has errors; only a network without errors can be exported`);
  return spec;
}

/** A Python variable per layer and input: its name where that is a free identifier, made one otherwise. */
function variableNames(network: Network): Map<string, string> {
  const taken = new Set([...PYTHON_KEYWORDS, ...SCRIPT_NAMES]);
  const variables = new Map<string, string>();
  for (const layer of network.layers.filter((layer) => layer.connected || layer.type === 'Input')) {
    const stem = layer.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9]|$)/, '_');
    let name = stem;
    for (let i = 2; taken.has(name); i++) name = `${stem}_${i}`;
    taken.add(name);
    variables.set(layer.name, name);
  }
  return variables;
}

/** An input's shape without the batch; throws when it is unknown. */
function inputShape(network: Network, input: NetworkLayer): (number | null)[] {
  if (!input.outputShape) throw new Error(`${network.name}: input '${input.name}' has errors; only a network without errors can be exported`);
  return input.outputShape.slice(1);
}

/**
 * `layers.Dense(1024, activation="relu", name="dense")`, as the .net file
 * calls the layer; `name` is the layer's name in the network, absent for a wrapped layer.
 */
function layerCall(spec: Signature, args: ResolvedArgs, name?: string): string {
  const callee = spec.name === 'Maxout' ? 'Maxout' : `layers.${spec.name}`;
  const always = ALWAYS_WRITTEN[spec.name] ?? [];
  const parts = callArgs(spec, args, (param) => (args.given.includes(param) || always.includes(param)) && !(param === 'name' && name !== undefined));
  if (name !== undefined) parts.push(`name=${pyString(name)}`);
  return `${callee}(${parts.join(', ')})`;
}

/**
 * The chosen arguments in the signature's order. Those the .net file passes by
 * position go by position here too: they lead both lists, and Keras takes
 * them in the same order.
 */
function callArgs(spec: Signature, args: ResolvedArgs, written: (param: string) => boolean): string[] {
  return spec.params
    .filter((param) => written(param.name))
    .map((param, i) => {
      const value = pyValue(param.type, args.values[param.name]!);
      return i < args.positional ? value : `${param.name}=${value}`;
    });
}

/** The given arguments, all as keywords. */
function keywordArgs(spec: Signature, args: ResolvedArgs, except: readonly string[] = []): string {
  return spec.params
    .filter((param) => args.given.includes(param.name) && !except.includes(param.name))
    .map((param) => `${param.name}=${pyValue(param.type, args.values[param.name]!)}`)
    .join(', ');
}

function pyValue(type: ArgType, value: ArgValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') {
    if (type.kind === 'activation') return ACTIVATION_FUNCTIONS[value]?.python ?? pyString(value);
    return pyString(type.kind === 'monitor' ? (KERAS_MONITORS[value] ?? value) : value);
  }
  if (!Array.isArray(value)) return value.kind === 'call' ? layerCall(findLayer(value.name)!, value.args) : pyColumns(value);
  const inner = type.kind === 'optional' ? type.of : type;
  // A kernel size or stride written as one number reads as one number again.
  if (inner.kind === 'ints' && value.every((n) => n === value[0])) return pyNumber(value[0]!);
  return pyTuple(value);
}

/** Columns per input or output as a dict of lists of the names written. */
function pyColumns(value: KeyedColumns): string {
  return `{${value.entries.map((entry) => `${pyString(entry.key)}: [${entry.columns.map(pyString).join(', ')}]`).join(', ')}}`;
}

function pyTuple(values: (number | null)[]): string {
  const items = values.map((value) => (value === null ? 'None' : pyNumber(value)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Python's literal for a number; 1/255 stays `1 / 255`, shorter than its digits and the same double in both languages. */
function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : 'float("-inf")';
  const digits = String(value);
  const reciprocal = 1 / value;
  if (!Number.isInteger(reciprocal) || 1 / reciprocal !== value) return digits;
  const fraction = value < 0 ? `-1 / ${-reciprocal}` : `1 / ${reciprocal}`;
  return fraction.length < digits.length ? fraction : digits;
}

/** A JSON string is a Python string literal: the same escapes, and \\uXXXX for the rest. */
function pyString(value: string): string {
  return JSON.stringify(value);
}

/** compile(), the callbacks and a commented fit(), from the train block's settings. */
function training(block: TrainBlock): string[] {
  const lines = [''];
  const optimizer = block.optimizer;
  const callbacks = block.callbacks.map((callback) => `keras.callbacks.${callback.spec.name}(${keywordArgs(callback.spec, callback.args)})`);
  let optimizerArgs = keywordArgs(optimizer.spec, optimizer.args);
  const schedule = block.schedule;
  if (schedule) {
    const start = pyNumber((schedule.args.values['initial_learning_rate'] as number | null) ?? (optimizer.args.values['learning_rate'] as number));
    if (schedule.spec.name === 'StepDecay') {
      // Keras has no step schedule of its own; its scheduler counts epochs from 0, as the trainer does.
      const factor = pyNumber(schedule.args.values['factor'] as number);
      const every = schedule.args.values['every'] as number;
      callbacks.push(`keras.callbacks.LearningRateScheduler(lambda epoch: ${start} * ${factor} ** (epoch // ${every}))`);
    } else {
      // ExponentialDecay and CosineDecay count optimizer steps (batches), in Keras as in the trainer.
      const rest = keywordArgs(schedule.spec, schedule.args, ['initial_learning_rate']);
      lines.push(`lr_schedule = keras.optimizers.schedules.${schedule.spec.name}(initial_learning_rate=${start}${rest ? `, ${rest}` : ''})`);
      const others = keywordArgs(optimizer.spec, optimizer.args, ['learning_rate']);
      optimizerArgs = `learning_rate=lr_schedule${others ? `, ${others}` : ''}`;
    }
  }
  const compile = [`optimizer=keras.optimizers.${optimizer.spec.name}(${optimizerArgs})`];
  compile.push(...outputSettings(block));
  lines.push(`model.compile(${compile.join(', ')})`);
  if (callbacks.length > 0) lines.push('callbacks = [', ...callbacks.map((callback) => `    ${callback},`), ']');

  // A model with several inputs or outputs takes dicts keyed by their names, as Keras does.
  const network = block.models[0];
  const keyed = (names: string[] | undefined, prefix: string): string => (names && names.length > 1 ? `{${names.map((name) => `${pyString(name)}: ${prefix}_${name}`).join(', ')}}` : prefix);
  const fit = [keyed(network?.inputs.map((input) => input.name), 'x_train'), keyed(network?.outputs.map((output) => output.name), 'y_train'), `epochs=${block.epochs}`, `batch_size=${block.batchSize}`];
  if (typeof block.validation === 'number') fit.push(`validation_split=${pyNumber(block.validation)}`);
  if (typeof block.validation === 'object') fit.push('validation_data=(x_val, y_val)');
  if (!block.shuffle) fit.push('shuffle=False');
  if (callbacks.length > 0) fit.push('callbacks=callbacks');
  // The trainer one-hot encodes class labels for these losses; Keras expects them so.
  const labels = block.loss?.target === 'categorical' ? ', labels one-hot' : '';
  lines.push('');
  if (block.data) lines.push(`# x_train, y_train: the samples of ${dataCall(block.data)}${labels}.`);
  if (typeof block.validation === 'object') lines.push(`# x_val, y_val: the samples of ${dataCall(block.validation)}${labels}.`);
  if (block.ensemble > 1) lines.push(`# The .net file trains an ensemble of ${block.ensemble} such models with different seeds and averages their predictions.`);
  lines.push(`# model.fit(${fit.join(', ')})`, '');
  return lines;
}

/** compile()'s loss, loss_weights and metrics: one for every output, or dicts keyed by output name. */
function outputSettings(block: TrainBlock): string[] {
  const settings: string[] = [];
  const dict = (entries: [string, string][]): string => `{${entries.map(([key, value]) => `${pyString(key)}: ${value}`).join(', ')}}`;
  const metricList = (metrics: readonly string[]): string => `[${metrics.map((metric) => METRIC_OBJECTS[metric] ?? pyString(metric)).join(', ')}]`;
  if (block.outputLosses) settings.push(`loss=${dict(Object.entries(block.outputLosses).map(([output, loss]) => [output, pyString(loss.name)]))}`);
  else if (block.loss) settings.push(`loss=${pyString(block.loss.name)}`);
  if (block.lossWeights) settings.push(`loss_weights=${dict(Object.entries(block.lossWeights).map(([output, weight]) => [output, pyNumber(weight)]))}`);
  if (block.outputMetrics) settings.push(`metrics=${dict(Object.entries(block.outputMetrics).map(([output, metrics]) => [output, metricList(metrics)]))}`);
  else if (block.metrics.length > 0) settings.push(`metrics=${metricList(block.metrics)}`);
  return settings;
}

/** A data source as the .net file calls it, e.g. `csv("train.csv", label="label", scale=1 / 255)`. */
function dataCall(source: NonNullable<TrainBlock['data']>): string {
  return `${source.spec.name}(${callArgs(source.spec, source.args, (param) => source.args.given.includes(param)).join(', ')})`;
}

