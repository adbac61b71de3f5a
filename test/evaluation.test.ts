/**
 * What the trainer tells of its data and of a trained classifier: samples
 * per class and a few images after `started`, and after the fit the
 * confusion matrix and the most confident mistakes, held against the saved
 * model's own predictions and the validation accuracy tfjs reports.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { accuracyLine } from '../cli/train';
import { analyze } from '../core';
import type { DataEvent, EvaluationEvent, TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { encodeLabels, stratifiedSplit } from '../trainer/data';
import { blobs } from '../trainer/data/generated';
import { imageShapeOf } from '../trainer/data/images';
import type { Control } from '../trainer/engine';
import { loadModel } from '../trainer/saveModel';
import { trainingFiles } from './trainHelpers';

const { netFile, trainInProcess: train } = trainingFiles('eval');



function only<T extends TrainerEvent['type']>(events: TrainerEvent[], type: T): Extract<TrainerEvent, { type: T }>[] {
  return events.filter((event): event is Extract<TrainerEvent, { type: T }> => event.type === type);
}

/** The event types in order, runs of batch and epoch events shown once as `fit`. */
/** The events' types in order, each stretch of the fit's per-batch and per-epoch events (a decision boundary's among them) as one 'fit'. */
const order = (events: TrainerEvent[]): string[] =>
  events.map((event) => (event.type === 'batch' || event.type === 'epoch' || event.type === 'boundary' || event.type === 'distributions' ? 'fit' : event.type)).filter((type, i, all) => type !== 'fit' || all[i - 1] !== 'fit');

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const diagonal = (confusion: number[][]): number => sum(confusion.map((row, i) => row[i]!));

/** Blobs that overlap (std 3), so that a few epochs leave mistakes to list. */
const BLOBS = {
  samples: 250,
  centers: 3,
  std: 3,
  seed: 3,
  validation: 0.25,
  text(settings = 'epochs = 3', output = 'Dense(3, activation=softmax)', loss = 'categorical_crossentropy'): string {
    return `model Blobs {
  input [2]
  Dense(16, activation=relu)
  ${output}
}

train Blobs {
  data = blobs(samples=${this.samples}, centers=${this.centers}, std=${this.std})
  validation = ${this.validation}
  loss = ${loss}
  metrics = [accuracy]
  batch_size = 16
  seed = ${this.seed}
  ${settings}
}
`;
  },
};

describe('the data event', () => {
  before(() => selectBackend('auto'));

  let events: TrainerEvent[];
  before(async () => {
    events = await train({ file: netFile(BLOBS.text()) });
  });

  it('comes right after started, and the evaluation right before finished', () => {
    assert.deepEqual(order(events), ['started', 'data', 'fit', 'evaluation', 'finished']);
  });

  it('counts each class of the stratified split, and the counts add up to started\'s sizes', () => {
    const started = only(events, 'started')[0]!;
    const { labelCounts, images } = only(events, 'data')[0]!;
    assert.equal(sum(labelCounts!.train), started.data.train);
    assert.equal(sum(labelCounts!.validation), started.data.validation);
    // Blobs deal the samples out class by class; the split holds out the fraction of each class, rounded.
    const sizes = Array.from({ length: BLOBS.centers }, (_, c) => Math.floor(BLOBS.samples / BLOBS.centers) + (c < BLOBS.samples % BLOBS.centers ? 1 : 0));
    const held = sizes.map((size) => Math.round(BLOBS.validation * size));
    assert.deepEqual(labelCounts, { train: sizes.map((size, c) => size - held[c]!), validation: held });
    assert.equal(images, undefined);
  });

  it('for regression, sends neither counts nor images, and no evaluation', async () => {
    const regression = await train({ file: netFile(BLOBS.text('epochs = 2', 'Dense(1)', 'mean_squared_error')) });
    assert.deepEqual(order(regression), ['started', 'data', 'fit', 'finished']);
    const data = only(regression, 'data')[0]!;
    assert.deepEqual(Object.keys(data).sort(), ['model', 'type']);
    const done = only(regression, 'finished')[0]!;
    assert.equal(done.artifacts.evaluation, undefined);
    assert.equal(existsSync(join(done.artifacts.runDir, 'evaluation.json')), false);
  });
});

describe('the evaluation of a classifier', () => {
  before(() => selectBackend('auto'));

  let events: TrainerEvent[];
  let tensorsBefore = 0;
  before(async () => {
    tensorsBefore = tf.memory().numTensors;
    events = await train({ file: netFile(BLOBS.text()) });
  });

  it('leaks no tensors', () => {
    assert.equal(tf.memory().numTensors, tensorsBefore);
  });

  it('is the saved model\'s prediction on the validation data, and its diagonal is val_acc', async () => {
    const evaluation = only(events, 'evaluation')[0]!;
    const done = only(events, 'finished')[0]!;
    // The validation data again, and the trained model from its folder, predicting all of it at once.
    const source = blobs(BLOBS.samples, BLOBS.centers, 2, BLOBS.std, BLOBS.seed, [2]);
    const { indices } = encodeLabels(source);
    const { validation } = stratifiedSplit(source, indices, BLOBS.validation, BLOBS.seed);
    const model = await loadModel(dirname(done.artifacts.model));
    const probabilities = tf.tidy(() => (model.predict(tf.tensor2d(validation.data.features, [validation.data.count, 2])) as tf.Tensor).arraySync() as number[][]);
    model.dispose();

    const confusion = [0, 1, 2].map(() => [0, 0, 0]);
    const wrong: { index: number; label: number; predicted: number; confidence: number }[] = [];
    probabilities.forEach((p, index) => {
      const predicted = p.indexOf(Math.max(...p));
      const label = validation.indices[index]!;
      confusion[label]![predicted]!++;
      if (predicted !== label) wrong.push({ index, label, predicted, confidence: p[predicted]! });
    });
    assert.equal(evaluation.on, 'validation');
    assert.deepEqual(evaluation.classes, [0, 1, 2]);
    assert.deepEqual(evaluation.confusion, confusion);
    assert.ok(wrong.length > 0, 'the test wants some mistakes to list');
    wrong.sort((a, b) => b.confidence - a.confidence);
    assert.deepEqual(evaluation.worst.map((s) => [s.index, s.label, s.predicted]), wrong.slice(0, 16).map((s) => [s.index, s.label, s.predicted]));
    evaluation.worst.forEach((sample, i) => assert.ok(Math.abs(sample.confidence - wrong[i]!.confidence) < 1e-5));

    assert.equal(sum(evaluation.confusion.flat()), only(events, 'started')[0]!.data.validation);
    assert.ok(Math.abs(diagonal(evaluation.confusion) / sum(evaluation.confusion.flat()) - done.metrics['val_acc']!) < 1e-6, `val_acc ${done.metrics['val_acc']}`);
    assert.deepEqual(evaluation.confusion.map(sum), only(events, 'data')[0]!.labelCounts!.validation);
  });

  it('lists real mistakes, at most 16, the most confident first, without pixels for a feature input', () => {
    const { worst, confusion, imageShape } = only(events, 'evaluation')[0]!;
    const mistakes = sum(confusion.flat()) - diagonal(confusion);
    assert.equal(worst.length, Math.min(16, mistakes));
    for (const sample of worst) {
      assert.notEqual(sample.predicted, sample.label);
      assert.ok(sample.confidence >= 1 / 3 && sample.confidence <= 1);
      assert.equal(sample.pixels, undefined);
    }
    for (let i = 1; i < worst.length; i++) assert.ok(worst[i - 1]!.confidence >= worst[i]!.confidence);
    assert.equal(imageShape, undefined);
  });

  it('is written to evaluation.json in the run folder, named in finished\'s artifacts', () => {
    const evaluation = only(events, 'evaluation')[0]!;
    const done = only(events, 'finished')[0]!;
    assert.equal(done.artifacts.evaluation, join(done.artifacts.runDir, 'evaluation.json'));
    assert.deepEqual(JSON.parse(readFileSync(done.artifacts.evaluation!, 'utf8')), evaluation);
  });

  it('a single sigmoid unit says class 1 above 0.5, as binary accuracy counts', async () => {
    const binary = await train({
      file: netFile(BLOBS.text('epochs = 2', 'Dense(1, activation=sigmoid)', 'binary_crossentropy').replace('centers=3', 'centers=2')),
    });
    const evaluation = only(binary, 'evaluation')[0]!;
    const done = only(binary, 'finished')[0]!;
    assert.equal(evaluation.confusion.length, 2);
    assert.equal(sum(evaluation.confusion.flat()), only(binary, 'started')[0]!.data.validation);
    assert.ok(Math.abs(diagonal(evaluation.confusion) / sum(evaluation.confusion.flat()) - done.metrics['val_acc']!) < 1e-6);
    for (const sample of evaluation.worst) {
      assert.notEqual(sample.predicted, sample.label);
      assert.ok(sample.confidence >= 0.5 && sample.confidence <= 1);
    }
  });

  it('an ensemble tells its data once and evaluates each member into its own folder', async () => {
    const ensemble = await train({ file: netFile(BLOBS.text('epochs = 1\n  ensemble = 2')) });
    assert.deepEqual(order(ensemble), ['started', 'data', 'fit', 'evaluation', 'finished', 'started', 'fit', 'evaluation', 'finished']);
    const evaluations = only(ensemble, 'evaluation');
    assert.deepEqual(evaluations.map((e) => e.member), [0, 1]);
    const done = only(ensemble, 'finished');
    done.forEach((finished, member) => {
      assert.equal(finished.artifacts.evaluation, join(finished.artifacts.runDir, `member-${member + 1}`, 'evaluation.json'));
      assert.deepEqual(JSON.parse(readFileSync(finished.artifacts.evaluation!, 'utf8')), evaluations[member]);
    });
  });

  it('a run stopped after an epoch is evaluated as it stands, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const control: Control = { stopRequested: false, afterEpoch: () => void (control.stopRequested = true) };
    const stopped = await train({ file: netFile(BLOBS.text('epochs = 50')) }, control);
    assert.equal(only(stopped, 'finished')[0]!.reason, 'stopped');
    assert.deepEqual(order(stopped), ['started', 'data', 'fit', 'evaluation', 'finished']);
    assert.equal(sum(only(stopped, 'evaluation')[0]!.confusion.flat()), only(stopped, 'started')[0]!.data.validation);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('image inputs', () => {
  before(() => selectBackend('auto'));

  /** 4×4 bars: a bright row is 'h', a bright column 'v'; every tenth row has its label swapped, so some samples must be wrong. */
  const bars = Array.from({ length: 80 }, (_, row) => {
    const kind = row % 2 === 0 ? 'h' : 'v';
    const line = Math.floor(row / 2) % 4;
    const pixels = Array.from({ length: 16 }, (_, i) => ((kind === 'h' ? Math.floor(i / 4) : i % 4) === line ? 255 : 0));
    const label = row % 10 === 9 ? (kind === 'h' ? 'v' : 'h') : kind;
    return { label, pixels };
  });
  const csv = ['label,' + Array.from({ length: 16 }, (_, i) => `p${i}`).join(','), ...bars.map((bar) => `${bar.label},${bar.pixels.join(',')}`)].join('\n') + '\n';

  it('a flat input reshaped to 4×4×1 shows samples of each class and its mistakes as images', async () => {
    const before = tf.memory().numTensors;
    const events = await train({
      file: netFile(
        `model Bars {
  input [16]
  Reshape([4, 4, 1])
  Flatten()
  Dense(2, activation=softmax)
}

train Bars {
  data = csv("bars.csv", label="label", scale=1/255)
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  metrics = [accuracy]
  epochs = 3
  batch_size = 16
  seed = 1
}
`,
        { 'bars.csv': csv },
      ),
    });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(order(events), ['started', 'data', 'fit', 'evaluation', 'finished']);
    const classes = only(events, 'started')[0]!.classes;
    assert.deepEqual(classes, ['h', 'v']);
    const data: DataEvent = only(events, 'data')[0]!;
    assert.deepEqual(data.labelCounts, { train: classes.map((c) => bars.filter((bar) => bar.label === c).length), validation: [0, 0] });
    assert.deepEqual(data.images!.shape, { height: 4, width: 4, channels: 1 });
    const samples = data.images!.samples;
    assert.equal(samples.length, 32);
    // A few of each class, each the pixels of a sample of its class (the values span 0 to 1, so pixels come out as written).
    assert.deepEqual(classes.map((_, c) => samples.filter((s) => s.label === c).length), [16, 16]);
    for (const sample of samples) {
      assert.ok(bars.some((bar) => bar.label === classes[sample.label] && bar.pixels.join() === sample.pixels.join()), `sample ${sample.pixels}`);
    }

    const evaluation: EvaluationEvent = only(events, 'evaluation')[0]!;
    assert.equal(evaluation.on, 'train');
    assert.deepEqual(evaluation.imageShape, { height: 4, width: 4, channels: 1 });
    assert.ok(evaluation.worst.length >= 1);
    for (const sample of evaluation.worst) {
      // Without validation data, the index is the row of the file.
      assert.equal(classes[sample.label], bars[sample.index]!.label);
      assert.notEqual(sample.predicted, sample.label);
      assert.deepEqual(sample.pixels, bars[sample.index]!.pixels);
    }
  });

  it('mnist() on a [28, 28] input shows 28×28 grey digits of every class', async () => {
    const events = await train({
      file: netFile(`model Digits {
  input [28, 28]
  Flatten()
  Dense(10, activation=softmax)
}

train Digits {
  data = mnist(samples=150)
  validation = 0.2
  loss = categorical_crossentropy
  metrics = [accuracy]
  epochs = 1
  batch_size = 32
  seed = 1
}
`),
    });
    const data = only(events, 'data')[0]!;
    assert.deepEqual(data.images!.shape, { height: 28, width: 28, channels: 1 });
    assert.equal(data.images!.samples.length, 32);
    assert.equal(new Set(data.images!.samples.map((s) => s.label)).size, 10);
    const pixels = data.images!.samples.flatMap((s) => s.pixels);
    assert.ok(data.images!.samples.every((s) => s.pixels.length === 784));
    assert.ok(pixels.every((p) => Number.isInteger(p) && p >= 0 && p <= 255));
    assert.deepEqual([Math.min(...pixels), Math.max(...pixels)], [0, 255]);
    const evaluation = only(events, 'evaluation')[0]!;
    assert.ok(evaluation.worst.every((s) => s.pixels?.length === 784));
  });

  it('takes an input for an image only when its shape, a Reshape or the data source says so', () => {
    const shapeOf = (input: string, layers: string, data: string) => {
      const analysis = analyze(`model M {\n  input ${input}\n  ${layers}\n  Dense(2, activation=softmax)\n}\ntrain M {\n  data = ${data}\n  loss = categorical_crossentropy\n}\n`);
      const block = analysis.trainBlocks[0]!;
      return imageShapeOf(block.models[0]!, block.data);
    };
    const grey = (side: number) => ({ height: side, width: side, channels: 1 });
    assert.deepEqual(shapeOf('[28, 28, 1]', 'Flatten()', 'mnist()'), grey(28));
    assert.deepEqual(shapeOf('[32, 32, 3]', 'Flatten()', 'csv("a.csv")'), { height: 32, width: 32, channels: 3 });
    assert.deepEqual(shapeOf('[28, 28]', 'Flatten()', 'csv("a.csv")'), grey(28));
    assert.deepEqual(shapeOf('[784]', 'Reshape([28, 28, 1])\n  Flatten()', 'csv("a.csv")'), grey(28));
    assert.deepEqual(shapeOf('[784]', 'Dense(8)', 'mnist()'), grey(28));
    assert.deepEqual(shapeOf('[784]', 'Dense(8)', 'csv("a.csv", shape=[28, 28, 1])'), grey(28));
    // A flat CSV input says nothing of its layout; nor does a long sequence, a Reshape to one, or a feature vector.
    assert.equal(shapeOf('[784]', 'Dense(8)', 'csv("a.csv")'), undefined);
    assert.equal(shapeOf('[100, 8]', 'Flatten()', 'csv("a.csv")'), undefined);
    assert.equal(shapeOf('[64]', 'Reshape([32, 2])\n  Flatten()', 'csv("a.csv")'), undefined);
    assert.equal(shapeOf('[8, 8, 5]', 'Flatten()', 'csv("a.csv")'), undefined);
    assert.equal(shapeOf('[2]', 'Dense(8)', 'blobs(centers=2)'), undefined);
  });
});

describe('layerwise train\'s accuracy line', () => {
  it('gives the overall accuracy and each class\'s, naming at most ten classes', () => {
    const three: Pick<EvaluationEvent, 'on' | 'classes' | 'confusion'> = {
      on: 'validation',
      classes: ['cat', 'dog', 'fox'],
      confusion: [
        [9, 1, 0],
        [0, 4, 0],
        [1, 1, 4],
      ],
    };
    assert.equal(accuracyLine(three), 'validation accuracy 85.0%; by class: cat 90% · dog 100% · fox 67%');
    const twelve = Array.from({ length: 12 }, (_, t) => Array.from({ length: 12 }, (_, p) => (t === p ? 1 : 0)));
    const line = accuracyLine({ on: 'train', classes: twelve.map((_, i) => i), confusion: twelve });
    assert.match(line, /^train accuracy 100\.0%; by class: 0 100% · 1 100% .* 9 100% · … 2 more$/);
  });
});
