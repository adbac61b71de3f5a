/**
 * Keras export: every example model becomes a Python script that compiles,
 * with the network's layer names in order; the lines that keep Keras's
 * counts and behaviour equal to the .net file's; and a committed snapshot.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { analyze, type Analysis, type Network } from '../core';
import { exportKeras } from '../cli/exportKeras';
import { netFiles, projectExamples, read, repoRoot, sharedExamples, updateFixtures } from './support';

const python = spawnSync('python3', ['--version']).status === 0;
const noPython = python ? false : 'python3 is not installed';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-export-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The script of each model of a file, with the block that trains it. */
function exportAll(path: string): { network: Network; script: string }[] {
  const analysis = analyze(read(path));
  assertNoErrors(analysis, path);
  const source = relative(repoRoot, path);
  return analysis.models.map(({ network }) => ({ network, script: exportKeras(network, trainBlockOf(analysis, network), source) }));
}

function exportSource(text: string): string {
  const analysis = analyze(text);
  assertNoErrors(analysis, 'the test source');
  const network = analysis.models[0]!.network;
  return exportKeras(network, trainBlockOf(analysis, network), 'test.net');
}

function trainBlockOf(analysis: Analysis, network: Network) {
  return analysis.trainBlocks.find((block) => block.models.includes(network));
}

function assertNoErrors(analysis: Analysis, where: string): void {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.code), [], `errors in ${where}`);
}

let scripts = 0;
function assertCompiles(script: string, what: string): void {
  const file = join(scratch, `script_${++scripts}.py`);
  writeFileSync(file, script);
  const result = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${what} does not compile:\n${result.stderr}\n${script}`);
}

/** The name of each layer (and input) the script creates, in order. */
function scriptLayerNames(script: string): string[] {
  const names: string[] = [];
  for (const line of script.split('\n')) {
    // Greedy: the last name= of the line, the outer layer's where one wraps another.
    const match = /^\w+ = (?:keras\.Input|layers\.\w+|Maxout)\(.*name=("(?:[^"\\]|\\.)*")\)(?:\(.*\))?$/.exec(line);
    if (match) names.push(JSON.parse(match[1]!) as string);
  }
  return names;
}

function assertLinesInOrder(script: string, expected: string[]): void {
  const lines = script.split('\n');
  let at = -1;
  for (const line of expected) {
    const found = lines.indexOf(line, at + 1);
    assert.ok(found > at, `missing, or out of order: ${line}\n${script}`);
    at = found;
  }
}

const exampleFiles = [
  ...netFiles(projectExamples),
  ...netFiles(sharedExamples).filter((path) => basename(path) !== 'shape_errors.net'),
  join(repoRoot, 'test', 'fixtures', 'every_layer.net'),
];

for (const path of exampleFiles) {
  const where = relative(join(repoRoot, '..'), path);
  test(`${where}: every model exports to Python that compiles, with the network's layer names in order`, { skip: noPython }, () => {
    for (const { network, script } of exportAll(path)) {
      assert.ok(script.startsWith(`# ${network.name}, exported by layerwise from ${relative(repoRoot, path)}.\n`), script);
      assertCompiles(script, `${network.name} of ${where}`);
      const connected = network.layers.filter((layer) => layer.connected || network.inputs.includes(layer));
      assert.deepEqual(scriptLayerNames(script), connected.map((layer) => layer.name), `${network.name} of ${where}`);
    }
  });
}

test('sign_mnist.net: one line per layer with its name, compile with the block\'s settings, fit commented, summary last', () => {
  const [{ script }] = exportAll(join(projectExamples, 'sign_mnist.net'));
  assertLinesInOrder(script!, [
    'import tensorflow as tf',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'keras.utils.set_random_seed(42)',
    'pixels = keras.Input(shape=(784,), name="pixels")',
    'dense = layers.Dense(1024, activation="relu", name="dense")(pixels)',
    'dense_1 = layers.Dense(512, activation="relu", name="dense_1")(dense)',
    'dense_2 = layers.Dense(256, activation="relu", name="dense_2")(dense_1)',
    'dense_3 = layers.Dense(24, activation="softmax", name="dense_3")(dense_2)',
    'model = keras.Model(inputs=pixels, outputs=dense_3, name="SignMNIST")',
    'model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="categorical_crossentropy", metrics=["accuracy"])',
    '# x_train, y_train: the samples of csv("data/sign_mnist_train.csv", label="label", scale=1 / 255), labels one-hot.',
    '# x_val, y_val: the samples of csv("data/sign_mnist_test.csv", label="label", scale=1 / 255), labels one-hot.',
    '# model.fit(x_train, y_train, epochs=20, batch_size=128, validation_data=(x_val, y_val))',
    'model.summary()',
  ]);
  assert.ok(script!.endsWith('model.summary()\n'));
});

test('merges take a list, and a model with two inputs lists them', () => {
  const [{ script }] = exportAll(join(projectExamples, 'residual.net'));
  assertLinesInOrder(script!, [
    'features = keras.Input(shape=(64,), name="features")',
    'extra = keras.Input(shape=(8,), name="extra")',
    'add = layers.Add(name="add")([dense, dropout])',
    'concatenate = layers.Concatenate(name="concatenate")([add, extra])',
    'model = keras.Model(inputs=[features, extra], outputs=dense_2, name="Residual")',
  ]);
});

test('recurrent layers: GRU without reset_after, Bidirectional wrapping a layer call', () => {
  const [{ script }] = exportAll(join(projectExamples, 'sequences.net'));
  assertLinesInOrder(script!, [
    'bidirectional = layers.Bidirectional(layers.LSTM(32, return_sequences=True), name="bidirectional")(embedding)',
    'gru = layers.GRU(32, reset_after=False, name="gru")(bidirectional)',
  ]);
  assert.doesNotMatch(script!, /recurrent_activation/, 'Keras\'s default is already sigmoid');
});

test('the arguments that keep counts and behaviour: trainable, recurrent_activation when given, leaky_relu, Maxout', () => {
  const script = exportSource(`
model Specifics {
  input tokens: [12]
  e = tokens -> Embedding(100, 8, trainable=false)
  r = e -> GRU(6, recurrent_activation=hard_sigmoid, return_sequences=true) -> LSTM(5)
  output r -> Dense(4, activation=leaky_relu, name="class") -> Maxout(3)
}
`);
  assertCompiles(script, 'Specifics');
  assertLinesInOrder(script, [
    'class Maxout(layers.Layer):',
    '        self.dense = layers.Dense(units * pieces, use_bias=use_bias)',
    '        return tf.reduce_max(tf.reshape(outputs, shape), axis=-1)',
    '# tf.nn.leaky_relu: tf.keras 2 has no leaky_relu activation of its own; alpha defaults to 0.2, as in the .net file.',
    'embedding = layers.Embedding(100, 8, trainable=False, name="embedding")(tokens)',
    'gru = layers.GRU(6, recurrent_activation="hard_sigmoid", return_sequences=True, reset_after=False, name="gru")(embedding)',
    'lstm = layers.LSTM(5, name="lstm")(gru)',
    // A layer name that is a Python keyword gets a variable of its own.
    'class_2 = layers.Dense(4, activation=tf.nn.leaky_relu, name="class")(lstm)',
    'maxout = Maxout(3, name="maxout")(class_2)',
  ]);
});

test('augmentation layers are Keras\'s own, with the arguments as written', () => {
  const [images] = exportAll(join(repoRoot, 'test', 'fixtures', 'every_layer.net'));
  assertLinesInOrder(images!.script, [
    'random_flip = layers.RandomFlip("horizontal", name="random_flip")(image)',
    'random_rotation = layers.RandomRotation(0.1, fill_mode="nearest", name="random_rotation")(random_flip)',
    'random_translation = layers.RandomTranslation(0.1, 0.1, name="random_translation")(random_rotation)',
    'rescaling = layers.Rescaling(1 / 255, name="rescaling")(random_contrast)',
    'conv2d_1 = layers.Conv2D(4, 5, strides=2, name="conv2d_1")(image)',
  ]);
  assert.doesNotMatch(images!.script, /keras\.utils\.set_random_seed|model\.compile/, 'no train block, no seed and no compile');
});

test('train blocks: callbacks, schedules and validation fractions in Keras\'s terms', () => {
  const [digits] = exportAll(join(projectExamples, 'digits_cnn.net'));
  assertLinesInOrder(digits!.script, [
    'callbacks = [',
    '    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),',
    '    keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True),',
    ']',
    '# model.fit(x_train, y_train, epochs=10, batch_size=64, validation_split=0.2, callbacks=callbacks)',
  ]);
  const [circles] = exportAll(join(projectExamples, 'lr_decay.net'));
  assertLinesInOrder(circles!.script, [
    'lr_schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.5, decay_steps=100, decay_rate=0.5)',
    'model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr_schedule, momentum=0.9), loss="binary_crossentropy", metrics=["accuracy"])',
  ]);
  const stepped = exportSource(`
model M {
  input [4]
  Dense(3, activation=softmax)
}
train M {
  data      = blobs(features=4)
  loss      = categorical_crossentropy
  metrics   = [accuracy, precision]
  schedule  = StepDecay(0.5, 10)
  callbacks = [EarlyStopping(monitor=acc, patience=3)]
  shuffle   = false
}
`);
  assertCompiles(stepped, 'M');
  assertLinesInOrder(stepped, [
    'model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["accuracy", keras.metrics.Precision()])',
    '    keras.callbacks.EarlyStopping(monitor="accuracy", patience=3),',
    '    keras.callbacks.LearningRateScheduler(lambda epoch: 0.001 * 0.5 ** (epoch // 10)),',
    '# x_train, y_train: the samples of blobs(features=4), labels one-hot.',
    '# model.fit(x_train, y_train, epochs=10, batch_size=32, shuffle=False, callbacks=callbacks)',
  ]);
});

test('a network whose shapes are unknown after an error is not exported', () => {
  const analysis = analyze('model Broken {\n  input [4]\n  Conv2D(8, 3)\n}\n');
  assert.throws(() => exportKeras(analysis.models[0]!.network, undefined, 'broken.net'), /'conv2d' has errors/);
});

test('xor.net: XorMLP exports as the committed snapshot', () => {
  const analysis = analyze(read(join(projectExamples, 'xor.net')));
  const network = analysis.models.find((model) => model.network.name === 'XorMLP')!.network;
  const script = exportKeras(network, trainBlockOf(analysis, network), 'examples/xor.net');
  const snapshot = join(repoRoot, 'test', 'fixtures', 'export', 'xor_mlp.py');
  if (updateFixtures || !existsSync(snapshot)) {
    mkdirSync(dirname(snapshot), { recursive: true });
    writeFileSync(snapshot, script);
    assert.ok(updateFixtures, `${relative(repoRoot, snapshot)} was missing and has been written: check it and commit it`);
    return;
  }
  assert.equal(script, read(snapshot));
});

test('a model with several inputs and outputs: loss, loss_weights and metrics dicts keyed by output, fit with dicts of inputs and outputs', { skip: noPython }, () => {
  const script = exportSource(`model Heads {
  input a: [2]
  input b: [1]
  h = (a, b) -> Concatenate() -> Dense(4)
  output h -> Dense(1, activation=sigmoid, name="yes"), h -> Dense(1, name="size")
}

train Heads {
  data = csv("d.csv", label={yes: "y", size: "s"}, inputs={a: "a0:a1", b: "b0"})
  loss = {yes: binary_crossentropy, size: mse}
  loss_weights = {size: 0.5}
  metrics = {yes: [accuracy], size: [mae]}
}
`);
  assertCompiles(script, 'Heads');
  assertLinesInOrder(script, [
    'model = keras.Model(inputs=[a, b], outputs=[yes, size], name="Heads")',
    'model.compile(optimizer=keras.optimizers.Adam(), loss={"yes": "binary_crossentropy", "size": "mean_squared_error"}, loss_weights={"size": 0.5}, metrics={"yes": ["accuracy"], "size": ["mae"]})',
    '# model.fit({"a": x_train_a, "b": x_train_b}, {"yes": y_train_yes, "size": y_train_size}, epochs=10, batch_size=32)',
  ]);
});
