/**
 * The training engine, in process where the test needs to look inside
 * (tensor counts) and as its own process where the test is about the
 * process (stop, kill, the protocol). The course's results are tests here:
 * XOR needs a hidden layer, an MLP learns the digits, a seed repeats a run.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import type { EpochEvent, FailedEvent, FinishedEvent, StartedEvent, TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { prepareData } from '../trainer/dataset';
import type { Control } from '../trainer/engine';
import { TrainingProcess } from '../trainer/process';
import { loadModel } from '../trainer/saveModel';
import { projectExamples, repoRoot } from './support';
import { trainingFiles } from './trainHelpers';

const { scratch, netFile, trainInProcess } = trainingFiles('train');



/** Whether a native TensorFlow.js package can be loaded in this process. */
function loadable(name: 'tfjs-node-gpu' | 'tfjs-node'): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(`@tensorflow/${name}`);
    return true;
  } catch {
    return false;
  }
}

const finished = (events: TrainerEvent[]) => events.filter((e): e is FinishedEvent => e.type === 'finished');
const failed = (events: TrainerEvent[]) => events.filter((e): e is FailedEvent => e.type === 'failed');
const epochs = (events: TrainerEvent[]) => events.filter((e): e is EpochEvent => e.type === 'epoch');

const BLOBS = (settings: string, model = 'Dense(3, activation=softmax)') => `model Blobs {
  input [2]
  Dense(16, activation=relu)
  ${model}
}

train Blobs {
  data = blobs(samples=240, centers=3, std=0.8)
  validation = 0.25
  loss = categorical_crossentropy
  metrics = [accuracy]
  batch_size = 16
  seed = 3
  ${settings}
}
`;

describe('training: the course\'s results', () => {
  it('the XOR MLP reaches 100% accuracy while logistic regression stays at or under 75%', async () => {
    const events = await trainInProcess({ file: join(projectExamples, 'xor.net') });
    assert.deepEqual(failed(events), []);
    const [logistic, mlp] = finished(events);
    assert.equal(logistic!.model, 'XorLogistic');
    assert.equal(mlp!.model, 'XorMLP');
    assert.ok(logistic!.metrics['acc']! <= 0.75, `logistic accuracy ${logistic!.metrics['acc']}`);
    assert.equal(mlp!.metrics['acc'], 1);
  });

  it('the same seed twice gives the same history', async () => {
    const file = netFile(BLOBS('epochs = 4\n  optimizer = Adam(learning_rate=0.01)', 'Dropout(0.2)\n  Dense(3, activation=softmax)'));
    const first = epochs(await trainInProcess({ file })).map((e) => e.metrics);
    const second = epochs(await trainInProcess({ file })).map((e) => e.metrics);
    assert.equal(first.length, 4);
    assert.deepEqual(first, second);
    const other = epochs(await trainInProcess({ file: netFile(BLOBS('epochs = 4\n  optimizer = Adam(learning_rate=0.01)').replace('seed = 3', 'seed = 4')) }));
    assert.notDeepEqual(other.map((e) => e.metrics), first);
  });

  it('an MLP on mnist() reaches 90% validation accuracy', async () => {
    const file = netFile(`model Digits {
  input [784]
  Dense(128, activation=relu)
  Dense(10, activation=softmax)
}

train Digits {
  data = mnist(samples=6000)
  validation = 0.2
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.002)
  metrics = [accuracy]
  epochs = 6
  batch_size = 64
  seed = 1
}
`);
    const events = await trainInProcess({ file });
    assert.deepEqual(failed(events), []);
    const last = finished(events)[0]!;
    assert.ok(last.metrics['val_acc']! >= 0.9, `val_acc ${last.metrics['val_acc']}`);
  });
});

describe('training: settings', () => {
  it('records the learning rate every epoch and follows StepDecay', async () => {
    const events = await trainInProcess({ file: netFile(BLOBS('epochs = 4\n  optimizer = SGD(learning_rate=0.1, momentum=0.9, nesterov=true)\n  schedule = StepDecay(factor=0.5, every=2)')) });
    assert.deepEqual(epochs(events).map((e) => e.learningRate), [0.1, 0.1, 0.05, 0.05]);
  });

  it('ExponentialDecay lowers the rate by steps; ReduceLROnPlateau and EarlyStopping act on val_loss', async () => {
    const decay = epochs(await trainInProcess({ file: netFile(BLOBS('epochs = 3\n  schedule = ExponentialDecay(decay_steps=12, decay_rate=0.5)')) }));
    assert.ok(decay[0]!.learningRate < 0.001 && decay[2]!.learningRate < decay[0]!.learningRate);
    const plateau = await trainInProcess({
      file: netFile(
        BLOBS('epochs = 30\n  optimizer = Adam(learning_rate=0.05)\n  callbacks = [ReduceLROnPlateau(monitor=val_loss, factor=0.5, patience=1, min_delta=0.5), EarlyStopping(monitor=val_loss, patience=3, min_delta=0.5, restore_best_weights=true)]'),
      ),
    });
    const rates = epochs(plateau).map((e) => e.learningRate);
    assert.ok(rates.some((rate) => rate < 0.05), `rates ${rates}`);
    const done = finished(plateau)[0]!;
    assert.equal(done.reason, 'early-stopping');
    assert.ok(done.epochs < 30);
  });

  it('trains an ensemble and reports each member and the averaged prediction', async () => {
    const file = netFile(BLOBS('epochs = 3\n  ensemble = 3'));
    const events = await trainInProcess({ file });
    const done = finished(events);
    assert.equal(done.length, 3);
    assert.deepEqual(done.map((e) => e.member), [0, 1, 2]);
    const ensemble = done[2]!.ensemble!;
    const started = events.filter((e): e is StartedEvent => e.type === 'started');
    assert.equal(new Set(started.map((e) => e.runDir)).size, 1);

    // The same figures worked out here from the saved members' predictions on the run's validation split.
    const block = analyze(readFileSync(file, 'utf8')).trainBlocks[0]!;
    const data = await prepareData(block, block.models[0]!, { baseDir: dirname(file), seed: block.seed! });
    const members = await Promise.all(done.map((event) => loadModel(dirname(event.artifacts.model))));
    try {
      const x = data.validation!.x;
      const actual = Array.from(tf.tidy(() => (data.validation!.y as tf.Tensor2D).argMax(-1)).dataSync());
      const predictions = members.map((model) => tf.tidy(() => model.predict(x) as tf.Tensor).arraySync() as number[][]);
      const accuracy = (rows: number[][]) => rows.filter((row, i) => row.indexOf(Math.max(...row)) === actual[i]).length / rows.length;
      const averaged = predictions[0]!.map((row, i) => row.map((_, k) => predictions.reduce((sum, member) => sum + member[i]![k]!, 0) / members.length));
      assert.equal(actual.length, 60);
      assert.deepEqual(ensemble.memberAccuracy.map((a) => a.toFixed(6)), predictions.map((rows) => accuracy(rows).toFixed(6)));
      assert.equal(ensemble.averagedAccuracy.toFixed(6), accuracy(averaged).toFixed(6));
      // Three well-separated blobs are learnt well past chance (a third) in three epochs.
      assert.ok(ensemble.averagedAccuracy > 0.6, `averaged accuracy ${ensemble.averagedAccuracy}`);
    } finally {
      for (const model of members) model.dispose();
      data.dispose();
    }
  });

  it('says which backend runs and why the faster ones did not load', async () => {
    const events = await trainInProcess({ file: netFile(BLOBS('epochs = 1')) });
    const started = events.find((e): e is StartedEvent => e.type === 'started')!;
    // Under auto, the first native package that loads here, else wasm; the ones before it are skipped.
    const natives = ['tfjs-node-gpu', 'tfjs-node'] as const;
    const loads = natives.findIndex(loadable);
    assert.equal(started.backend, loads < 0 ? 'wasm' : natives[loads]);
    assert.deepEqual(started.skipped.map((s) => s.backend), loads < 0 ? natives : natives.slice(0, loads));
    assert.ok(started.skipped.every((s) => s.reason.length > 10));
    assert.deepEqual(started.classes, [0, 1, 2]);
    assert.equal(started.data.train + started.data.validation, 240);
  });
});

describe('training: tensors, artifacts and failures', () => {
  // Tensor counts are read before any run: the backend must be up first.
  before(() => selectBackend('auto'));

  it('leaks no tensors: the count is the same after every epoch and after the run', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const events = await trainInProcess({ file: netFile(BLOBS('epochs = 5\n  callbacks = [EarlyStopping(monitor=val_loss, patience=10, restore_best_weights=true)]')) }, { stopRequested: false, afterEpoch: (n) => counts.push(n) });
    assert.deepEqual(failed(events), []);
    assert.equal(new Set(counts.slice(1)).size, 1, `tensors after each epoch: ${counts}`);
    assert.equal(tf.memory().numTensors, before);
  });

  it('leaks no tensors across a stop and a failed run', async () => {
    const before = tf.memory().numTensors;
    // The stop arrives after the first epoch and takes effect after the next batch.
    const control: Control = { stopRequested: false, afterEpoch: () => void (control.stopRequested = true) };
    const stopped = finished(await trainInProcess({ file: netFile(BLOBS('epochs = 50')) }, control))[0]!;
    assert.equal(stopped.reason, 'stopped');
    assert.ok(stopped.epochs < 50);
    // A linear output under squared error overflows where cross-entropy would be clipped.
    const nan = await trainInProcess({
      file: netFile('model R {\n  input [2]\n  Dense(8)\n  Dense(1)\n}\ntrain R {\n  data = blobs(samples=64, centers=3)\n  loss = mean_squared_error\n  optimizer = SGD(learning_rate=1e30)\n  epochs = 5\n  seed = 1\n}\n'),
    });
    assert.match(failed(nan)[0]!.message, /NaN at epoch \d+, batch \d+/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('ends a model too large for memory with a message, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const events = await trainInProcess({
      file: netFile('model Huge {\n  input [2]\n  Dense(3000000000)\n  Dense(1, activation=sigmoid)\n}\ntrain Huge {\n  data = xor()\n  loss = binary_crossentropy\n  epochs = 1\n}\n'),
    });
    assert.deepEqual(events.map((e) => e.type), ['failed']);
    assert.match(failed(events)[0]!.message, /^out of memory: .*try a smaller batch_size or model/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('writes history, settings, summary and the model; the history is readable JSON', async () => {
    const runsDir = join(scratch(), 'runs');
    const events = await trainInProcess({ file: netFile(BLOBS('epochs = 2')), runsDir });
    const done = finished(events)[0]!;
    for (const path of [done.artifacts.history, done.artifacts.settings, done.artifacts.summary, done.artifacts.model]) assert.ok(existsSync(path), path);
    const history = JSON.parse(readFileSync(done.artifacts.history, 'utf8'));
    assert.equal(history.members[0].epochs.length, 2);
    assert.ok(history.members[0].batches.length >= 2 * 12);
    assert.match(readFileSync(done.artifacts.summary, 'utf8'), /Total params: 99/);
    assert.equal(JSON.parse(readFileSync(done.artifacts.settings, 'utf8')).written.data, 'blobs(samples=240, centers=3, std=0.8)');
    assert.ok(readdirSync(done.artifacts.runDir).every((name) => !name.endsWith('.tmp')));
  });

  it('refuses a file with errors, pointing at the first one', async () => {
    const events = await trainInProcess({ file: netFile('model M {\n  input [2]\n  Dense(0)\n}\ntrain M {\n  data = xor()\n  loss = mse\n}\n') });
    assert.deepEqual(events.map((e) => e.type), ['failed']);
    assert.equal(failed(events)[0]!.line, 3);
    assert.match(failed(events)[0]!.message, /argument-range/);
  });

  it('ends cleanly with a positioned message for bad data', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'ragged.csv'), 'label,a,b\n0,1,2\n1,3\n');
    writeFileSync(join(dir, 'text.csv'), 'label,a,b\n0,1,2\n1,x,4\n');
    const model = (data: string) => `model M {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain M {\n  data = ${data}\n  loss = categorical_crossentropy\n  epochs = 1\n}\n`;
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const ragged = failed(await trainInProcess({ file: write('a.net', model('csv("ragged.csv")')) }))[0]!;
    assert.equal(ragged.line, 3);
    assert.match(ragged.file!, /ragged\.csv$/);
    const text = failed(await trainInProcess({ file: write('b.net', model('csv("text.csv")')) }))[0]!;
    assert.deepEqual([text.line, text.column], [3, 2]);
    const missing = failed(await trainInProcess({ file: write('c.net', model('csv("absent.csv")')) }))[0]!;
    assert.match(missing.message, /absent\.csv/);
    const classes = failed(await trainInProcess({ file: write('d.net', model('blobs(centers=4)')) }));
    assert.equal(classes.length, 1);
    // A mismatch of the data as a whole is shown at the data setting of the .net file.
    const autoencoder = 'model AE {\n  input [784]\n  Dense(784, activation=sigmoid)\n}\ntrain AE {\n  data = mnist(samples=100)\n  loss = mse\n}\n';
    const whole = failed(await trainInProcess({ file: write('e.net', autoencoder) }))[0]!;
    assert.deepEqual([whole.file?.endsWith('e.net'), whole.line, whole.column], [true, 6, 10]);
    assert.match(whole.message, /one label column but the output layer has 784 units/);
  });
});

describe('training: a process of its own', () => {
  const script = join(repoRoot, 'out', 'trainer', 'child.js');

  it('streams the protocol and stops after the current batch, keeping what was trained', async () => {
    const file = netFile(BLOBS('epochs = 200'));
    const trainer = new TrainingProcess({ type: 'start', file, runsDir: join(scratch(), 'runs') }, script);
    trainer.onEvent((event) => {
      if (event.type === 'epoch' && event.epoch === 2) trainer.stop();
    });
    const { events, exitCode } = await trainer.done;
    assert.equal(exitCode, 0);
    assert.equal(events[0]!.type, 'started');
    assert.ok(events.some((e) => e.type === 'batch'));
    const done = finished(events)[0]!;
    assert.equal(done.reason, 'stopped');
    assert.ok(done.epochs >= 2 && done.epochs < 200);
    assert.ok(existsSync(done.artifacts.model));
  });

  it('a killed run leaves a readable history up to its last epoch', async () => {
    const runsDir = join(scratch(), 'runs');
    const trainer = new TrainingProcess({ type: 'start', file: netFile(BLOBS('epochs = 500')), runsDir }, script);
    let runDir = '';
    trainer.onEvent((event) => {
      if (event.type === 'started') runDir = event.runDir;
      if (event.type === 'epoch' && event.epoch === 3) trainer.kill();
    });
    const { events } = await trainer.done;
    assert.match(failed(events)[0]!.message, /ended at once, as asked, without saving the model/);
    assert.equal(failed(events)[0]!.runDir, runDir);
    const history = JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8'));
    assert.ok(history.members[0].epochs.length >= 3);
  });

  it('SIGTERM stops after the current batch and keeps the model, like a stop request', async () => {
    const trainer = new TrainingProcess({ type: 'start', file: netFile(BLOBS('epochs = 500')), runsDir: join(scratch(), 'runs') }, script);
    trainer.onEvent((event) => {
      if (event.type === 'epoch' && event.epoch === 2) process.kill(trainer.pid!, 'SIGTERM');
    });
    const { events, exitCode } = await trainer.done;
    assert.deepEqual(failed(events), []);
    assert.equal(exitCode, 0);
    const done = finished(events)[0]!;
    assert.equal(done.reason, 'stopped');
    assert.ok(existsSync(done.artifacts.model));
    const history = JSON.parse(readFileSync(done.artifacts.history, 'utf8'));
    assert.equal(history.members[0].epochs.length, done.epochs);
  });

  it('a trainer killed by someone else ends the run with a message that says how, and names the run folder', async () => {
    const trainer = new TrainingProcess({ type: 'start', file: netFile(BLOBS('epochs = 500')), runsDir: join(scratch(), 'runs') }, script);
    let runDir = '';
    trainer.onEvent((event) => {
      if (event.type === 'started') runDir = event.runDir;
      if (event.type === 'epoch' && event.epoch === 2) process.kill(trainer.pid!, 'SIGKILL');
    });
    const { events } = await trainer.done;
    const [failure] = failed(events);
    assert.match(failure!.message, /killed \(SIGKILL\)/);
    assert.equal(failure!.runDir, runDir);
  });
});
