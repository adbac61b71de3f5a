/**
 * The editor's side of a run, against the real trainer process: how the
 * client's session hands events on (in batches, at most one per frame
 * interval, none lost or reordered), what the status bar and the progress
 * show, Stop, a failure, and a finished run read back from its folder as
 * the panel shows it after a reload.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TrainingSession } from '../client/session';
import { earlierRuns, lastRun, modelRun, runsDirOf } from '../host/runs';
import type { StartRequest, TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';

const script = join(repoRoot, 'out', 'trainer', 'child.js');
const scratch = mkdtempSync(join(tmpdir(), 'layerwise-session-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function netFile(name: string, settings: string, data = 'blobs(samples=240, centers=3, std=0.8)'): string {
  const file = join(scratch, name);
  writeFileSync(
    file,
    `model Blobs {\n  input [2]\n  Dense(16, activation=relu)\n  Dense(3, activation=softmax)\n}\n\ntrain Blobs {\n  data = ${data}\n  validation = 0.25\n  loss = categorical_crossentropy\n  optimizer = Adam(learning_rate=0.05)\n  metrics = [accuracy]\n  batch_size = 8\n  seed = 3\n  ${settings}\n}\n`,
  );
  return file;
}

function startSession(file: string, flushMs?: number): { session: TrainingSession; flushes: { at: number; events: TrainerEvent[] }[]; trainer: TrainingProcess } {
  const request: StartRequest = { type: 'start', file, backend: 'cpu' };
  const trainer = new TrainingProcess(request, script);
  const session = new TrainingSession(request, trainer, flushMs);
  const flushes: { at: number; events: TrainerEvent[] }[] = [];
  session.onEvents((events) => flushes.push({ at: performance.now(), events }));
  return { session, flushes, trainer };
}

describe('client session against the real trainer', () => {
  it('hands on every event in order, batched at most once per interval, with status and progress', async () => {
    const { session, flushes, trainer } = startSession(netFile('run.net', 'epochs = 6'));
    const statuses: string[] = [];
    session.onChange(() => statuses.push(session.statusText()));
    await session.done;
    const outcome = await trainer.done;

    // Nothing lost, nothing reordered, nothing added.
    assert.deepEqual(flushes.flatMap((flush) => flush.events), outcome.events);
    assert.deepEqual(session.events, outcome.events);
    const batches = outcome.events.filter((event) => event.type === 'batch').length;
    assert.equal(batches, 6 * Math.ceil(180 / 8));
    // Batch events travel together: far fewer messages than events.
    assert.ok(flushes.length < batches / 2, `${flushes.length} flushes for ${batches} batch events`);
    // Batches wait for the interval: two flushes that carry only batch and epoch events are at least ~16 ms apart.
    const routine = flushes.filter((flush) => flush.events.every((event) => event.type === 'batch' || event.type === 'epoch'));
    for (let i = 1; i < routine.length; i++) assert.ok(routine[i]!.at - routine[i - 1]!.at >= 10, `flushes ${routine[i - 1]!.at} and ${routine[i]!.at}`);

    assert.equal(session.state, 'finished');
    assert.equal(session.progress(), 1);
    assert.match(statuses[0]!, /^Blobs · epoch 0\/6$/);
    assert.ok(statuses.some((status) => /^Blobs · epoch 3\/6 · loss (\d+\.\d\d|\d\.\de-\d)$/.test(status)), statuses.join('\n'));
    assert.match(session.statusText(), /^Blobs · epoch 6\/6 · loss (\d+\.\d\d|\d\.\de-\d) · finished$/);
  });

  it('Stop ends the run after the current batch and keeps its history', async () => {
    const file = netFile('stop.net', 'epochs = 300');
    const { session } = startSession(file);
    session.onChange(() => {
      if (/epoch 2\//.test(session.statusText())) session.stop();
    });
    await session.done;
    assert.equal(session.state, 'stopped');
    const finished = session.finished[0]!;
    assert.equal(finished.reason, 'stopped');
    assert.ok(finished.epochs >= 2 && finished.epochs < 300);
    const stored = modelRun(runsDirOf(file), 'Blobs', finished.artifacts.runDir)!;
    assert.equal(stored.events.filter((event) => event.type === 'epoch').length, finished.epochs);
    // A stopped run replays as it was sent, its `finished` (reason 'stopped') included.
    assert.deepEqual(stored.events, session.events);
  });

  it('a failed run ends the session with the trainer\'s message and position', async () => {
    const { session } = startSession(netFile('missing.net', 'epochs = 2', 'csv("nowhere.csv", label="y")'));
    await session.done;
    assert.equal(session.state, 'failed');
    assert.match(session.failure!.message, /nowhere\.csv/);
    assert.equal(session.failure!.file, join(scratch, 'nowhere.csv'));
    assert.match(session.statusText(), /failed$/);
  });
});

describe('a run read back from its folder', () => {
  it('replays as the events the live run sent, with its summary', async () => {
    const file = netFile('replay.net', 'epochs = 4');
    const { session } = startSession(file);
    await session.done;
    const finished = session.finished[0]!;
    const stored = modelRun(runsDirOf(file), 'Blobs', finished.artifacts.runDir)!;
    // Every event as sent: `started` with its skipped backends, the data overview, each batch and epoch, the evaluation, `finished` as it was.
    assert.deepEqual(stored.events, session.events);
    assert.deepEqual(stored.events[stored.events.length - 1], finished);
    assert.match(stored.summary ?? '', /Total params: 99/);

    const record = lastRun(runsDirOf(file), 'Blobs')!;
    assert.equal(record.dir, finished.artifacts.runDir);
    assert.equal(record.epochs.length, 4);
    assert.equal(record.plannedEpochs, 4);
    assert.equal(record.reason, 'completed');
    // The Runs tab lists the others: here the earlier runs of the same folder, without the one on screen.
    const others = earlierRuns(runsDirOf(file), 'Blobs', finished.artifacts.runDir);
    assert.ok(others.every((run) => run.dir !== finished.artifacts.runDir));
    assert.ok(others.length >= 1);
    assert.ok(others.every((run) => run.settings?.model === 'Blobs'));
  });
});
