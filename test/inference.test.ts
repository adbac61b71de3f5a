/**
 * A saved model (`layerwise export tfjs`, and the trained model of a run
 * folder) loads in plain TensorFlow.js: a fresh Node process that can
 * require nothing but `@tensorflow/tfjs` loads it with the README's own
 * snippet and predicts what the model predicted before it was saved —
 * with every augmentation layer, with Maxout, with Subtract, for functional
 * and Sequential models, and for a model trained in a run folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import type { EvaluationEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import { encodeLabels, stratifiedSplit } from '../trainer/data';
import { blobs } from '../trainer/data/generated';
import { runTraining } from '../trainer/engine';
import { CUSTOM_LAYERS, Maxout, RandomFlip } from '../trainer/layers';
import { loadModel, saveModel } from '../trainer/saveModel';
import { read, repoRoot } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-inference-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The README's code block that loads an export with plain @tensorflow/tfjs in Node. */
function readmeLoader(): string {
  const blocks = [...read(join(repoRoot, 'README.md')).matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const loader = blocks.filter((block) => block.includes('tf.io.fromMemory'));
  assert.equal(loader.length, 1, 'the README has one js block that loads a model with tf.io.fromMemory');
  return loader[0]!;
}

/**
 * A folder whose node_modules holds @tensorflow/tfjs alone (its own
 * dependencies resolve from the real install), with the README's loader
 * and a few lines that predict and report.
 */
const plain = join(scratch, 'plain');
before(async () => {
  // Plain tfjs in Node runs on its cpu backend; the models before saving run there too.
  await selectBackend('cpu');
  mkdirSync(join(plain, 'node_modules', '@tensorflow'), { recursive: true });
  symlinkSync(realpathSync(dirname(require.resolve('@tensorflow/tfjs/package.json'))), join(plain, 'node_modules', '@tensorflow', 'tfjs'), 'dir');
  writeFileSync(
    join(plain, 'predict.js'),
    `${readmeLoader()}
// The test's part: predict the inputs it was given and say what loaded.
(async () => {
  const [dir, request, result] = process.argv.slice(2);
  const model = await loadExport(dir);
  const inputs = JSON.parse(readFileSync(request, 'utf8')).map((input) => tf.tensor(input.values, input.shape));
  const predicted = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  const outputs = (Array.isArray(predicted) ? predicted : [predicted]).map((output) => Array.from(output.dataSync()));
  const registered = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap);
  require('node:fs').writeFileSync(result, JSON.stringify({ outputs, classes: model.layers.map((layer) => layer.getClassName()), registered }));
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(1);
});
`,
  );
});

interface PlainResult {
  outputs: number[][];
  classes: string[];
  registered: string[];
}

let requests = 0;
/** Loads the model in `dir` in a fresh plain-tfjs process and predicts `inputs`. */
function predictInPlainTfjs(dir: string, inputs: tf.Tensor[]): PlainResult {
  const request = join(scratch, `request-${++requests}.json`);
  const result = join(scratch, `result-${requests}.json`);
  writeFileSync(request, JSON.stringify(inputs.map((input) => ({ shape: input.shape, values: Array.from(input.dataSync()) }))));
  const env = { ...process.env };
  delete env['NODE_PATH'];
  delete env['NODE_OPTIONS'];
  const run = spawnSync(process.execPath, [join(plain, 'predict.js'), dir, request, result], { cwd: plain, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `plain tfjs could not load ${dir}:\n${run.stderr}`);
  const loaded = JSON.parse(readFileSync(result, 'utf8')) as PlainResult;
  const custom = Object.keys(CUSTOM_LAYERS).filter((name) => loaded.registered.includes(name));
  assert.deepEqual(custom, [], 'the loading process knows none of the project\'s layers');
  assert.ok(loaded.registered.includes('Dense'), 'the registry was read');
  return loaded;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: number of values`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)), `${what}, value ${i}: ${got[i]} in plain tfjs, ${want[i]} before saving`);
  }
}

/** Random weights (small, a positive variance), so that a lost, swapped or mis-split weight shows in the predictions. */
function randomizeWeights(model: tf.LayersModel): void {
  model.setWeights(
    model.weights.map((weight) => {
      const shape = weight.shape as number[];
      return weight.name.includes('moving_variance') ? tf.randomUniform(shape, 0.5, 1.5) : tf.randomUniform(shape, -0.5, 0.5);
    }),
  );
}

/** A random batch of 3 for each input, an open dimension taken as 5. */
function randomInputs(model: tf.LayersModel): tf.Tensor[] {
  return model.inputs.map((input) => tf.randomUniform(input.shape.map((dim, i) => dim ?? (i === 0 ? 3 : 5)), 0, 1));
}

/**
 * Saves `model` (its weights made random first) as the trainer and the
 * export do, predicts a random batch before and in plain tfjs, and
 * returns what plain tfjs loaded.
 */
async function assertLoadsInPlainTfjs(model: tf.LayersModel, name: string): Promise<PlainResult> {
  randomizeWeights(model);
  const dir = join(scratch, name);
  await saveModel(model, dir);
  const inputs = randomInputs(model);
  const predicted = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
  const expected = (Array.isArray(predicted) ? predicted : [predicted]).map((output) => output.dataSync());
  const loaded = predictInPlainTfjs(dir, inputs);
  assert.equal(loaded.outputs.length, expected.length);
  loaded.outputs.forEach((output, i) => assertClose(output, expected[i]!, `${name}, output ${i}`));
  // The project's own reload of the same folder predicts the same too.
  const reloaded = await loadModel(dir);
  const again = reloaded.predict(inputs.length === 1 ? inputs[0]! : inputs);
  (Array.isArray(again) ? again : [again]).forEach((output, i) => assertClose(output.dataSync(), expected[i]!, `${name} reloaded, output ${i}`));
  tf.dispose([...inputs, predicted, again]);
  reloaded.dispose();
  model.dispose();
  return loaded;
}

function built(text: string): tf.LayersModel {
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
  return buildModel(analysis.models[0]!.network);
}

const AUGMENTATION = ['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomBrightness', 'RandomContrast'];

describe('a saved model in plain TensorFlow.js', () => {
  it('every augmentation layer is left out, in a chain, in a branch and at the output', async () => {
    const loaded = await assertLoadsInPlainTfjs(
      built(`
model Augmented {
  input image: [12, 12, 3]
  a = image
    -> RandomFlip()
    -> RandomRotation(0.2, fill_mode=nearest)
    -> RandomZoom(0.2, 0.1)
    -> RandomTranslation(0.1, 0.2)
    -> RandomBrightness(0.3)
    -> RandomContrast(0.3)
    -> Conv2D(4, 3, activation=relu)
  b = image -> RandomZoom(0.3) -> Conv2D(4, 3)
  output (a, b) -> Add() -> RandomFlip(vertical)
}
`),
      'augmented',
    );
    assert.deepEqual(loaded.classes, ['InputLayer', 'Conv2D', 'Conv2D', 'Add']);
    // Each class of trainer/layers/augmentation.ts is covered.
    assert.deepEqual([...AUGMENTATION].sort(), Object.keys(CUSTOM_LAYERS).filter((name) => name.startsWith('Random')).sort());
  });

  it('a Sequential-style file with augmentation first', async () => {
    const loaded = await assertLoadsInPlainTfjs(
      built('model Small {\n  input [10, 10, 1]\n  RandomRotation(0.1)\n  RandomContrast(0.5)\n  Conv2D(2, 3)\n  Flatten()\n  Dense(3, activation=softmax)\n}\n'),
      'small',
    );
    assert.deepEqual(loaded.classes, ['InputLayer', 'Conv2D', 'Flatten', 'Dense']);
  });

  it('Maxout: pieces as Dense layers and a Maximum, one piece as a Dense, with and without bias, on sequences too', async () => {
    const loaded = await assertLoadsInPlainTfjs(
      built(`
model Pieces {
  input x: [6]
  input seq: [none, 5]
  a = x -> Maxout(4, pieces=3) -> Maxout(3, pieces=1) -> Maxout(2, pieces=2, use_bias=false)
  s = seq -> Maxout(4) -> GlobalMaxPooling1D()
  output (a, s) -> Concatenate() -> Dense(2)
}
`),
      'maxout',
    );
    assert.ok(!loaded.classes.includes('Maxout'));
    assert.equal(loaded.classes.filter((name) => name === 'Maximum').length, 3);
    assert.equal(loaded.classes.filter((name) => name === 'Dense').length, 3 + 1 + 2 + 2 + 1);
  });

  it('Subtract: a Rescaling by -1 and an Add, also beside a layer that has the name it would take', async () => {
    const loaded = await assertLoadsInPlainTfjs(
      built(`
model Difference {
  input a: [5]
  input b: [5]
  d = (a, b) -> Subtract()
  e = a -> Dense(5, name="subtract_1_negated")
  output (d, e) -> Subtract() -> Dense(2)
}
`),
      'subtract',
    );
    assert.ok(!loaded.classes.includes('Subtract'));
    assert.equal(loaded.classes.filter((name) => name === 'Rescaling').length, 2);
  });

  it('every layer of the catalog together', async () => {
    const analysis = analyze(read(join(repoRoot, 'test', 'fixtures', 'every_layer.net')));
    for (const { network } of analysis.models) {
      const loaded = await assertLoadsInPlainTfjs(buildModel(network), `every-${network.name}`);
      assert.deepEqual(loaded.classes.filter((name) => name in CUSTOM_LAYERS), []);
    }
  });

  it('a Sequential tfjs model with augmentation and Maxout', async () => {
    const model = tf.sequential({
      layers: [
        new RandomFlip({ inputShape: [6, 6, 1], mode: 'horizontal' }),
        tf.layers.flatten(),
        new Maxout({ units: 3, pieces: 2 }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const loaded = await assertLoadsInPlainTfjs(model, 'sequential');
    assert.deepEqual(loaded.classes, ['InputLayer', 'Flatten', 'Dense', 'Dense', 'Maximum', 'Dense']);
  });
});

describe('a trained model in its run folder, in plain TensorFlow.js', () => {
  const BLOBS = { samples: 240, centers: 3, features: 16, std: 3, seed: 5, validation: 0.25 };
  const text = `model Trained {
  input [16]
  a = Reshape([4, 4, 1])
    -> RandomFlip()
    -> RandomRotation(0.1)
    -> RandomZoom(0.1)
    -> RandomTranslation(0.1, 0.1)
    -> RandomBrightness(0.1, value_range=[-20, 20])
    -> RandomContrast(0.1)
    -> Flatten()
    -> Maxout(8, pieces=3)
  b = a -> Dense(8, activation=relu)
  output (a, b) -> Subtract() -> Dense(3, activation=softmax)
}

train Trained {
  data = blobs(samples=${BLOBS.samples}, centers=${BLOBS.centers}, features=${BLOBS.features}, std=${BLOBS.std})
  validation = ${BLOBS.validation}
  loss = categorical_crossentropy
  metrics = [accuracy]
  batch_size = 16
  epochs = 2
  seed = ${BLOBS.seed}
}
`;

  it('predicts what the trained model predicted in its evaluation', async () => {
    const file = join(scratch, 'trained.net');
    writeFileSync(file, text);
    const events: TrainerEvent[] = [];
    await runTraining({ type: 'start', file, runsDir: join(scratch, 'runs') }, (event) => events.push(event), { stopRequested: false });
    const done = events.find((event): event is FinishedEvent => event.type === 'finished');
    const evaluation = events.find((event): event is EvaluationEvent => event.type === 'evaluation');
    assert.ok(done?.artifacts.model, JSON.stringify(events.filter((event) => event.type !== 'batch' && event.type !== 'epoch')));
    assert.ok(evaluation && evaluation.worst.length > 0, 'the evaluation lists mistakes to compare');

    // The validation data again, as the trainer split it; the live model's confidences are in the evaluation.
    const source = blobs(BLOBS.samples, BLOBS.centers, BLOBS.features, BLOBS.std, BLOBS.seed, [BLOBS.features]);
    const { indices } = encodeLabels(source);
    const { validation } = stratifiedSplit(source, indices, BLOBS.validation, BLOBS.seed);
    const x = tf.tensor2d(validation.data.features, [validation.data.count, BLOBS.features]);
    const loaded = predictInPlainTfjs(dirname(done.artifacts.model), [x]);
    x.dispose();
    assert.ok(!loaded.classes.some((name) => name in CUSTOM_LAYERS), loaded.classes.join(', '));
    const probabilities = loaded.outputs[0]!;
    for (const sample of evaluation.worst) {
      const row = probabilities.slice(sample.index * BLOBS.centers, (sample.index + 1) * BLOBS.centers);
      assertClose([row[sample.predicted]!], [sample.confidence], `sample ${sample.index}`);
    }
  });
});
