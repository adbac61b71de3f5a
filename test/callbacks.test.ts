/**
 * The fit loop's concerns, one callback each (trainer/callbacks/): the list
 * that calls them, and each callback on its own — driven by hand where it
 * needs no model, inside a real tfjs fit on the cpu backend where it does.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import type { BatchEvent, EpochEvent, EvaluationEvent, StartedEvent, TrainerEvent } from '../protocol/training';
import type { RunHistory } from '../trainer/artifacts';
import { BestEpoch } from '../trainer/callbacks/bestEpoch';
import { RestoreBestWeights } from '../trainer/callbacks/bestWeights';
import { CallbackList, memberState, type Logs, type MemberState, type TrainingCallback } from '../trainer/callbacks/callback';
import { EarlyStop } from '../trainer/callbacks/earlyStop';
import { EpochClock } from '../trainer/callbacks/epochClock';
import { ProgressEvents } from '../trainer/callbacks/events';
import { HistoryWriter } from '../trainer/callbacks/historyWriter';
import { NanGuard } from '../trainer/callbacks/nanGuard';
import { LearningRateOnPlateau } from '../trainer/callbacks/plateau';
import { LearningRateSchedule } from '../trainer/callbacks/schedule';
import { Evaluation } from '../trainer/callbacks/evaluation';
import { ModelSaver } from '../trainer/callbacks/saveModel';
import { StopRequest } from '../trainer/callbacks/stopRequest';
import { buildModel } from '../trainer/buildModel';
import { prepareData } from '../trainer/dataset';
import { runTraining } from '../trainer/engine';
import { BestTracker, defaultBestRule, EarlyStopping, ReduceLROnPlateau } from '../trainer/monitors';
import { learningRateOf } from '../trainer/optimizers';
import { loadModel } from '../trainer/saveModel';
import { scratchFolders } from './support';

const scratch = scratchFolders('callbacks');
before(async () => {
  await tf.setBackend('cpu');
});

/** A member's state with an empty record, judged by the validation loss. */
const fresh = (): MemberState => memberState({ member: 0, seed: 1, epochs: [], batches: [] }, new BestTracker(defaultBestRule(true)));

/** A callback's resolved arguments, as the checker resolves them from the file. */
function callbackArgs(text: string) {
  const analysis = analyze(`model M {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain M {\n  data = xor()\n  loss = categorical_crossentropy\n  validation = 0.5\n  metrics = [accuracy]\n  callbacks = [${text}]\n}\n`);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  return analysis.trainBlocks[0]!.callbacks[0]!.args;
}

/** A tiny compiled model and data for it: `samples` rows of two features, a regression target. */
function tinyFit(samples = 8, learningRate = 0.01) {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
  const optimizer = tf.train.sgd(learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.tensor2d(Array.from({ length: samples * 2 }, (_, i) => (i % 5) / 5), [samples, 2]);
  const y = tf.tensor2d(Array.from({ length: samples }, (_, i) => i % 2), [samples, 1]);
  const dispose = () => {
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  };
  return { model, optimizer, x, y, dispose };
}

/** A callback that records every hook it hears, with the logs' names. */
function recorder(name: string, heard: string[]): TrainingCallback {
  const keys = (logs: Logs) => Object.keys(logs).sort().join(',');
  return {
    onTrainBegin: () => void heard.push(`${name}:train`),
    onEpochBegin: (epoch) => void heard.push(`${name}:epoch ${epoch}`),
    onBatchBegin: (batch) => void heard.push(`${name}:batch ${batch}`),
    onBatchEnd: (batch, logs) => void heard.push(`${name}:batch ${batch} end ${keys(logs)}`),
    onEpochEnd: (epoch, logs) => void heard.push(`${name}:epoch ${epoch} end ${keys(logs)}`),
    onTrainEnd: () => void heard.push(`${name}:train end`),
  };
}

describe('CallbackList', () => {
  it('calls each hook of a real fit on every callback, in the list order, with the renamed logs', async () => {
    const { model, x, y, dispose } = tinyFit(4);
    const heard: string[] = [];
    const rename = (logs: Logs): Logs => Object.fromEntries(Object.entries(logs).filter(([key]) => key !== 'batch' && key !== 'size').map(([key, value]) => [`my_${key}`, value]));
    const list = new CallbackList([recorder('a', heard), recorder('b', heard)], { rename });
    await model.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks: list.forFit() });
    dispose();
    const epoch = (n: number) => [
      `a:epoch ${n}`, `b:epoch ${n}`,
      'a:batch 0', 'b:batch 0', 'a:batch 0 end my_loss', 'b:batch 0 end my_loss',
      'a:batch 1', 'b:batch 1', 'a:batch 1 end my_loss', 'b:batch 1 end my_loss',
      `a:epoch ${n} end my_loss`, `b:epoch ${n} end my_loss`,
    ];
    assert.deepEqual(heard, ['a:train', 'b:train', ...epoch(0), ...epoch(1), 'a:train end', 'b:train end']);
  });

  it('calls no epoch-end hook once the fit has failed', async () => {
    const heard: string[] = [];
    let failed = false;
    const list = new CallbackList([recorder('a', heard)], { failed: () => failed });
    await list.onEpochEnd(0, { loss: 1 });
    failed = true;
    await list.onEpochEnd(1, { loss: 1 });
    await list.onTrainEnd();
    assert.deepEqual(heard, ['a:epoch 0 end loss', 'a:train end']);
  });
});

describe('EpochClock', () => {
  it('measures the epoch and reads the rate it ran at', () => {
    const state = fresh();
    const optimizer = tf.train.adam(0.004);
    let now = 1000;
    const clock = new EpochClock(state, optimizer, () => now);
    clock.onEpochBegin();
    now = 3500;
    clock.onEpochEnd();
    assert.equal(state.epoch.seconds, 2.5);
    assert.equal(state.epoch.learningRate, 0.004);
    optimizer.dispose();
  });
});

describe('LearningRateSchedule', () => {
  it('gives every batch the rate for the steps so far and the epoch under way', () => {
    const optimizer = tf.train.adam(1);
    const asked: [number, number][] = [];
    const schedule = new LearningRateSchedule(optimizer, (step, epoch) => {
      asked.push([step, epoch]);
      return 0.1 / (step + 1);
    });
    for (const epoch of [0, 1]) {
      schedule.onEpochBegin(epoch);
      for (let batch = 0; batch < 3; batch++) {
        schedule.onBatchBegin();
        schedule.onBatchEnd();
      }
    }
    assert.deepEqual(asked, [[0, 0], [1, 0], [2, 0], [3, 1], [4, 1], [5, 1]]);
    assert.equal(learningRateOf(optimizer), 0.1 / 6);
    optimizer.dispose();
  });
});

describe('BestEpoch', () => {
  it('without EarlyStopping: the lowest validation loss so far', () => {
    const state = fresh();
    const judge = new BestEpoch(state);
    const improved = [1, 0.5, 0.7, 0.4].map((value, epoch) => {
      judge.onEpochEnd(epoch, { loss: 1, val_loss: value });
      assert.equal(state.epoch.stop, false);
      return state.epoch.improved;
    });
    assert.deepEqual(improved, [true, true, false, true]);
    assert.equal(state.best.best?.epoch, 4);
  });

  it("with EarlyStopping: its tracker's best and its patience", () => {
    const early = new EarlyStopping(callbackArgs('EarlyStopping(monitor=val_acc, patience=1)'));
    const state = memberState({ member: 0, seed: 1, epochs: [], batches: [] }, early.best);
    const judge = new BestEpoch(state, early);
    const decisions = [0.5, 0.8, 0.7].map((value, epoch) => {
      judge.onEpochEnd(epoch, { val_acc: value });
      return state.epoch.stop ? 'stop' : state.epoch.improved ? 'improved' : 'wait';
    });
    assert.deepEqual(decisions, ['improved', 'improved', 'stop']);
    assert.equal(state.best.best?.epoch, 2);
  });
});

describe('HistoryWriter', () => {
  const history = (): RunHistory => ({ model: 'M', file: 'm.net', startedAt: '', backend: 'cpu', classes: [], members: [] });

  it("records batches and epochs and has the run's whole history on disk at each epoch's end", () => {
    const state = fresh();
    const run = history();
    run.members.push(state.record);
    const path = join(scratch(), 'history.json');
    const writer = new HistoryWriter(state, run, path);
    writer.onEpochBegin(0);
    writer.onBatchEnd(0, { loss: 2 });
    writer.onBatchEnd(1, { loss: 1 });
    state.epoch = { seconds: 0.5, learningRate: 0.01, improved: true, stop: false };
    state.best.offer(1, { val_loss: 0.9 });
    writer.onEpochEnd(0, { loss: 1.5, val_loss: 0.9 });
    const written = JSON.parse(readFileSync(path, 'utf8')) as RunHistory;
    assert.deepEqual(written.members[0]!.batches, [{ epoch: 1, batch: 1, metrics: { loss: 2 } }, { epoch: 1, batch: 2, metrics: { loss: 1 } }]);
    assert.deepEqual(written.members[0]!.epochs, [{ epoch: 1, metrics: { loss: 1.5, val_loss: 0.9 }, learningRate: 0.01, seconds: 0.5, best: { monitor: 'val_loss', mode: 'min', minDelta: 0, epoch: 1, value: 0.9 } }]);
    assert.equal(written.members[0]!.reason, undefined);
  });

  it('writes how the member ended: its reason, best epoch and restored weights, or that it failed', () => {
    for (const nanAt of [undefined, { epoch: 1, batch: 1 }]) {
      const state = fresh();
      const run = history();
      run.members.push(state.record);
      const path = join(scratch(), 'history.json');
      const writer = new HistoryWriter(state, run, path);
      state.best.offer(1, { val_loss: 0.3 });
      Object.assign(state, { reason: 'early-stopping', restored: true, nanAt });
      writer.onTrainEnd();
      const member = (JSON.parse(readFileSync(path, 'utf8')) as RunHistory).members[0]!;
      assert.equal(member.reason, nanAt ? 'failed' : 'early-stopping');
      assert.equal(member.bestEpoch, 1);
      assert.equal(member.best?.value, 0.3);
      assert.equal(member.restored, true);
    }
  });
});

describe('ProgressEvents', () => {
  it('sends each batch and epoch, with the epoch 1-based, its speed and the best epoch so far', () => {
    const state = fresh();
    const events: TrainerEvent[] = [];
    const progress = new ProgressEvents(state, (event) => events.push(event), { model: 'M', member: 1 }, { epochs: 5, samples: 100 });
    progress.onEpochBegin(2);
    progress.onBatchEnd(0, { loss: 1 });
    state.epoch = { seconds: 4, learningRate: 0.1, improved: false, stop: false };
    progress.onEpochEnd(2, { loss: 1 });
    assert.deepEqual(events, [
      { type: 'batch', model: 'M', member: 1, epoch: 3, batch: 1, metrics: { loss: 1 } },
      { type: 'epoch', model: 'M', member: 1, epoch: 3, epochs: 5, metrics: { loss: 1 }, learningRate: 0.1, seconds: 4, samplesPerSecond: 25 },
    ]);
    state.best.offer(3, { val_loss: 0.5 });
    progress.onEpochEnd(2, { loss: 1, val_loss: 0.5 });
    assert.deepEqual((events[2] as EpochEvent).best, state.best.best);
  });
});

describe('NanGuard', () => {
  it('ends the fit after the batch whose loss is not a number, and says where', () => {
    const state = fresh();
    const model = { stopTraining: false };
    const guard = new NanGuard(state, model);
    guard.onEpochBegin(1);
    guard.onBatchEnd(0, { loss: 0.5 });
    assert.equal(state.nanAt, undefined);
    assert.equal(model.stopTraining, false);
    guard.onBatchEnd(1, { loss: Infinity });
    assert.deepEqual(state.nanAt, { epoch: 2, batch: 2 });
    assert.equal(model.stopTraining, true);
    const missing = fresh();
    new NanGuard(missing, { stopTraining: false }).onBatchEnd(0, {});
    assert.deepEqual(missing.nanAt, { epoch: 0, batch: 1 });
  });

  it('in a real fit on data with a NaN: the first batch ends it, and no epoch ends', async () => {
    const { model, y, dispose } = tinyFit(4);
    const x = tf.tensor2d([NaN, 1, 1, 1, 1, 1, 1, 1], [4, 2]);
    const state = fresh();
    const heard: string[] = [];
    const list = new CallbackList([new NanGuard(state, model), recorder('r', heard)], { failed: () => state.nanAt !== undefined });
    await model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: list.forFit() });
    x.dispose();
    dispose();
    assert.deepEqual(state.nanAt, { epoch: 1, batch: 1 });
    assert.deepEqual(heard.filter((hook) => hook.includes('end')), ['r:batch 0 end batch,loss,size', 'r:train end']);
  });
});

describe('EarlyStop', () => {
  it("ends the fit when patience runs out, keeping a parent's stop as the reason", () => {
    for (const [before, after] of [['completed', 'early-stopping'], ['stopped', 'stopped']] as const) {
      const state = fresh();
      const model = { stopTraining: false };
      const stop = new EarlyStop(state, model);
      state.reason = before;
      stop.onEpochEnd();
      assert.equal(model.stopTraining, false);
      state.epoch.stop = true;
      stop.onEpochEnd();
      assert.equal(model.stopTraining, true);
      assert.equal(state.reason, after);
    }
  });
});

describe('RestoreBestWeights', () => {
  it("keeps the best epoch's weights and puts them back when patience runs out, leaving no tensor behind", async () => {
    const { model, dispose } = tinyFit();
    const tensors = tf.memory().numTensors;
    const state = fresh();
    const restore = new RestoreBestWeights(state, model);
    const kernel = () => Array.from(model.getWeights()[0]!.dataSync());
    state.epoch.improved = true;
    restore.onEpochEnd();
    const zeros = model.getWeights().map((weight) => tf.zerosLike(weight));
    model.setWeights(zeros);
    tf.dispose(zeros);
    state.epoch.improved = false;
    restore.onEpochEnd();
    assert.deepEqual(kernel(), [0, 0]);
    assert.equal(state.restored, false);
    state.epoch.stop = true;
    restore.onEpochEnd();
    assert.deepEqual(kernel(), [1, 1]);
    assert.equal(state.restored, true);
    restore.onTrainEnd();
    assert.equal(tf.memory().numTensors, tensors);
    dispose();
  });
});

describe('LearningRateOnPlateau', () => {
  it('lowers the rate by its factor once its monitor stops improving for `patience` epochs', () => {
    const optimizer = tf.train.sgd(0.1);
    const plateau = new LearningRateOnPlateau(new ReduceLROnPlateau(callbackArgs('ReduceLROnPlateau(monitor=val_loss, factor=0.5, patience=1)')), optimizer);
    const rates = [1, 0.5, 0.6, 0.7].map((value, epoch) => {
      plateau.onEpochEnd(epoch, { val_loss: value });
      return learningRateOf(optimizer);
    });
    assert.deepEqual(rates, [0.1, 0.1, 0.05, 0.025]);
    optimizer.dispose();
  });
});

describe('StopRequest', () => {
  it("ends the fit after the batch the parent asked during, unless that batch failed, and tells the tests' probe", () => {
    const control = { stopRequested: false, counts: [] as number[], afterEpoch(tensors: number) { this.counts.push(tensors); } };
    const state = fresh();
    const model = { stopTraining: false };
    const stop = new StopRequest(control, state, model);
    stop.onBatchEnd(0, { loss: 1 });
    assert.equal(model.stopTraining, false);
    control.stopRequested = true;
    state.nanAt = { epoch: 1, batch: 2 };
    stop.onBatchEnd(1, { loss: NaN });
    assert.equal(state.reason, 'completed');
    state.nanAt = undefined;
    stop.onBatchEnd(1, { loss: 1 });
    assert.equal(state.reason, 'stopped');
    assert.equal(model.stopTraining, true);
    stop.onEpochEnd();
    assert.deepEqual(control.counts, [tf.memory().numTensors]);
  });

  it('in a real fit: the batch under way when the stop came is the last one', async () => {
    const { model, x, y, dispose } = tinyFit(8);
    const control = { stopRequested: false };
    const state = fresh();
    let batches = 0;
    const requestAtSecond: TrainingCallback = { onBatchBegin: () => void (++batches === 2 && (control.stopRequested = true)) };
    const list = new CallbackList([requestAtSecond, new StopRequest(control, state, model)]);
    await model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: list.forFit() });
    dispose();
    assert.equal(batches, 2);
    assert.equal(state.reason, 'stopped');
  });
});

describe('the engine\'s callbacks together', () => {
  it("have each epoch on disk before its event, and the best epoch in both", async () => {
    const dir = scratch();
    const file = join(dir, 'xor.net');
    const text = 'model X {\n  input [2]\n  Dense(8, activation=relu)\n  Dense(2, activation=softmax)\n}\ntrain X {\n  data = xor()\n  loss = categorical_crossentropy\n  validation = 0.5\n  epochs = 3\n  batch_size = 2\n  seed = 1\n}\n';
    let runDir = '';
    const seen: number[] = [];
    const events: TrainerEvent[] = [];
    await runTraining({ type: 'start', file, text, runsDir: join(dir, 'runs') }, (event) => {
      events.push(event);
      if (event.type === 'started') runDir = (event as StartedEvent).runDir;
      if (event.type !== 'epoch') return;
      const onDisk = (JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')) as RunHistory).members[0]!.epochs;
      assert.equal(onDisk.length, event.epoch);
      assert.deepEqual(onDisk.at(-1)!.best, event.best);
      assert.deepEqual(onDisk.at(-1)!.metrics, event.metrics);
      seen.push(event.epoch);
    }, { stopRequested: false });
    assert.deepEqual(events.filter((e) => e.type === 'failed'), []);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.ok(events.some((e): e is BatchEvent => e.type === 'batch' && e.epoch === 3));
  });
});

describe('ModelSaver', () => {
  it('saves the model as the fit left it, and nothing for a member that failed', async () => {
    const { model, dispose } = tinyFit();
    const state = fresh();
    const dir = join(scratch(), 'member');
    await new ModelSaver(state, model, dir).onTrainEnd();
    assert.equal(state.saved?.modelJson, join(dir, 'model.json'));
    const loaded = await loadModel(dir);
    assert.deepEqual(Array.from(loaded.getWeights()[0]!.dataSync()), [1, 1]);
    loaded.dispose();
    const failedState = { ...fresh(), nanAt: { epoch: 1, batch: 1 } };
    const failedDir = join(scratch(), 'failed');
    await new ModelSaver(failedState, model, failedDir).onTrainEnd();
    assert.equal(failedState.saved, undefined);
    assert.equal(existsSync(failedDir), false);
    dispose();
  });
});

describe('Evaluation', () => {
  it('evaluates a classifier that trained an epoch, into evaluation.json and the history', async () => {
    const analysis = analyze('model X {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain X {\n  data = xor()\n  loss = categorical_crossentropy\n  validation = 0.5\n}\n');
    const block = analysis.trainBlocks[0]!;
    const data = await prepareData(block, block.models[0]!, { baseDir: scratch(), seed: 1 });
    const model = buildModel(block.models[0]!);
    const path = join(scratch(), 'evaluation.json');
    const run = (state: MemberState) => {
      let writes = 0;
      new Evaluation(state, model, data, { batchSize: 4, label: { model: 'X', member: 2 }, path, writeHistory: () => void writes++ }).onTrainEnd();
      return writes;
    };
    const untrained = fresh();
    assert.equal(run(untrained), 0);
    assert.equal(untrained.evaluation, undefined);
    const failedState = { ...fresh(), nanAt: { epoch: 1, batch: 1 } };
    failedState.record.epochs.push({ epoch: 1, metrics: {}, learningRate: 0.1, seconds: 1 });
    assert.equal(run(failedState), 0);
    assert.equal(existsSync(path), false);
    const state = fresh();
    state.record.epochs.push({ epoch: 1, metrics: {}, learningRate: 0.1, seconds: 1 });
    assert.equal(run(state), 1);
    const written = JSON.parse(readFileSync(path, 'utf8')) as EvaluationEvent;
    assert.deepEqual(state.evaluation, { event: written, path });
    assert.equal(written.type, 'evaluation');
    assert.equal(written.member, 2);
    assert.equal(written.confusion.flat().reduce((a, b) => a + b, 0), data.validation!.count);
    const { type, ...inHistory } = written;
    assert.equal(type, 'evaluation');
    assert.deepEqual(state.record.evaluation, inHistory);
    model.dispose();
    data.dispose();
  });
});
