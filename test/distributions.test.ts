/**
 * The per-layer distributions of a real run, held against figures worked
 * out apart from the trainer: the saved model's weights and its layers'
 * outputs on the fixed sample, each sorted in full here and read with
 * numpy.quantile's default rule (linear interpolation between the two
 * nearest ranks), and numpy.histogram's bins. Then what a run leaves: no
 * tensor per epoch, distributions.json with every epoch, and a reopened run
 * that replays the events.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import { readRuns, runEvents } from '../host/runs';
import { DISTRIBUTIONS_FILE } from '../protocol/history';
import { DISTRIBUTION_QUANTILES, HISTOGRAM_BINS, type Distribution, type DistributionsEvent, type FinishedEvent, type TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { prepareData } from '../trainer/dataset';
import { MAX_SORTED, sampleIndices, summarize } from '../trainer/distributions';
import { MAX_RECORDED_EPOCHS } from '../trainer/callbacks/distributions';
import { runTraining, type Control } from '../trainer/engine';
import { loadModel } from '../trainer/saveModel';
import { scratchFolders } from './support';

const scratch = scratchFolders('distributions');

/** 1,200 samples, a quarter held out: more validation rows (300) than the fixed sample takes (256). */
const SOURCE = `model Blobs {
  input [2]
  Dense(16, activation=relu)
  Dense(8, activation=relu, kernel_initializer=zeros, bias_initializer=zeros)
  Dropout(0.1)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=1200, centers=3, std=0.8)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.01)
  batch_size = 64
  epochs = 3
  seed = 7
}
`;

async function train(source: string, control: Control = { stopRequested: false }): Promise<{ file: string; runsDir: string; events: TrainerEvent[] }> {
  const dir = scratch();
  const file = join(dir, 'blobs.net');
  writeFileSync(file, source);
  const runsDir = join(dir, 'runs');
  const events: TrainerEvent[] = [];
  await runTraining({ type: 'start', file, runsDir }, (event) => events.push(event), control);
  return { file, runsDir, events };
}

const distributionsOf = (events: TrainerEvent[]) => events.filter((e): e is DistributionsEvent => e.type === 'distributions');

/** numpy.quantile(values, q) with its default (linear) rule, on a full sort. */
function quantileBySort(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (h - low) * (sorted[high]! - sorted[low]!);
}

/** numpy.histogram(values, bins=30): equal bins over [min, max], the last closed. */
function histogramOf(values: readonly number[]): Distribution['histogram'] {
  let min = values.reduce((a, b) => Math.min(a, b));
  let max = values.reduce((a, b) => Math.max(a, b));
  if (min === max) [min, max] = [min - 0.5, max + 0.5];
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const value of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(((value - min) / (max - min)) * HISTOGRAM_BINS))]!++;
  return { min, max, counts };
}

function assertClose(actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-12);
  assert.ok(Math.abs(actual - expected) / scale <= 1e-6, `${what}: ${actual} against ${expected}`);
}

function assertDistribution(actual: Distribution | undefined, values: readonly number[], what: string): void {
  assert.ok(actual, what);
  assert.equal(actual.count, values.length, what);
  assert.equal(actual.bands.length, DISTRIBUTION_QUANTILES.length, what);
  DISTRIBUTION_QUANTILES.forEach((q, i) => assertClose(actual.bands[i]!, quantileBySort(values, q), `${what} at ${q}`));
  const histogram = histogramOf(values);
  assertClose(actual.histogram.min, histogram.min, `${what} histogram min`);
  assertClose(actual.histogram.max, histogram.max, `${what} histogram max`);
  assert.deepEqual(actual.histogram.counts, histogram.counts, what);
}

describe('per-layer distributions of a real run', () => {
  let run: Awaited<ReturnType<typeof train>>;
  let events: DistributionsEvent[];
  const counts: number[] = [];
  const tensors = { before: 0, after: 0 };
  before(async () => {
    await selectBackend('auto');
    tensors.before = tf.memory().numTensors;
    run = await train(SOURCE, { stopRequested: false, afterEpoch: (tensors) => counts.push(tensors) });
    events = distributionsOf(run.events);
    tensors.after = tf.memory().numTensors;
  });

  it('are sent once per epoch, each right after the epoch event (and its decision boundary), on the same fixed sample', () => {
    assert.deepEqual(run.events.filter((e) => e.type === 'failed'), []);
    assert.deepEqual(events.map((e) => e.epoch), [1, 2, 3]);
    const fit = run.events.filter((e) => e.type !== 'boundary' && e.type !== 'batch');
    for (const event of events) assert.equal(fit[fit.indexOf(event) - 1]!.type, 'epoch');
    const sample = events[0]!.sample;
    assert.equal(sample.on, 'validation');
    assert.equal(sample.indices.length, 256);
    assert.deepEqual(sample.indices, [...sample.indices].sort((a, b) => a - b));
    assert.equal(new Set(sample.indices).size, 256);
    for (const event of events) assert.deepEqual(event.sample, sample);
    assert.deepEqual(sample.indices, sampleIndices(300, 7));
    assert.deepEqual(events[0]!.layers.map((l) => [l.name, l.type, l.variables.map((v) => `${v.name}${JSON.stringify(v.shape)}`).join(' ')]), [
      ['dense', 'Dense', 'kernel[2,16] bias[16]'],
      ['dense_1', 'Dense', 'kernel[16,8] bias[8]'],
      ['dropout', 'Dropout', ''],
      ['dense_2', 'Dense', 'kernel[8,3] bias[3]'],
    ]);
  });

  it("equal the saved model's weights and its layers' outputs on the sample, worked out apart", async () => {
    const last = events.at(-1)!;
    const finished = run.events.find((e): e is FinishedEvent => e.type === 'finished')!;
    const model = await loadModel(dirname(finished.artifacts.model));
    // The validation rows the trainer held out, made again from the file and the seed.
    const analysis = analyze(SOURCE);
    const data = await prepareData(analysis.trainBlocks[0]!, analysis.models[0]!.network, { baseDir: dirname(run.file), seed: 7 });
    try {
      const rows = tf.gather(data.validation!.x as tf.Tensor, last.sample.indices);
      for (const layer of last.layers) {
        const saved = model.getLayer(layer.name);
        layer.variables.forEach((variable, i) => assertDistribution(variable, Array.from(saved.getWeights()[i]!.dataSync()), `${layer.name}/${variable.name}`));
        const output = tf.model({ inputs: model.inputs, outputs: saved.output as tf.SymbolicTensor }).predict(rows) as tf.Tensor;
        const values = Array.from(output.dataSync());
        assertDistribution(layer.activations, values, `${layer.name} activations`);
        if (layer.name === 'dropout' || layer.name === 'dense_2') {
          assert.equal(layer.deadFraction, undefined, layer.name);
        } else {
          const units = output.shape[1]!;
          let dead = 0;
          for (let unit = 0; unit < units; unit++) if (values.every((value, i) => i % units !== unit || value <= 0)) dead++;
          assert.equal(layer.deadFraction, dead / units, layer.name);
        }
        output.dispose();
      }
      rows.dispose();
    } finally {
      data.dispose();
      model.dispose();
    }
    // The layer whose kernel and bias start at zero never fires, and never learns to.
    for (const event of events) assert.equal(event.layers[1]!.deadFraction, 1);
  });

  it('leave no tensor behind from one epoch to the next', () => {
    assert.equal(counts.length, 3);
    assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
    // Nor after the run: the engine disposes the model, and the summaries hold no tensor of their own.
    assert.equal(tensors.after, tensors.before);
  });

  it("are in the member's distributions.json, every epoch, and a reopened run replays them", () => {
    const finished = run.events.find((e): e is FinishedEvent => e.type === 'finished')!;
    const written = JSON.parse(readFileSync(join(finished.artifacts.runDir, DISTRIBUTIONS_FILE), 'utf8')) as DistributionsEvent[];
    assert.deepEqual(written, events);
    const [stored] = readRuns(run.runsDir, 'Blobs');
    assert.deepEqual(distributionsOf(runEvents(stored!)), events);
  });
});

describe('per-layer distributions of an ensemble', () => {
  it("are each member's, in each member's folder", async () => {
    const { events } = await train(SOURCE.replace('epochs = 3', 'epochs = 2\n  ensemble = 2'));
    assert.deepEqual(events.filter((e) => e.type === 'failed'), []);
    const sent = distributionsOf(events);
    assert.deepEqual(sent.map((e) => [e.member, e.epoch]), [[0, 1], [0, 2], [1, 1], [1, 2]]);
    const finished = events.filter((e): e is FinishedEvent => e.type === 'finished');
    finished.forEach((member, i) => {
      const written = JSON.parse(readFileSync(join(dirname(member.artifacts.model), DISTRIBUTIONS_FILE), 'utf8')) as DistributionsEvent[];
      assert.deepEqual(written, sent.filter((e) => e.member === i));
    });
    // Each member starts from weights of its own: its kernels differ.
    assert.notDeepEqual(sent[0]!.layers[0]!.variables[0]!.bands, sent[2]!.layers[0]!.variables[0]!.bands);
  });
});

describe('per-layer distributions of recurrent, wrapped and normalising layers', () => {
  it("name each variable as Keras does, and count dead units of a ReLU layer only", async () => {
    const { events } = await train(`model Mix {
  input [32]
  Reshape([8, 4])
  LSTM(6, return_sequences=true)
  Bidirectional(GRU(3))
  BatchNormalization()
  Dense(16)
  ReLU()
  Dense(3, activation=softmax)
}

train Mix {
  data = blobs(samples=120, centers=3, features=32)
  loss = categorical_crossentropy
  epochs = 1
  batch_size = 32
  seed = 1
}
`);
    assert.deepEqual(events.filter((e) => e.type === 'failed'), []);
    const [event] = distributionsOf(events);
    assert.deepEqual(event!.layers.map((l) => [l.type, l.variables.map((v) => v.name).join(' '), l.deadFraction !== undefined]), [
      ['Reshape', '', false],
      ['LSTM', 'kernel recurrent_kernel bias', false],
      ['Bidirectional', 'forward/kernel forward/recurrent_kernel forward/bias backward/kernel backward/recurrent_kernel backward/bias', false],
      ['BatchNormalization', 'gamma beta moving_mean moving_variance', false],
      ['Dense', 'kernel bias', false],
      ['ReLU', '', true],
      ['Dense', 'kernel bias', false],
    ]);
    assert.equal(event!.sample.on, 'train');
    assert.equal(event!.layers[2]!.activations!.count, event!.sample.indices.length * 6);
  });
});

describe('per-layer distributions of a long run', () => {
  const XOR = (epochs: number) => `model Xor {
  input [2]
  Dense(8, activation=relu)
  Dense(1, activation=sigmoid)
}

train Xor {
  data = xor()
  loss = binary_crossentropy
  batch_size = 4
  epochs = ${epochs}
  seed = 2
}
`;

  it(`record at most ${MAX_RECORDED_EPOCHS} epochs: the first, every k-th and the last, also when a stop ends the fit early`, async () => {
    const full = distributionsOf((await train(XOR(450))).events);
    // k = ceil(450 / 200) = 3.
    assert.deepEqual(full.map((e) => e.epoch), [1, ...Array.from({ length: 150 }, (_, i) => (i + 1) * 3)]);
    assert.deepEqual(full[0]!.sample, { on: 'train', indices: [0, 1, 2, 3] });
    const control: Control = { stopRequested: false, afterEpoch: () => void (control.stopRequested ||= counted++ === 9) };
    let counted = 0;
    const stopped = distributionsOf((await train(XOR(450), control)).events);
    assert.deepEqual(stopped.map((e) => e.epoch), [1, 3, 6, 9, 11]);
    // A short run records every epoch.
    assert.deepEqual(distributionsOf((await train(XOR(5))).events).map((e) => e.epoch), [1, 2, 3, 4, 5]);
  });
});

describe('summarize', () => {
  it('reads the inner bands of a tensor too large to select from whole from an even sample, and the ends and histogram from every value', () => {
    const count = MAX_SORTED * 3 + 5;
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = Math.sin(i * 12.9898) * 3;
    values[count - 1] = Number.NaN;
    const summary = summarize(values);
    assert.equal(summary.sampled, MAX_SORTED);
    assert.equal(summary.nonFinite, 1);
    assert.equal(summary.count, count);
    const finite = Array.from(values.subarray(0, count - 1));
    assertClose(summary.bands[0]!, finite.reduce((a, b) => Math.min(a, b)), 'min');
    assertClose(summary.bands[8]!, finite.reduce((a, b) => Math.max(a, b)), 'max');
    assert.equal(summary.histogram.counts.reduce((a, b) => a + b, 0), count - 1);
    assert.deepEqual(summary.histogram.counts, histogramOf(finite).counts);
    // A sample of a smooth spread: its median is the whole's to within a bin's width.
    assert.ok(Math.abs(summary.bands[4]! - quantileBySort(finite, 0.5)) < 6 / HISTOGRAM_BINS);
  });

  it('gives one value a unit-wide histogram around it', () => {
    const summary = summarize(new Float32Array([2, 2, 2]));
    assert.deepEqual(summary.bands, new Array(9).fill(2));
    assert.deepEqual(summary.histogram, histogramOf([2, 2, 2]));
  });
});
