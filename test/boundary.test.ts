/**
 * The decision boundary of two-feature classifiers: the grids a real run
 * sends equal what the saved model predicts, computed here with tfjs on
 * points placed here; the epochs sent are bounded, with the last and the
 * best among them; no tensor is left behind; only a classifier of two
 * features gets them; `layerwise train --json` prints them; the member's
 * boundary.json and the run's replay hold them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import { runsDirOf, modelRun } from '../host/runs';
import { BOUNDARY_FILE } from '../protocol/history';
import type { BoundaryEvent, FailedEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { boundaryEpoch, DecisionBoundary, EVERY_EPOCH_UNTIL, GRID_SIZE, MARGIN, SPACED_GRIDS } from '../trainer/callbacks/boundary';
import { memberState } from '../trainer/callbacks/callback';
import { prepareData } from '../trainer/dataset';
import { BestTracker, defaultBestRule } from '../trainer/monitors';
import { TrainingProcess } from '../trainer/process';
import { loadModel } from '../trainer/saveModel';
import { cliPath, moonsPair, projectExamples, repoRoot } from './support';
import { trainingFiles } from './trainHelpers';

const { scratch, netFile, trainInProcess } = trainingFiles('boundary');
// tfjs is used here too (the saved models predict apart from the trainer): its backend must be up first.
before(() => selectBackend('auto'));



const boundaries = (events: TrainerEvent[], model?: string) => events.filter((e): e is BoundaryEvent => e.type === 'boundary' && (!model || e.model === model));
const finishedOf = (events: TrainerEvent[], model: string) => events.find((e): e is FinishedEvent => e.type === 'finished' && e.model === model)!;
const failures = (events: TrainerEvent[]) => events.filter((e): e is FailedEvent => e.type === 'failed');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** The grid's points as this test places them from the event's box: cell centres, row 0 at the top. */
function pointsOf(event: BoundaryEvent): number[][] {
  const { xMin, xMax, yMin, yMax } = event.box;
  const points: number[][] = [];
  for (let r = 0; r < event.rows; r++) {
    for (let c = 0; c < event.columns; c++) points.push([xMin + ((c + 0.5) * (xMax - xMin)) / event.columns, yMax - ((r + 0.5) * (yMax - yMin)) / event.rows]);
  }
  return points;
}

async function predictApart(model: tf.LayersModel, event: BoundaryEvent): Promise<Float32Array> {
  const input = tf.tensor2d(pointsOf(event));
  const output = model.predict(input) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  tf.dispose([input, output]);
  return values;
}


const BLOBS = `model Blobs {
  input [2]
  Dense(16, activation=relu)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=240, centers=3, std=1.5)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  batch_size = 32
  epochs = 8
  seed = 5
}
`;

describe('the epochs that get a grid', () => {
  it('are every early epoch, then evenly spaced, always the last: at most EVERY_EPOCH_UNTIL + SPACED_GRIDS + 1 of any run', () => {
    for (const epochs of [1, 5, 20, 21, 81, 100, 1000, 12_345]) {
      const sent = Array.from({ length: epochs }, (_, i) => i + 1).filter((epoch) => boundaryEpoch(epoch, epochs));
      assert.ok(sent.length <= EVERY_EPOCH_UNTIL + SPACED_GRIDS + 1, `${epochs} epochs: ${sent.length} grids`);
      assert.equal(sent.at(-1), epochs);
      assert.deepEqual(sent.slice(0, Math.min(epochs, EVERY_EPOCH_UNTIL)), Array.from({ length: Math.min(epochs, EVERY_EPOCH_UNTIL) }, (_, i) => i + 1));
      if (epochs <= EVERY_EPOCH_UNTIL + SPACED_GRIDS) assert.equal(sent.length, epochs);
    }
  });
});

describe('the decision boundary of a real run', () => {
  let events: TrainerEvent[];
  before(async () => {
    const file = netFile(moonsPair(30));
    const run = new TrainingProcess({ type: 'start', file, runsDir: runsDirOf(file) }, join(repoRoot, 'out', 'trainer', 'child.js'));
    events = (await run.done).events;
    assert.deepEqual(failures(events), []);
  });

  it('sends a grid of each epoch for each model of the block, over the points\' box with its margin, the points once', () => {
    for (const model of ['Logistic', 'MLP']) {
      const sent = boundaries(events, model);
      assert.deepEqual(sent.map((e) => e.epoch), Array.from({ length: 30 }, (_, i) => i + 1));
      const first = sent[0]!;
      assert.ok(first.points && first.points.validation);
      assert.equal(first.points.train.x.length, 150);
      assert.equal(first.points.validation.x.length, 50);
      assert.ok(sent.slice(1).every((e) => e.points === undefined));
      assert.deepEqual(new Set(first.points.train.label), new Set([0, 1]));
      const xs = [...first.points.train.x, ...first.points.validation.x];
      const ys = [...first.points.train.y, ...first.points.validation.y];
      const [xMin, xMax, yMin, yMax] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
      close(first.box.xMin, xMin - MARGIN * (xMax - xMin));
      close(first.box.xMax, xMax + MARGIN * (xMax - xMin));
      close(first.box.yMin, yMin - MARGIN * (yMax - yMin));
      close(first.box.yMax, yMax + MARGIN * (yMax - yMin));
      assert.equal(first.columns * first.rows, GRID_SIZE * GRID_SIZE);
      assert.equal(bytes(first.predicted).length, GRID_SIZE * GRID_SIZE);
      assert.equal(bytes(first.probability!).length, GRID_SIZE * GRID_SIZE);
    }
  });

  it('sends for the last epoch what the saved model predicts on the same points, to the byte of quantisation', async () => {
    for (const model of ['Logistic', 'MLP']) {
      const finished = finishedOf(events, model);
      const last = boundaries(events, model).find((e) => e.epoch === finished.epochs)!;
      const saved = await loadModel(dirname(finished.artifacts.model));
      const p = await predictApart(saved, last);
      saved.dispose();
      const predicted = bytes(last.predicted);
      const probability = bytes(last.probability!);
      let classes = 0;
      for (let i = 0; i < p.length; i++) {
        assert.ok(Math.abs(probability[i]! - p[i]! * 255) <= 0.5 + 1e-3, `point ${i}: ${probability[i]} vs ${p[i]! * 255}`);
        if (Math.abs(p[i]! - 0.5) > 1e-4) assert.equal(predicted[i], p[i]! > 0.5 ? 1 : 0, `point ${i}`);
        classes |= 1 << predicted[i]!;
      }
      // Both classes are on the plane: the boundary crosses the box.
      assert.equal(classes, 3, model);
    }
  });

  it('writes each member\'s grids to boundary.json, and the run\'s replay holds them', () => {
    for (const model of ['Logistic', 'MLP']) {
      const finished = finishedOf(events, model);
      const path = join(finished.artifacts.runDir, BOUNDARY_FILE);
      assert.ok(existsSync(path), path);
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), boundaries(events, model));
      const replay = modelRun(dirname(dirname(finished.artifacts.runDir)), model, finished.artifacts.runDir)!;
      assert.deepEqual(boundaries(replay.events), boundaries(events, model));
    }
  });

  it('predicts a softmax model\'s class as its highest unit, with its probability as the confidence bytes', async () => {
    const run = new TrainingProcess({ type: 'start', file: netFile(BLOBS), runsDir: join(scratch(), 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    const blobs = (await run.done).events;
    assert.deepEqual(failures(blobs), []);
    const last = boundaries(blobs).at(-1)!;
    assert.equal(last.epoch, 8);
    assert.equal(last.probability, undefined);
    assert.deepEqual(last.classes, [0, 1, 2]);
    const saved = await loadModel(dirname(finishedOf(blobs, 'Blobs').artifacts.model));
    const p = await predictApart(saved, last);
    saved.dispose();
    const predicted = bytes(last.predicted);
    const confidence = bytes(last.confidence!);
    assert.equal(confidence.length, predicted.length);
    const seen = new Set<number>();
    for (let i = 0; i < predicted.length; i++) {
      const row = [p[i * 3]!, p[i * 3 + 1]!, p[i * 3 + 2]!];
      const sorted = [...row].sort((a, b) => b - a);
      if (sorted[0]! - sorted[1]! > 1e-5) assert.equal(predicted[i], row.indexOf(sorted[0]!), `point ${i}`);
      assert.ok(Math.abs(confidence[i]! - sorted[0]! * 255) <= 0.5 + 1e-3, `point ${i}: ${confidence[i]} vs ${sorted[0]! * 255}`);
      seen.add(predicted[i]!);
    }
    assert.deepEqual([...seen].sort(), [0, 1, 2]);
  });
});

describe('the grids of a long run', () => {
  it('xor.net\'s 1,000 epochs send a bounded number of grids, the last and the best among them, and `layerwise train --json` prints them', () => {
    const runs = scratch();
    const file = join(runs, 'xor.net');
    writeFileSync(file, readFileSync(join(projectExamples, 'xor.net'), 'utf8'));
    const result = spawnSync(process.execPath, [cliPath, 'train', file, '--model', 'XorMLP', '--backend', 'cpu', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(result.status, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as TrainerEvent);
    const sent = boundaries(events, 'XorMLP');
    const finished = finishedOf(events, 'XorMLP');
    assert.equal(finished.epochs, 1000);
    assert.ok(sent.length <= EVERY_EPOCH_UNTIL + SPACED_GRIDS + 2, `${sent.length} grids`);
    assert.ok(sent.length >= EVERY_EPOCH_UNTIL + SPACED_GRIDS / 2, `${sent.length} grids`);
    const epochs = sent.map((e) => e.epoch);
    assert.equal(new Set(epochs).size, epochs.length);
    assert.ok(epochs.includes(1000));
    assert.ok(epochs.includes(finished.bestEpoch), `best ${finished.bestEpoch} not in ${epochs}`);
  });
});

describe('the boundary callback', () => {
  before(() => selectBackend('cpu'));

  it('sends the best epoch\'s grid at the end from that epoch\'s weights when it was not sent, puts the last weights back, and leaks no tensor', async () => {
    const analysis = analyze(moonsPair(1000));
    const block = analysis.trainBlocks[0]!;
    const network = block.models[0]!;
    const data = await prepareData(block, network, { baseDir: scratch(), seed: 1 });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
    const tensors = tf.memory().numTensors;
    const state = memberState({ member: 0, seed: 1, epochs: [], batches: [] }, new BestTracker(defaultBestRule(true)));
    const sent: BoundaryEvent[] = [];
    const path = join(scratch(), BOUNDARY_FILE);
    const callback = new DecisionBoundary(state, model, data, { stopRequested: false }, (e) => sent.push(e as BoundaryEvent), { label: { model: 'Logistic' }, epochs: 1000, path });
    const setKernel = (a: number, b: number, bias: number) => {
      const values = [tf.tensor2d([[a], [b]]), tf.tensor1d([bias])];
      model.setWeights(values);
      tf.dispose(values);
    };
    // Epoch 25 (not one that gets a grid as it ends) becomes the best; epochs 26 and 27 do not improve on it.
    for (const epoch of [25, 26, 27]) {
      setKernel(epoch === 25 ? 4 : -4, 0, 0);
      state.best.offer(epoch, { val_loss: epoch === 25 ? 0.1 : 1 });
      state.epoch.improved = epoch === 25;
      callback.onEpochEnd(epoch - 1);
    }
    assert.equal(sent.length, 0);
    assert.equal(tf.memory().numTensors, tensors + 2, 'the best epoch\'s kernel and bias are kept');
    callback.onTrainEnd();
    assert.deepEqual(sent.map((e) => e.epoch), [25]);
    // Epoch 25's kernel (4, 0) says class 1 right of x = 0; the last one (-4, 0) the opposite, and it is back in the model.
    const predicted = bytes(sent[0]!.predicted);
    const points = pointsOf(sent[0]!);
    points.forEach(([x], i) => {
      if (Math.abs(x!) > 0.05) assert.equal(predicted[i], x! > 0 ? 1 : 0, `point ${i} at x ${x}`);
    });
    assert.deepEqual(Array.from(model.getWeights()[0]!.dataSync()), [-4, 0]);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), sent);
    assert.equal(tf.memory().numTensors, tensors);
    model.dispose();
    data.dispose();
  });

  it('leaks no tensors in a run: the count is the same after every epoch, with EarlyStopping keeping its best weights too', async () => {
    await selectBackend('auto');
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const text = moonsPair(12).replace('seed = 3', 'seed = 3\n  callbacks = [EarlyStopping(monitor=val_loss, patience=50, restore_best_weights=true)]');
    const events = await trainInProcess({ file: netFile(text), model: 'MLP' }, { stopRequested: false, afterEpoch: (n) => counts.push(n) });
    assert.deepEqual(failures(events), []);
    assert.equal(boundaries(events).length, 12);
    assert.equal(new Set(counts.slice(1)).size, 1, `tensors after each epoch: ${counts}`);
    assert.equal(tf.memory().numTensors, before);
  });

  it('sends each ensemble member\'s grids, written to boundary.json in the member\'s folder', async () => {
    const events = await trainInProcess({ file: netFile(BLOBS.replace('epochs = 8', 'epochs = 2\n  ensemble = 2')) });
    assert.deepEqual(failures(events), []);
    const done = events.filter((e): e is FinishedEvent => e.type === 'finished');
    assert.equal(done.length, 2);
    for (const member of [0, 1]) {
      const sent = boundaries(events).filter((e) => e.member === member);
      assert.deepEqual(sent.map((e) => e.epoch), [1, 2]);
      assert.ok(sent[0]!.points);
      const path = join(dirname(done[member]!.artifacts.model), BOUNDARY_FILE);
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), sent);
    }
  });

  it('is not sent for a model of three features, nor for regression on two', async () => {
    const three = await trainInProcess({ file: netFile(BLOBS.replace('input [2]', 'input [3]').replace('std=1.5', 'std=1.5, features=3').replace('epochs = 8', 'epochs = 2')) });
    assert.deepEqual(failures(three), []);
    assert.ok(three.some((e) => e.type === 'epoch'));
    assert.deepEqual(boundaries(three), []);
    const regression = await trainInProcess({
      file: netFile('model R {\n  input [2]\n  Dense(4, activation=relu)\n  Dense(1)\n}\ntrain R {\n  data = moons(samples=64)\n  loss = mean_squared_error\n  epochs = 2\n  seed = 1\n}\n'),
    });
    assert.deepEqual(failures(regression), []);
    assert.ok(regression.some((e) => e.type === 'finished'));
    assert.deepEqual(boundaries(regression), []);
  });
});
