/**
 * Saving and loading trained models: model.json + weights.bin round trips
 * in the inference form (no augmentation layers, Maxout in stock layers;
 * test/inference.test.ts loads it in plain tfjs), the layers format's manifest, and atomic writes
 * that leave no temporary or half-written file behind, even when a write fails.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import { buildModel } from '../trainer/buildModel';
import { MODEL_FILE } from '../protocol/history';
import { loadModel, saveModel, WEIGHTS_BIN } from '../trainer/saveModel';
import { projectExamples, read } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-save-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
function freshDir(): string {
  return join(scratch, `model-${++dirs}`);
}

/** The first model of an example, built with tfjs, its weights drawn at random so that a swapped or lost weight shows. */
function build(example: string): tf.LayersModel {
  const analysis = analyze(read(join(projectExamples, example)));
  const model = buildModel(analysis.models[0]!.network);
  // Small weights keep the outputs away from saturation, where any weights would give the same predictions; a variance must be positive.
  model.setWeights(
    model.weights.map((weight) => {
      const shape = weight.shape as number[];
      return weight.name.includes('moving_variance') ? tf.randomUniform(shape, 0.5, 1.5) : tf.randomUniform(shape, -0.3, 0.3);
    }),
  );
  return model;
}

/** Predictions (inference mode: augmentation and dropout pass through) of both models on the same random batch. */
function assertSamePredictions(expected: tf.LayersModel, actual: tf.LayersModel): void {
  const shape = expected.inputs[0]!.shape.map((dim) => dim ?? 3);
  const x = tf.randomUniform(shape);
  const want = (expected.predict(x) as tf.Tensor).dataSync();
  const got = (actual.predict(x) as tf.Tensor).dataSync();
  assert.equal(got.length, want.length);
  want.forEach((value, i) => assert.ok(Math.abs(got[i]! - value) <= 1e-6 * Math.max(1, Math.abs(value)), `output ${i}: ${got[i]} after loading, ${value} before`));
}

function assertOnlyModelFiles(dir: string): void {
  assert.deepEqual(readdirSync(dir).sort(), [MODEL_FILE, WEIGHTS_BIN]);
}

/**
 * What the saved form of each example holds, against the model as built: the
 * layers left out (augmentation), the layers added (Maxout's pieces), and the
 * class each rewritten layer has now.
 */
for (const [example, dropped, added, classes] of [
  ['digits_cnn.net', ['random_rotation', 'random_zoom'], [], { batch_normalization: 'BatchNormalization', conv2d: 'Conv2D' }],
  ['lr_decay.net', [], ['maxout_piece_1', 'maxout_piece_2'], { maxout: 'Maximum', maxout_piece_1: 'Dense', maxout_piece_2: 'Dense' }],
] as const) {
  test(`${example}: saved for inference and loaded again, the model predicts the same`, async () => {
    const model = build(example);
    const dir = freshDir();
    const saved = await saveModel(model, dir);
    assert.deepEqual(saved, { modelJson: join(dir, MODEL_FILE), weights: join(dir, WEIGHTS_BIN) });
    assertOnlyModelFiles(dir);

    const json = JSON.parse(readFileSync(saved.modelJson, 'utf8')) as tf.io.ModelJSON;
    assert.equal(json.format, 'layers-model');
    assert.equal(json.weightsManifest.length, 1);
    assert.deepEqual(json.weightsManifest[0]!.paths, [WEIGHTS_BIN]);
    // Splitting a Maxout into pieces moves its weights, and keeps every one of them.
    assert.equal(statSync(saved.weights).size, 4 * model.countParams());

    const loaded = await loadModel(dir);
    assert.equal(loaded.name, model.name);
    const kept = model.layers.map((layer) => layer.name).filter((name) => !(dropped as readonly string[]).includes(name));
    assert.deepEqual(loaded.layers.map((layer) => layer.name).sort(), [...kept, ...added].sort());
    for (const [name, type] of Object.entries(classes)) assert.equal(loaded.getLayer(name).getClassName(), type, name);
    assert.equal(loaded.countParams(), model.countParams());
    assertSamePredictions(model, loaded);
    model.dispose();
    loaded.dispose();
  });
}

test('a second save into the same folder replaces the first', async () => {
  const dir = freshDir();
  const first = build('digits_cnn.net');
  const second = build('lr_decay.net');
  await saveModel(first, dir);
  await saveModel(second, dir);
  assertOnlyModelFiles(dir);
  const loaded = await loadModel(dir);
  assertSamePredictions(second, loaded);
  for (const model of [first, second, loaded]) model.dispose();
});

test('a save whose weights cannot be put in place leaves no model.json and no temporary file', async () => {
  const dir = freshDir();
  // A folder where weights.bin belongs makes the rename fail, as a crash between write and rename would leave it.
  mkdirSync(join(dir, WEIGHTS_BIN), { recursive: true });
  const model = build('lr_decay.net');
  await assert.rejects(saveModel(model, dir));
  assert.deepEqual(readdirSync(dir), [WEIGHTS_BIN]);
  assert.ok(statSync(join(dir, WEIGHTS_BIN)).isDirectory());
  model.dispose();
});

test('a save whose model.json cannot be put in place leaves no half-written model.json and no temporary file', async () => {
  const dir = freshDir();
  mkdirSync(join(dir, MODEL_FILE), { recursive: true });
  const model = build('lr_decay.net');
  await assert.rejects(saveModel(model, dir));
  assert.deepEqual(readdirSync(dir).sort(), [MODEL_FILE, WEIGHTS_BIN]);
  assert.ok(statSync(join(dir, MODEL_FILE)).isDirectory(), 'model.json is still the folder: nothing was written under its name');
  model.dispose();
});

test('a save that cannot be written says which file and why', async () => {
  const model = build('lr_decay.net');
  // A file where the model's folder would go.
  const blocking = join(scratch, 'in-the-way');
  writeFileSync(blocking, '');
  const dir = join(blocking, 'model');
  await assert.rejects(saveModel(model, dir), { message: `cannot create the folder ${dir}: ${blocking} is a file, not a folder` });
  // A folder where weights.bin belongs.
  const taken = freshDir();
  mkdirSync(join(taken, WEIGHTS_BIN), { recursive: true });
  await assert.rejects(saveModel(model, taken), { message: `cannot write ${join(taken, WEIGHTS_BIN)}: it is a directory, not a file` });
  model.dispose();
});
