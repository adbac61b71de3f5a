/**
 * Runs in the language server, over stdio: after a real training run, the
 * train block's lens carries the run's sparkline and opens it, its hover
 * shows the chart, and the editor's requests answer the run as events, the
 * earlier runs and the train blocks (with the first error that keeps a file
 * from training). A changed history asks the editor to fetch lenses again.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, matchesGlob, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CodeLensRefreshRequest, CodeLensRequest, DidChangeWatchedFilesNotification, FileChangeType, HoverRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { SHOW_RUN_COMMAND } from '../protocol/commands';
import { HISTORY_FILE } from '../protocol/history';
import { RUN_HISTORY_GLOB, RUN_REQUEST, RUNS_REQUEST, TRAIN_BLOCKS_REQUEST, type RunResult, type RunsResult, type TrainBlocksResult } from '../protocol/editor';
import type { FinishedEvent, TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { LspClient } from './lsp/client';
import { repoRoot } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-server-runs-'));
const TEXT = `model Blobs {
  input [2]
  Dense(8, activation=relu)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=120, centers=3, std=0.8)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  metrics = [accuracy]
  epochs = 3
  seed = 2
}
`;

async function train(file: string): Promise<{ finished: FinishedEvent; events: TrainerEvent[] }> {
  const trainer = new TrainingProcess({ type: 'start', file, backend: 'cpu' }, join(repoRoot, 'out', 'trainer', 'child.js'));
  const { events } = await trainer.done;
  const finished = events.find((event): event is FinishedEvent => event.type === 'finished');
  assert.ok(finished, JSON.stringify(events.filter((event) => event.type === 'failed')));
  return { finished, events };
}

describe('language server: runs', () => {
  let client: LspClient;
  const file = join(scratch, 'blobs.net');
  const uri = pathToFileURL(file).href;
  let first: FinishedEvent;
  let second: FinishedEvent;
  let secondEvents: TrainerEvent[];
  let refreshes = 0;

  before(async () => {
    writeFileSync(file, TEXT);
    first = (await train(file)).finished;
    ({ finished: second, events: secondEvents } = await train(file));
    client = new LspClient();
    client.connection.onRequest(CodeLensRefreshRequest.method, () => {
      refreshes++;
      return null;
    });
    await client.initialize(undefined, { codeLens: { refreshSupport: true } });
    await client.open(uri, TEXT);
  });

  after(async () => {
    await client.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('puts the last run\'s sparkline and figures over the train block, opening that run', async () => {
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
    const runLens = lenses.find((lens) => lens.command?.command === SHOW_RUN_COMMAND);
    assert.ok(runLens, JSON.stringify(lenses));
    assert.match(runLens.command!.title, /^loss [▁▂▃▄▅▆▇█]{3} \d\.\d\d · val_acc \d\.\d\d$/);
    assert.deepEqual(runLens.command!.arguments, [uri, 'Blobs', second.artifacts.runDir]);
    assert.equal(runLens.range.start.line, 6);
    assert.ok(lenses.some((lens) => lens.command?.title === '▶ Train'));
  });

  it('shows the last run as a chart in the train block\'s hover', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 6, character: 2 } });
    const markdown = (hover?.contents as { value: string }).value;
    assert.match(markdown, /!\[Blobs: loss and validation loss per epoch\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
  });

  it('answers a run as the events the panel replays, and the earlier runs beside it', async () => {
    const newest = (await client.connection.sendRequest(RUN_REQUEST, { uri, model: 'Blobs' })) as RunResult;
    assert.equal(newest.dir, second.artifacts.runDir);
    assert.deepEqual(newest.events.map((event) => event.type).filter((type, i, all) => all.indexOf(type) === i), ['started', 'data', 'batch', 'epoch', 'boundary', 'distributions', 'evaluation', 'finished']);
    assert.equal(newest.events.filter((event) => event.type === 'epoch').length, 3);
    // The events as the trainer sent them, over the wire and back.
    assert.deepEqual(newest.events, secondEvents);
    const started = newest.events[0]!;
    assert.equal(started.type === 'started' && started.params.total, 51);
    assert.match(newest.summary ?? '', /Total params: 51/);
    const chosen = (await client.connection.sendRequest(RUN_REQUEST, { uri, model: 'Blobs', dir: first.artifacts.runDir })) as RunResult;
    assert.equal(chosen.dir, first.artifacts.runDir);
    assert.equal(await client.connection.sendRequest(RUN_REQUEST, { uri, model: 'Blobs', dir: join(scratch, 'elsewhere') }), null);
    assert.equal(await client.connection.sendRequest(RUN_REQUEST, { uri, model: 'Nobody' }), null);

    const earlier = (await client.connection.sendRequest(RUNS_REQUEST, { uri, model: 'Blobs', except: second.artifacts.runDir })) as RunsResult;
    assert.deepEqual(earlier.map((run) => run.dir), [first.artifacts.runDir]);
    assert.equal(earlier[0]!.epochs.length, 3);
    assert.equal(earlier[0]!.settings?.written['epochs'], '3');
  });

  it('lists the train blocks, and the first error of a file that must not train', async () => {
    const blocks = (await client.connection.sendRequest(TRAIN_BLOCKS_REQUEST, { uri })) as TrainBlocksResult;
    assert.deepEqual(blocks, { blocks: [{ index: 0, models: ['Blobs'], startLine: 6, endLine: 14 }] });
    const broken = pathToFileURL(join(scratch, 'broken.net')).href;
    await client.open(broken, TEXT.replace('Dense(8, activation=relu)', 'Dense(8, activation=relux)'));
    const answer = (await client.connection.sendRequest(TRAIN_BLOCKS_REQUEST, { uri: broken })) as TrainBlocksResult;
    assert.equal(answer.firstError?.line, 2);
    assert.equal(answer.firstError?.character, 22);
    assert.match(answer.firstError!.message, /relux/);
  });

  it('asks the editor for lenses again when a run\'s history changes', async () => {
    const history = join(second.artifacts.runDir, HISTORY_FILE);
    // The client watches the files the trainer writes: its glob matches this history, from the workspace's folder.
    assert.ok(existsSync(history), history);
    assert.ok(matchesGlob(relative(scratch, history), RUN_HISTORY_GLOB), `${relative(scratch, history)} against ${RUN_HISTORY_GLOB}`);
    const before = refreshes;
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(history).href, type: FileChangeType.Changed }] });
    for (let i = 0; i < 100 && refreshes === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(refreshes, before + 1);
  });
});
