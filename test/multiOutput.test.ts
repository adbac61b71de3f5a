/**
 * Models with several outputs: a loss per output (or one for all), loss
 * weights, metrics per output, labels per output from the data; recorded
 * under Keras's names (`out_a_loss`, `val_out_b_loss`).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EpochEvent, FailedEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { analyzeWithDataFiles } from '../host/fileDataHost';
import { runTraining } from '../trainer/engine';
import { createRandom } from '../trainer/data/random';
import { repoRoot, scratchFolders } from './support';

const scratch = scratchFolders('outputs');

/** x0, x1 uniform in [-1, 1]; ya = 1 when x0 > x1 (a class), yb = x0 + 2 · x1 (a value). */
function twoLabelsCsv(dir: string, rows: number): void {
  const random = createRandom(7);
  const lines = ['x0,ya,x1,yb'];
  for (let row = 0; row < rows; row++) {
    const x0 = random.uniform() * 2 - 1;
    const x1 = random.uniform() * 2 - 1;
    lines.push([x0.toFixed(4), x0 > x1 ? 'yes' : 'no', x1.toFixed(4), (x0 + 2 * x1).toFixed(4)].join(','));
  }
  writeFileSync(join(dir, 'two.csv'), lines.join('\n') + '\n');
}

const TWO_OUTPUTS = (settings: string) => `model Two {
  input x: [2]
  h = x -> Dense(16, activation=relu)
  output h -> Dense(1, activation=sigmoid, name="out_a"), h -> Dense(1, name="out_b")
}

train Two {
  data = csv("two.csv", label={out_a: "ya", out_b: "yb"})
  validation = 0.2
  optimizer = Adam(learning_rate=0.02)
  epochs = 30
  batch_size = 32
  seed = 3
  ${settings}
}
`;

async function train(text: string): Promise<{ events: TrainerEvent[]; dir: string }> {
  const dir = scratch();
  twoLabelsCsv(dir, 600);
  const file = join(dir, 'two.net');
  writeFileSync(file, text);
  const events: TrainerEvent[] = [];
  await runTraining({ type: 'start', runsDir: join(dir, 'runs'), file }, (event) => events.push(event), { stopRequested: false });
  return { events, dir };
}

describe('several outputs: training', () => {
  it('a classifier and a regressor train together, both losses falling, recorded under Keras\'s names', async () => {
    const { events } = await train(TWO_OUTPUTS('loss = {out_a: binary_crossentropy, out_b: mse}\n  metrics = {out_a: [accuracy], out_b: [mae]}'));
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    assert.equal(epochs.length, 30);
    const first = epochs[0]!.metrics;
    const last = epochs[epochs.length - 1]!.metrics;
    assert.deepEqual(Object.keys(last).filter((key) => key !== 'lr').sort(), [
      'loss', 'out_a_acc', 'out_a_loss', 'out_b_loss', 'out_b_mae', 'val_loss', 'val_out_a_acc', 'val_out_a_loss', 'val_out_b_loss', 'val_out_b_mae',
    ]);
    assert.ok(last['out_a_loss']! < first['out_a_loss']! / 2, `out_a_loss ${first['out_a_loss']} → ${last['out_a_loss']}`);
    assert.ok(last['out_b_loss']! < first['out_b_loss']! / 10, `out_b_loss ${first['out_b_loss']} → ${last['out_b_loss']}`);
    assert.ok(last['val_out_a_acc']! > 0.9, `val_out_a_acc ${JSON.stringify(last)}`);
    assert.ok(Math.abs(last['loss']! - last['out_a_loss']! - last['out_b_loss']!) < 1e-3, 'loss is the sum of the outputs\' losses');
    // Each val_ figure is its own (tfjs's test function logs them one place off for several outputs): the sum, and an accuracy in [0, 1].
    assert.ok(Math.abs(last['val_loss']! - last['val_out_a_loss']! - last['val_out_b_loss']!) < 1e-3, JSON.stringify(last));
    assert.ok(last['val_out_b_mae']! < 0.5 && last['val_out_b_loss']! < last['val_out_a_loss']!, JSON.stringify(last));
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    const history = JSON.parse(readFileSync(done.artifacts.history, 'utf8')) as { members: { epochs: { metrics: Record<string, number> }[] }[] };
    assert.ok('val_out_b_loss' in history.members[0]!.epochs[29]!.metrics);
  });

  it('loss_weights weigh each output\'s loss in the total', async () => {
    const { events } = await train(TWO_OUTPUTS('loss = {out_a: binary_crossentropy, out_b: mse}\n  loss_weights = {out_b: 0.5}\n  metrics = [accuracy]'));
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    const last = epochs.at(-1)!.metrics;
    // As in Keras: each output's own loss is recorded, and the total is the weighted sum. The
    // first epoch's validation loss of out_b is large enough to tell its weighted value apart.
    const first = epochs[0]!.metrics;
    assert.ok(first['val_out_b_loss']! > 0.05, JSON.stringify(first));
    for (const metrics of [first, last]) {
      assert.ok(Math.abs(metrics['val_loss']! - metrics['val_out_a_loss']! - 0.5 * metrics['val_out_b_loss']!) < 1e-4, JSON.stringify(metrics));
    }
    assert.ok('out_b_acc' in last && 'val_out_a_acc' in last);
  });

  it('EarlyStopping can monitor an output\'s val_ loss', async () => {
    const { events } = await train(TWO_OUTPUTS('loss = {out_a: binary_crossentropy, out_b: mse}\n  callbacks = [EarlyStopping(monitor=val_out_b_loss, patience=2, min_delta=10)]'));
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    assert.equal(done.reason, 'early-stopping');
    assert.ok(done.epochs < 30);
  });
});

/** Each diagnostic as code, line:column (1-based) and the text of its range, the data file read from disk. */
async function check(text: string): Promise<string[]> {
  const dir = scratch();
  writeFileSync(join(dir, 'two.csv'), 'x0,ya,x1,yb\n0,a,0,0.5\n1,b,1,1.5\n0,c,0,2.5\n');
  const analysis = await analyzeWithDataFiles(text, join(dir, 'two.net'));
  return analysis.diagnostics.map((d) => {
    const at = analysis.lines.positionAt(d.pos);
    return `${d.code} ${at.line + 1}:${at.character + 1} ${text.slice(d.pos, d.end)}${d.suggestion ? ` -> ${d.suggestion}` : ''}`;
  });
}

const CHECKED = (settings: string, label = '{out_a: "ya", out_b: "yb"}', outA = 'Dense(3, activation=softmax, name="out_a")') => `model Two {
  input x: [2]
  h = x -> Dense(4)
  output h -> ${outA}, h -> Dense(1, name="out_b")
}

train Two {
  data = csv("two.csv", label=${label})
  ${settings}
}
`;

describe('several outputs: the checker', () => {
  it('a loss and labels per output, or one loss for all, check clean', async () => {
    assert.deepEqual(await check(CHECKED('loss = {out_a: categorical_crossentropy, out_b: mse}\n  loss_weights = {out_b: 0.5}\n  metrics = {out_a: [accuracy], out_b: [mae]}')), []);
    assert.deepEqual(await check(CHECKED('loss = mse\n  metrics = [mae]')), []);
  });

  it('reports an output left without a loss, and a key that is no output', async () => {
    assert.deepEqual(await check(CHECKED('loss = {out_a: categorical_crossentropy}')), ['output-loss-missing 9:10 {out_a: categorical_crossentropy}']);
    assert.deepEqual(await check(CHECKED('loss = {out_a: categorical_crossentropy, out_c: mse}')), [
      'output-loss-missing 9:10 {out_a: categorical_crossentropy, out_c: mse}',
      'unknown-output 9:44 out_c -> out_b',
    ]);
    assert.deepEqual(await check(CHECKED('loss = mse\n  loss_weights = {outb: 2}\n  metrics = {out_x: [mae]}')), ['unknown-output 10:19 outb -> out_b', 'unknown-output 11:14 out_x -> out_a']);
  });

  it('reports an output left without labels, a label key that is no output, and a label column the file lacks', async () => {
    assert.deepEqual(await check(CHECKED('loss = mse', '{out_a: "ya"}')), ['output-label-missing 8:31 {out_a: "ya"}']);
    assert.deepEqual(await check(CHECKED('loss = mse', '"ya"')), ['output-label-missing 8:31 "ya"', 'output-label-missing 8:31 "ya"']);
    assert.deepEqual(await check(CHECKED('loss = mse', '{out_a: "ya", outb: "yb"}')), ['output-label-missing 8:31 {out_a: "ya", outb: "yb"}', 'unknown-output 8:45 outb -> out_b']);
    assert.deepEqual(await check(CHECKED('loss = mse', '{out_a: "ya", out_b: "yy"}')), ['data-label-not-found 8:52 "yy" -> "ya"']);
  });

  it('holds each output against its own loss and its own label column\'s classes', async () => {
    // out_a's softmax under a binary loss; out_b's one unit is fine for mse.
    assert.deepEqual(await check(CHECKED('loss = {out_a: binary_crossentropy, out_b: mse}')), ['loss-output-mismatch 9:10 {out_a: binary_crossentropy, out_b: mse}']);
    // ya holds 3 classes: two softmax units are too few.
    assert.deepEqual(await check(CHECKED('loss = {out_a: categorical_crossentropy, out_b: mse}', undefined, 'Dense(2, activation=softmax, name="out_a")')), ['units-class-mismatch 4:21 2 -> 3']);
  });

  it('lets callbacks monitor each output\'s loss and metrics, and their val_ twins', async () => {
    const settings = 'loss = {out_a: categorical_crossentropy, out_b: mse}\n  metrics = {out_a: [accuracy]}\n  validation = 0.2\n  callbacks = [EarlyStopping(monitor=val_out_a_acc), ReduceLROnPlateau(monitor=out_b_loss), EarlyStopping(monitor=val_out_b_acc)]';
    assert.deepEqual((await check(CHECKED(settings))).map((d) => d.split(' ').slice(0, 3).join(' ')), ['unknown-monitor 12:115 val_out_b_acc']);
  });
});

/** A classifier and a regressor from one archive written by numpy (test/fixtures/numpy/make.py): x, and y per output. */
const NPZ_HEADS = (y: string) => `model Heads {
  input x: [3]
  h = x -> Dense(16, activation=relu)
  output h -> Dense(1, activation=sigmoid, name="kind"), h -> Dense(1, name="size")
}

train Heads {
  data = npz("${join(repoRoot, 'test', 'fixtures', 'numpy', 'heads.npz').replace(/\\/g, '/')}", x="x", y=${y})
  validation = 0.2
  loss = {kind: binary_crossentropy, size: mse}
  metrics = {kind: [accuracy]}
  optimizer = Adam(learning_rate=0.02)
  epochs = 30
  batch_size = 32
  seed = 3
}
`;

describe('several outputs from an .npz archive', () => {
  it('y={…} names an array per output; both train, recorded under the outputs\' names', async () => {
    const dir = scratch();
    const file = join(dir, 'heads.net');
    writeFileSync(file, NPZ_HEADS('{kind: "kind", size: "size"}'));
    const events: TrainerEvent[] = [];
    await runTraining({ type: 'start', runsDir: join(dir, 'runs'), file }, (event) => events.push(event), { stopRequested: false });
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    const first = epochs[0]!.metrics;
    const last = epochs.at(-1)!.metrics;
    assert.ok(last['val_kind_acc']! > 0.85, JSON.stringify(last));
    assert.ok(last['val_size_loss']! < first['val_size_loss']! / 4, `${first['val_size_loss']} → ${last['val_size_loss']}`);
  });

  it('checks each output\'s array: present, and as many labels as samples', async () => {
    const at = async (y: string): Promise<string[]> => {
      const text = NPZ_HEADS(y);
      const analysis = await analyzeWithDataFiles(text, join(scratch(), 'heads.net'));
      return analysis.diagnostics.map((d) => `${d.code} ${text.slice(d.pos, d.end)}${d.suggestion ? ` -> ${d.suggestion}` : ''}`);
    };
    assert.deepEqual(await at('{kind: "kind", size: "size"}'), []);
    assert.deepEqual(await at('{kind: "kind", size: "sise"}'), ['data-array-not-found "sise" -> size']);
    assert.deepEqual(await at('{kind: "few", size: "size"}'), ['data-label-count "few"']);
    assert.deepEqual((await at('{kind: "kind"}')).map((d) => d.split(' ')[0]), ['output-label-missing']);
  });
});
