/**
 * A run replayed from what it sent: the real trainer process appends its
 * events to the run folder's events file, and a replay (the panel after a
 * reload, a lens, the server's run request) reads them back as they were
 * sent, warnings, skipped backends and `finished` included. A run killed
 * mid-epoch replays its finished epochs in whole lines; a run folder from
 * before the events file replays from its history.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { modelRun } from '../host/runs';
import { EVENTS_FILE, HISTORY_FILE, SETTINGS_FILE, type RunHistory, type RunSettings } from '../protocol/history';
import type { StartRequest, TrainerEvent } from '../protocol/training';
import { runTraining } from '../trainer/engine';
import { TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';

const script = join(repoRoot, 'out', 'trainer', 'child.js');
const scratch = mkdtempSync(join(tmpdir(), 'layerwise-events-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const BLOBS = (name: string, settings: string): string =>
  `model ${name} {\n  input [2]\n  Dense(8, activation=relu)\n  Dense(3, activation=softmax)\n}\n\ntrain ${name} {\n  data = blobs(samples=120, centers=3, std=0.8)\n  validation = 0.25\n  loss = categorical_crossentropy\n  optimizer = Adam(learning_rate=0.05)\n  metrics = [accuracy]\n  batch_size = 16\n  seed = 4\n  ${settings}\n}\n`;

function runDirsOf(events: TrainerEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'started' ? [event.runDir] : [])).filter((dir, i, all) => all.indexOf(dir) === i);
}

describe('a run replayed from its events file', () => {
  it('replays exactly the events a run sent: warnings, skipped backends, every member, its finished', async () => {
    const dir = join(scratch, 'sent');
    mkdirSync(dir);
    // Two models, one after the other: each model's warning belongs to its own run folder.
    writeFileSync(join(dir, 'one.csv'), 'x,y,label\n0,0,yes\n0,1,yes\n1,0,yes\n1,1,yes\n');
    const file = join(dir, 'two.net');
    writeFileSync(
      file,
      'model One {\n  input [2]\n  Dense(2, activation=softmax)\n}\nmodel Other {\n  input [2]\n  Dense(2, activation=softmax)\n}\n' +
        'train One, Other {\n  data = csv("one.csv", label="label")\n  loss = categorical_crossentropy\n  batch_size = 2\n  epochs = 2\n  ensemble = 2\n  seed = 1\n}\n',
    );
    const runsDir = join(dir, 'runs');
    // `auto` tries the native backends first, so that `skipped` says why they did not load.
    const request: StartRequest = { type: 'start', file, backend: 'auto', runsDir };
    const live = (await new TrainingProcess(request, script).done).events;
    assert.ok(!live.some((event) => event.type === 'failed'), JSON.stringify(live.filter((event) => event.type !== 'batch')));
    const started = live.find((event) => event.type === 'started')!;
    assert.ok(started.type === 'started' && started.skipped.length > 0, 'the run skipped a backend');

    const [oneDir, otherDir] = runDirsOf(live);
    const replayed = [...modelRun(runsDir, 'One', oneDir)!.events, ...modelRun(runsDir, 'Other', otherDir)!.events];
    assert.deepEqual(replayed, live);
    // Each replay holds its own model's warning, before its first member starts.
    for (const [model, dir] of [['One', oneDir], ['Other', otherDir]] as const) {
      const events = modelRun(runsDir, model, dir)!.events;
      assert.deepEqual(events.slice(0, 2).map((event) => event.type), ['warning', 'started']);
      assert.equal(events[0]!.type === 'warning' && events[0].model, model);
      assert.deepEqual(events.filter((event) => event.type === 'finished').map((event) => event.type === 'finished' && event.member), [0, 1]);
    }
    // The newest run of a model is the one replayed without a folder named.
    assert.deepEqual(modelRun(runsDir, 'Other')!.events, modelRun(runsDir, 'Other', otherDir)!.events);
  });

  it('has each event but a batch on disk, after the batches before it, before the event is sent', async () => {
    const file = join(scratch, 'order.net');
    writeFileSync(file, BLOBS('Order', 'epochs = 3'));
    const sent: TrainerEvent[] = [];
    const onDisk: TrainerEvent[][] = [];
    await runTraining({ type: 'start', file, backend: 'cpu', runsDir: join(scratch, 'order-runs') }, (event) => {
      sent.push(event);
      const runDir = runDirsOf(sent)[0];
      const text = runDir ? readFileSync(join(runDir, EVENTS_FILE), 'utf8') : '';
      onDisk.push(text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TrainerEvent));
    }, { stopRequested: false });
    assert.equal(sent[sent.length - 1]!.type, 'finished');
    // Batches wait for their epoch's event; every other event finds itself and all before it written.
    let flushed = 0;
    sent.forEach((event, i) => {
      if (event.type !== 'batch') flushed = i + 1;
      assert.deepEqual(onDisk[i], JSON.parse(JSON.stringify(sent.slice(0, flushed))), `when ${event.type} ${i} was sent`);
    });
    assert.ok(sent.filter((event) => event.type === 'batch').length > 3);
  });

  it('keeps a killed run\'s finished epochs in whole lines, and ignores a line cut short', async () => {
    const file = join(scratch, 'killed.net');
    writeFileSync(file, BLOBS('Killed', 'epochs = 500'));
    const runsDir = join(scratch, 'killed-runs');
    const trainer = new TrainingProcess({ type: 'start', file, backend: 'cpu', runsDir }, script);
    let epochs = 0;
    trainer.onEvent((event) => {
      if (event.type === 'epoch' && ++epochs === 3) process.kill(trainer.pid!, 'SIGKILL');
    });
    const outcome = await trainer.done;
    assert.equal(outcome.exitCode, null);
    // The last live event is the parent's own word on the killed process, not something the trainer sent.
    const sent = outcome.events.slice(0, -1);
    assert.ok(!sent.some((event) => event.type === 'finished' || event.type === 'failed'));

    const runDir = runDirsOf(sent)[0]!;
    const text = readFileSync(join(runDir, EVENTS_FILE), 'utf8');
    assert.ok(text.endsWith('\n'), 'the file ends with a whole line');
    const replayed = modelRun(runsDir, 'Killed', runDir)!.events;
    const end = replayed[replayed.length - 1]!;
    assert.deepEqual(end, { type: 'failed', message: 'the run ended without finishing (the trainer was stopped or killed)', runDir });
    const kept = replayed.slice(0, -1);
    // Whole epochs: the file stops after an epoch event, with every batch of each epoch.
    assert.equal(kept[kept.length - 1]!.type, 'epoch');
    const keptEpochs = kept.filter((event) => event.type === 'epoch').length;
    assert.ok(keptEpochs >= 3, `${keptEpochs} epochs kept of the 3 heard of`);
    assert.equal(kept.filter((event) => event.type === 'batch').length, keptEpochs * Math.ceil(90 / 16));
    // What both hold is the same: the file can be ahead of the parent (written before sent), or behind it by the batches of the epoch under way.
    const common = Math.min(kept.length, sent.length);
    assert.deepEqual(kept.slice(0, common), sent.slice(0, common));
    // A write cut short leaves a line without its newline: the replay is what it was.
    appendFileSync(join(runDir, EVENTS_FILE), '{"type":"epoch","model":"Killed","epo');
    assert.deepEqual(modelRun(runsDir, 'Killed', runDir)!.events, replayed);
  });

  it('replays a run folder written before events files from its history', () => {
    const runsDir = join(scratch, 'old-runs');
    const runDir = join(runsDir, 'Old', '2026-01-02T03-04-05-678Z');
    mkdirSync(runDir, { recursive: true });
    const best = { monitor: 'val_loss', mode: 'min' as const, minDelta: 0, epoch: 2, value: 0.5 };
    const history: RunHistory = {
      model: 'Old',
      file: join(scratch, 'old.net'),
      startedAt: '2026-01-02T03:04:05.678Z',
      backend: 'cpu',
      classes: [0, 1],
      params: { total: 6, trainable: 6, nonTrainable: 0 },
      data: { train: 8, validation: 2, features: [2] },
      members: [
        {
          member: 0,
          seed: 7,
          epochs: [
            { epoch: 1, metrics: { loss: 0.9, val_loss: 0.8 }, learningRate: 0.01, seconds: 0.5 },
            { epoch: 2, metrics: { loss: 0.6, val_loss: 0.5 }, learningRate: 0.01, seconds: 0.25, best },
          ],
          batches: [
            { epoch: 1, batch: 1, metrics: { loss: 1 } },
            { epoch: 1, batch: 2, metrics: { loss: 0.8 } },
            { epoch: 2, batch: 1, metrics: { loss: 0.7 } },
            { epoch: 2, batch: 2, metrics: { loss: 0.5 } },
          ],
          bestEpoch: 2,
          best,
          restored: false,
          reason: 'completed',
        },
      ],
    };
    const settings: RunSettings = { file: history.file, model: 'Old', written: { epochs: '2' }, resolved: { epochs: 2, batchSize: 4, shuffle: true, seed: 7, ensemble: 1, backend: 'cpu' } };
    writeFileSync(join(runDir, HISTORY_FILE), JSON.stringify(history));
    writeFileSync(join(runDir, SETTINGS_FILE), JSON.stringify(settings));

    const events = modelRun(runsDir, 'Old')!.events;
    const common = { model: 'Old' };
    assert.deepEqual(events, [
      { type: 'started', ...common, members: 1, params: history.params, backend: 'cpu', skipped: [], data: history.data, classes: [0, 1], epochs: 2, batchSize: 4, batchesPerEpoch: 2, runDir },
      { type: 'batch', ...common, epoch: 1, batch: 1, metrics: { loss: 1 } },
      { type: 'batch', ...common, epoch: 1, batch: 2, metrics: { loss: 0.8 } },
      { type: 'epoch', ...common, epoch: 1, epochs: 2, metrics: { loss: 0.9, val_loss: 0.8 }, learningRate: 0.01, seconds: 0.5, samplesPerSecond: 16 },
      { type: 'batch', ...common, epoch: 2, batch: 1, metrics: { loss: 0.7 } },
      { type: 'batch', ...common, epoch: 2, batch: 2, metrics: { loss: 0.5 } },
      { type: 'epoch', ...common, epoch: 2, epochs: 2, metrics: { loss: 0.6, val_loss: 0.5 }, learningRate: 0.01, seconds: 0.25, samplesPerSecond: 32, best },
      {
        type: 'finished',
        ...common,
        reason: 'completed',
        epochs: 2,
        bestEpoch: 2,
        best,
        restored: false,
        metrics: { loss: 0.6, val_loss: 0.5 },
        artifacts: { runDir, history: join(runDir, 'history.json'), settings: join(runDir, 'settings.json'), summary: join(runDir, 'summary.txt'), model: join(runDir, 'model.json') },
      },
    ]);
  });
});
