/**
 * One best epoch for a run, decided by the trainer as Keras decides it
 * (EarlyStopping's monitor, mode and min_delta; val_loss otherwise), and
 * named alike by the finished event, the history, the saved weights, the
 * panel's marker, a stored run replayed and the editor's lens. Real seeded
 * training on the cpu backend; the restored weights are held against the
 * epoch they are said to be by evaluating the saved model on the
 * validation data.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze, runLensTitle } from '../core';
import { lastRun, modelRun } from '../host/runs';
import type { RunHistory } from '../protocol/history';
import type { EpochEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { prepareData } from '../trainer/dataset';
import { runTraining } from '../trainer/engine';
import { loadModel } from '../trainer/saveModel';
import { scratchFolders } from './support';

const scratch = scratchFolders('best');

/**
 * Overlapping blobs learnt slowly: the validation loss keeps falling by
 * less and less while the validation accuracy peaks earlier, so the lowest
 * val_loss, the best val_acc and the best val_loss by a min_delta are three
 * different epochs.
 */
const net = (callbacks: string) => `model Blobs {
  input [2]
  Dense(16, activation=relu)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=240, centers=3, std=2.5)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.003)
  metrics = [accuracy]
  batch_size = 16
  epochs = 30
  seed = 2
  callbacks = [${callbacks}]
}
`;

interface Trained {
  file: string;
  runsDir: string;
  events: TrainerEvent[];
  epochs: EpochEvent[];
  finished: FinishedEvent;
}

async function train(callbacks: string): Promise<Trained> {
  const dir = scratch();
  const file = join(dir, 'blobs.net');
  writeFileSync(file, net(callbacks));
  const runsDir = join(dir, 'runs');
  const events: TrainerEvent[] = [];
  await runTraining({ type: 'start', file, runsDir, backend: 'cpu' }, (event) => events.push(event), { stopRequested: false });
  const finished = events.find((e): e is FinishedEvent => e.type === 'finished');
  assert.ok(finished, JSON.stringify(events.filter((e) => e.type === 'failed')));
  return { file, runsDir, events, epochs: events.filter((e): e is EpochEvent => e.type === 'epoch'), finished };
}

/** The saved model's val_loss and val_acc on the run's own validation split (the same seed draws the same split). */
async function evaluateSaved(run: Trained): Promise<{ val_loss: number; val_acc: number }> {
  const block = analyze(readFileSync(run.file, 'utf8')).trainBlocks[0]!;
  const data = await prepareData(block, block.models[0]!, { baseDir: dirname(run.file), seed: block.seed! });
  const model = await loadModel(dirname(run.finished.artifacts.model));
  try {
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const [loss, acc] = (model.evaluate(data.validation!.x, data.validation!.y, { batchSize: 16 }) as tf.Scalar[]).map((t) => {
      const value = t.dataSync()[0]!;
      t.dispose();
      return value;
    });
    return { val_loss: loss!, val_acc: acc! };
  } finally {
    model.dispose();
    data.dispose();
  }
}

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${what}: ${actual}, expected ${expected}`);

/** The epoch Keras's EarlyStopping would call best, worked out here from the recorded values. */
function kerasBest(epochs: EpochEvent[], monitor: string, mode: 'min' | 'max', minDelta: number): number {
  let best = 0;
  let value = mode === 'min' ? Infinity : -Infinity;
  for (const epoch of epochs) {
    const current = epoch.metrics[monitor]!;
    if (mode === 'min' ? current < value - minDelta : current > value + minDelta) {
      best = epoch.epoch;
      value = current;
    }
  }
  return best;
}

const lowestValLoss = (epochs: EpochEvent[]): number => epochs.reduce((a, b) => (b.metrics['val_loss']! < a.metrics['val_loss']! ? b : a)).epoch;

/** The best epoch the panel marks after the events, and the one it marked after each epoch event. */
async function panelBest(events: TrainerEvent[]): Promise<{ best: { epoch: number; metric: string; restored?: boolean } | undefined; live: (number | undefined)[] }> {
  const { RunState } = await import('../webview/runState.mjs');
  const state = new RunState();
  const live: (number | undefined)[] = [];
  for (const event of events) {
    state.apply(event);
    if (event.type === 'epoch') live.push(state.current?.best?.epoch);
  }
  return { best: state.current?.best, live };
}

/** The common checks of a run whose EarlyStopping restored its best weights. */
async function assertRestored(run: Trained, rule: { monitor: string; mode: 'min' | 'max'; minDelta: number }): Promise<void> {
  const { finished, epochs } = run;
  assert.equal(finished.reason, 'early-stopping');
  const best = finished.bestEpoch;
  assert.ok(best >= 1 && best <= epochs.length, `best epoch ${best}`);

  // The saved weights are the best epoch's: evaluated again, they give its recorded validation values, not the last epoch's.
  const saved = await evaluateSaved(run);
  const recorded = epochs[best - 1]!.metrics;
  near(saved.val_loss, recorded['val_loss']!, `val_loss of the saved model against epoch ${best}'s`);
  near(saved.val_acc, recorded['val_acc']!, `val_acc of the saved model against epoch ${best}'s`);
  assert.ok(Math.abs(saved.val_loss - epochs.at(-1)!.metrics['val_loss']!) > 1e-3, 'the saved model is not the last epoch\'s');
  assert.deepEqual(finished.metrics, recorded);

  // That epoch is the one Keras's rule picks, and the run says by which rule and that it restored it.
  assert.equal(best, kerasBest(epochs, rule.monitor, rule.mode, rule.minDelta));
  assert.deepEqual(finished.best, { ...rule, epoch: best, value: epochs[best - 1]!.metrics[rule.monitor] });
  assert.equal(finished.restored, true);
  // The run is one where the choice matters: the weights come from before the end, and the lowest val_loss is elsewhere.
  assert.ok(best < finished.epochs, `best epoch ${best} of ${finished.epochs}`);
  assert.notEqual(lowestValLoss(epochs), best);

  // Each epoch event carries the best epoch so far; the last one's is the run's.
  for (const epoch of epochs) assert.equal(epoch.best?.epoch, kerasBest(epochs.slice(0, epoch.epoch), rule.monitor, rule.mode, rule.minDelta), `best after epoch ${epoch.epoch}`);
  assert.deepEqual(epochs.at(-1)!.best, finished.best);

  // The history says the same.
  const history = JSON.parse(readFileSync(finished.artifacts.history, 'utf8')) as RunHistory;
  assert.deepEqual([history.members[0]!.bestEpoch, history.members[0]!.best, history.members[0]!.restored], [best, finished.best, true]);

  // The panel marks the trainer's epoch, live and from the stored run.
  const panel = await panelBest(run.events);
  assert.deepEqual(panel.best, { epoch: best, metric: rule.monitor, value: finished.best!.value, restored: true });
  assert.deepEqual(panel.live, epochs.map((epoch) => epoch.best?.epoch));
  const stored = modelRun(run.runsDir, 'Blobs')!;
  const replayed = stored.events.find((e): e is FinishedEvent => e.type === 'finished')!;
  assert.deepEqual([replayed.bestEpoch, replayed.best, replayed.restored, replayed.metrics], [best, finished.best, true, recorded]);
  assert.deepEqual(await panelBest(stored.events), panel);

  // The lens names the best epoch, with the restored model's figures.
  const title = runLensTitle(lastRun(run.runsDir, 'Blobs')!);
  assert.ok(title.includes(` · val_acc ${recorded['val_acc']!.toFixed(2)} · best epoch ${best}, restored · early-stopping`), title);
}

describe('the best epoch is the one whose weights were kept', () => {
  it('EarlyStopping(monitor=val_acc, restore_best_weights=true): the best is the highest val_acc, and the saved model is that epoch\'s', async () => {
    const run = await train('EarlyStopping(monitor=val_acc, patience=4, restore_best_weights=true)');
    await assertRestored(run, { monitor: 'val_acc', mode: 'max', minDelta: 0 });
  });

  it('EarlyStopping with a min_delta: the best is the last epoch that beat the best by more than min_delta', async () => {
    const run = await train('EarlyStopping(monitor=val_loss, patience=2, min_delta=0.02, restore_best_weights=true)');
    await assertRestored(run, { monitor: 'val_loss', mode: 'min', minDelta: 0.02 });
  });

  it('without restore_best_weights the saved model is the last epoch\'s; the best epoch follows EarlyStopping\'s monitor, else val_loss', async () => {
    for (const [callbacks, rule] of [
      ['EarlyStopping(monitor=val_acc, patience=4)', { monitor: 'val_acc', mode: 'max', minDelta: 0 }],
      ['', { monitor: 'val_loss', mode: 'min', minDelta: 0 }],
    ] as const) {
      const run = await train(callbacks);
      const { finished, epochs } = run;
      assert.equal(finished.restored, false);
      assert.equal(finished.bestEpoch, kerasBest(epochs, rule.monitor, rule.mode, rule.minDelta), callbacks);
      assert.deepEqual(finished.best, { ...rule, epoch: finished.bestEpoch, value: epochs[finished.bestEpoch - 1]!.metrics[rule.monitor] });
      const last = epochs.at(-1)!.metrics;
      assert.deepEqual(finished.metrics, last);
      const saved = await evaluateSaved(run);
      near(saved.val_loss, last['val_loss']!, `${callbacks}: val_loss of the saved model`);
      const panel = await panelBest(run.events);
      assert.deepEqual(panel.best, { epoch: finished.bestEpoch, metric: rule.monitor, value: finished.best!.value, restored: false });
      assert.deepEqual(panel.live, epochs.map((epoch) => epoch.best?.epoch));
    }
  });
});
