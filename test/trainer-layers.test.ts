import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  CUSTOM_LAYERS,
  Maxout,
  RandomBrightness,
  RandomContrast,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  Subtract,
} from '../trainer/layers';

/** A 1×8×8×1 image (or `batch` of them) with distinct values in [0, 1]. */
function ramp(batch = 1, size = 8): tf.Tensor4D {
  const n = batch * size * size;
  return tf.tensor4d(
    Array.from({ length: n }, (_, i) => (i % (size * size)) / (size * size - 1)),
    [batch, size, size, 1],
  );
}

/** The nested-array form of image `b` of a batch, as rows of pixel values (one channel). */
function rows(images: tf.Tensor, b: number): number[][] {
  return (images.arraySync() as number[][][][])[b].map((row) => row.map((px) => px[0]));
}

function assertClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance, `at ${i}: ${v} vs ${expected[i]}`));
}

function applyTo(layer: tf.layers.Layer, x: tf.Tensor, training: boolean): tf.Tensor {
  return layer.apply(x, { training }) as tf.Tensor;
}

/** One instance of each augmentation layer, with factors that always move a pixel. */
function augmentations(): tf.layers.Layer[] {
  return [
    new RandomFlip({ mode: 'horizontal_and_vertical', seed: 3 }),
    new RandomRotation({ factor: [0.1, 0.2], seed: 3 }),
    new RandomTranslation({ heightFactor: [0.2, 0.3], widthFactor: [-0.3, -0.2], seed: 3 }),
    new RandomZoom({ heightFactor: [0.3, 0.5], seed: 3 }),
    new RandomBrightness({ factor: [0.2, 0.3], valueRange: [0, 1], seed: 3 }),
    new RandomContrast({ factor: [0.6, 0], valueRange: [0, 1], seed: 3 }),
  ];
}

test('Maxout outputs the max over each unit\'s pieces of the dense result', () => {
  const [inDim, units, pieces] = [3, 2, 3];
  const layer = new Maxout({ units, pieces });
  const x = [
    [1, -2, 0.5],
    [0, 3, -1],
  ];
  const kernel = Array.from({ length: inDim }, (_, i) => Array.from({ length: units * pieces }, (_, j) => Math.sin(7 * i + j)));
  const bias = Array.from({ length: units * pieces }, (_, j) => 0.1 * j - 0.2);
  layer.apply(tf.zeros([1, inDim]));
  layer.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);

  const expected = x.flatMap((row) => {
    const dense = bias.map((b, j) => b + row.reduce((sum, v, i) => sum + v * kernel[i][j], 0));
    return Array.from({ length: units }, (_, u) => Math.max(...dense.slice(u * pieces, (u + 1) * pieces)));
  });
  const y = layer.apply(tf.tensor2d(x)) as tf.Tensor;
  assert.deepEqual(y.shape, [2, units]);
  assertClose(Array.from(y.dataSync()), expected);
  assert.equal(layer.countParams(), inDim * units * pieces + units * pieces);
});

test('Maxout works on the last axis of rank-3 input and without a bias', () => {
  const layer = new Maxout({ units: 4, pieces: 2, useBias: false });
  const y = layer.apply(tf.ones([2, 5, 6])) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 5, 4]);
  assert.equal(layer.countParams(), 6 * 4 * 2);
  assert.deepEqual(layer.computeOutputShape([null, 5, 6]), [null, 5, 4]);
  assert.throws(() => new Maxout({ units: 0, pieces: 2 }), /units must be a positive integer/);
});

test('Subtract computes a - b and requires exactly two equal-shaped inputs', () => {
  const a = tf.tensor2d([[5, 7, 9]]);
  const b = tf.tensor2d([[1, 2, 3]]);
  const y = new Subtract().apply([a, b]) as tf.Tensor;
  assert.deepEqual(Array.from(y.dataSync()), [4, 5, 6]);

  const [p, q, r] = [tf.input({ shape: [3] }), tf.input({ shape: [3] }), tf.input({ shape: [3] })];
  assert.deepEqual((new Subtract().apply([p, q]) as tf.SymbolicTensor).shape, [null, 3]);
  assert.throws(() => new Subtract().apply(p), /exactly 2 inputs, got 1/);
  assert.throws(() => new Subtract().apply([p, q, r]), /exactly 2 inputs, got 3/);
  assert.throws(() => new Subtract().apply([p, tf.input({ shape: [4] })]), /same shape/);
  assert.throws(() => new Subtract().apply([a, tf.ones([1, 4])]), /same shape/);
});

test('augmentation layers are the identity unless training is true', () => {
  const x = ramp(2);
  for (const layer of augmentations()) {
    for (const y of [applyTo(layer, x, false), layer.apply(x) as tf.Tensor]) {
      assert.deepEqual(y.shape, x.shape, layer.getClassName());
      assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()), layer.getClassName());
    }
  }
});

test('augmentation layers change a non-constant image in training, keeping shape and value range', () => {
  const x = ramp(4);
  for (const layer of augmentations()) {
    const y = applyTo(layer, x, true);
    const name = layer.getClassName();
    assert.deepEqual(y.shape, x.shape, name);
    assert.notDeepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()), name);
    assert.ok(y.min().dataSync()[0] >= -1e-6 && y.max().dataSync()[0] <= 1 + 1e-6, `${name} left [0, 1]`);
  }
});

test('RandomFlip horizontal gives each sample either itself or its mirror, reproducibly', () => {
  const x = ramp(8);
  const image = rows(x, 0);
  const mirror = image.map((row) => [...row].reverse());
  const run = (): number[][][] => {
    const y = applyTo(new RandomFlip({ mode: 'horizontal', seed: 42 }), x, true);
    return Array.from({ length: 8 }, (_, b) => rows(y, b));
  };
  const samples = run();
  const flipped = samples.map((s) => {
    if (JSON.stringify(s) === JSON.stringify(mirror)) return true;
    assert.deepEqual(s, image);
    return false;
  });
  assert.ok(flipped.includes(true) && flipped.includes(false), `flips: ${flipped}`);
  assert.deepEqual(run(), samples);
});

test('RandomFlip vertical reverses the rows', () => {
  const x = ramp(8);
  const upsideDown = [...rows(x, 0)].reverse();
  const y = applyTo(new RandomFlip({ mode: 'vertical', seed: 42 }), x, true);
  const flips = Array.from({ length: 8 }, (_, b) => JSON.stringify(rows(y, b)) === JSON.stringify(upsideDown));
  assert.ok(flips.includes(true), 'no sample was flipped');
});

test('RandomRotation by a quarter turn rotates counter-clockwise about the centre', () => {
  const x = ramp(2);
  const layer = new RandomRotation({ factor: [0.25, 0.25], interpolation: 'nearest', fillMode: 'constant' });
  const y = applyTo(layer, x, true);
  const image = rows(x, 0);
  const expected = image.map((_, r) => image.map((__, c) => image[c][7 - r]));
  // Both samples, since tfjs's CPU kernel alone would transform only the first.
  assert.deepEqual(rows(y, 0), expected);
  assert.deepEqual(rows(y, 1), expected);
});

test('RandomTranslation shifts by the drawn fraction and fills with fillValue', () => {
  const x = ramp(2);
  const layer = new RandomTranslation({
    heightFactor: [0.25, 0.25],
    widthFactor: [0, 0],
    fillMode: 'constant',
    fillValue: -1,
    interpolation: 'nearest',
  });
  const y = applyTo(layer, x, true);
  const image = rows(x, 0);
  const expected = image.map((row, r) => (r < 2 ? row.map(() => -1) : image[r - 2]));
  assert.deepEqual(rows(y, 0), expected);
  assert.deepEqual(rows(y, 1), expected);
});

test('RandomTranslation with fillMode nearest repeats the edge row', () => {
  const x = ramp();
  const layer = new RandomTranslation({ heightFactor: [0.25, 0.25], widthFactor: 0, fillMode: 'nearest', interpolation: 'nearest' });
  const image = rows(x, 0);
  assert.deepEqual(rows(applyTo(layer, x, true), 0), image.map((_, r) => image[Math.max(r - 2, 0)]));
});

test('RandomZoom out shrinks the image about its centre, filling the border', () => {
  const x = tf.ones([1, 8, 8, 1]);
  const layer = new RandomZoom({ heightFactor: [1, 1], fillMode: 'constant', interpolation: 'nearest' });
  const y = rows(applyTo(layer, x, true), 0);
  assert.equal(y[0][0], 0);
  assert.equal(y[7][7], 0);
  assert.equal(y[3][4], 1);
  assert.equal(y[4][3], 1);
  assert.throws(() => new RandomZoom({ heightFactor: [-2, 0] }), /within \[-1, Infinity\]/);
});

test('RandomBrightness adds factor × range width, clipped to the value range', () => {
  const x = ramp(2);
  const layer = new RandomBrightness({ factor: [0.5, 0.5], valueRange: [0, 1] });
  const y = applyTo(layer, x, true);
  assertClose(Array.from(y.dataSync()), Array.from(x.dataSync()).map((v) => Math.min(v + 0.5, 1)));

  const perSample = applyTo(new RandomBrightness({ factor: 0.5, valueRange: [-10, 10], seed: 1 }), ramp(3), true);
  const deltas = tf.sub(perSample, ramp(3)).arraySync() as number[][][][];
  for (const sample of deltas) assertClose(sample.flat(2), sample.flat(2).map(() => sample[0][0][0]), 1e-4);
  assert.equal(applyTo(new RandomBrightness({ factor: 0.1 }), tf.ones([2, 4, 4]), true).rank, 3);
});

test('RandomContrast scales deviations from each channel mean by one factor in range', () => {
  const x = tf.mul(ramp(3), 0.5).add(0.25) as tf.Tensor4D;
  const y = applyTo(new RandomContrast({ factor: [0.5, 0.5], valueRange: [0, 1], seed: 7 }), x, true);
  const before = x.arraySync();
  const after = y.arraySync() as number[][][][];
  for (let b = 0; b < 3; b++) {
    const xs = before[b].flat(2);
    const ys = after[b].flat(2);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const factor = (ys[0] - mean) / (xs[0] - mean);
    assert.ok(factor >= 0.5 && factor <= 1.5, `factor ${factor}`);
    assertClose(ys, xs.map((v) => mean + (v - mean) * factor), 1e-4);
  }
  assert.throws(() => new RandomContrast({ factor: [1.5, 0] }), /lower within \[0, 1\]/);
});

test('geometric layers require rank-4 input', () => {
  for (const layer of augmentations().slice(0, 4)) {
    assert.throws(() => layer.apply(tf.ones([2, 8, 8]), { training: true }), /rank 4.*got an input of rank 3/);
    assert.throws(() => layer.apply(tf.input({ shape: [8] })), /got an input of rank 2/);
  }
});

test('getConfig round-trips through fromConfig', () => {
  const layers = [
    new Maxout({ units: 3, pieces: 4, useBias: false }),
    new Subtract(),
    new RandomFlip({ mode: 'vertical', seed: 5 }),
    new RandomRotation({ factor: [-0.1, 0.3], fillMode: 'wrap', fillValue: 2, interpolation: 'nearest' }),
    new RandomTranslation({ heightFactor: 0.1, widthFactor: [0, 0.2], fillMode: 'reflect' }),
    new RandomZoom({ heightFactor: 0.2, widthFactor: [-0.1, 0.1] }),
    new RandomBrightness({ factor: 0.3, valueRange: [-1, 1] }),
    new RandomContrast({ factor: [0.2, 0.4] }),
  ];
  for (const layer of layers) {
    const config = layer.getConfig();
    const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>;
    assert.deepEqual(tf.layers.Layer.fromConfig(cls, config).getConfig(), config);
  }
});

/** A two-input model using every custom layer. */
function everyLayerModel(): tf.LayersModel {
  const image = tf.input({ shape: [8, 8, 1] });
  const offset = tf.input({ shape: [4] });
  let x = image;
  for (const layer of augmentations()) x = layer.apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = new Maxout({ units: 4, pieces: 3 }).apply(x) as tf.SymbolicTensor;
  const output = new Subtract().apply([x, offset]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, offset], outputs: output });
}

test('a model with every custom layer reloads from its JSON config', async () => {
  const model = everyLayerModel();
  const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
  const classNames = json.config.layers.map((l) => l.class_name);
  for (const name of Object.keys(CUSTOM_LAYERS)) assert.ok(classNames.includes(name), `${name} missing from ${classNames}`);

  const reloaded = await tf.models.modelFromJSON(json);
  assert.deepEqual(
    reloaded.layers.map((l) => l.getConfig()),
    model.layers.map((l) => l.getConfig()),
  );
  assert.equal(reloaded.countParams(), model.countParams());
});

test('a saved model (topology and weights) loads again and predicts the same', async () => {
  const model = everyLayerModel();
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const inputs = [ramp(2), tf.ones([2, 4])];
  const expected = (model.predict(inputs) as tf.Tensor).dataSync();
  assertClose(Array.from((loaded.predict(inputs) as tf.Tensor).dataSync()), Array.from(expected));
});

test('model.fit trains through the augmentation layers', async () => {
  const model = everyLayerModel();
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const history = await model.fit([ramp(8), tf.zeros([8, 4])], tf.zeros([8, 4]), { epochs: 2, batchSize: 4, verbose: 0 });
  assert.ok(history.history.loss.every((l) => Number.isFinite(l as number)));
});

test('repeated calls leak no tensors', () => {
  const x = ramp(2);
  const pair = [tf.ones([2, 3]), tf.zeros([2, 3])];
  const cases: [tf.layers.Layer, tf.Tensor | tf.Tensor[]][] = [
    [new Maxout({ units: 2, pieces: 3 }), tf.ones([2, 5])],
    [new Subtract(), pair],
    ...augmentations().map((layer): [tf.layers.Layer, tf.Tensor] => [layer, x]),
  ];
  for (const [layer, input] of cases) {
    const once = (training: boolean): void => (layer.apply(input, { training }) as tf.Tensor).dispose();
    once(true); // builds the weights, if any
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      once(true);
      once(false);
    }
    assert.equal(tf.memory().numTensors, before, layer.getClassName());
  }
});
