/**
 * Models with several inputs: the data names the columns of each input by
 * the input's name, the checker holds them against the CSV header and the
 * inputs' shapes, and the trainer feeds each input its columns.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeWithDataFiles } from '../host/fileDataHost';
import type { EvaluationEvent, FailedEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { runTraining } from '../trainer/engine';
import { createRandom } from '../trainer/data/random';
import { projectExamples, repoRoot, scratchFolders } from './support';

const scratch = scratchFolders('inputs');

/**
 * Inputs a (a0, a1) and b (b0, b1), uniform in [-1, 1], an unused id
 * column and a column of noise, n0; the label is 1 when a0 · b0 > 0. Either input alone says nothing
 * of the label: its sign is independent of the other input's, so a model
 * that sees one input cannot beat 50%.
 */
function productCsv(dir: string, rows: number, seed: number): string {
  const random = createRandom(seed);
  const lines = ['id,a0,a1,y,b0,b1,n0'];
  for (let row = 0; row < rows; row++) {
    const [a0, a1, b0, b1, n0] = [0, 0, 0, 0, 0].map(() => random.uniform() * 2 - 1) as [number, number, number, number, number];
    lines.push([row, a0.toFixed(4), a1.toFixed(4), a0 * b0 > 0 ? 1 : 0, b0.toFixed(4), b1.toFixed(4), n0.toFixed(4)].join(','));
  }
  const path = join(dir, 'product.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The a · b model, its train block reading `data`. */
const productNet = (data: string) => `model Product {
  input a: [2]
  input b: [2]
  both = (a, b) -> Concatenate()
  output both -> Dense(32, activation=relu) -> Dense(32, activation=relu) -> Dense(1, activation=sigmoid)
}

train Product {
  data = ${data}
  validation = 0.2
  loss = binary_crossentropy
  optimizer = Adam(learning_rate=0.01)
  metrics = [accuracy]
  epochs = 40
  batch_size = 32
  seed = 2
}
`;

const TWO_INPUTS = (inputs: string) => productNet(`csv("product.csv", label="y", inputs=${inputs})`);

async function train(file: string): Promise<TrainerEvent[]> {
  const events: TrainerEvent[] = [];
  await runTraining({ type: 'start', runsDir: join(scratch(), 'runs'), file }, (event) => events.push(event), { stopRequested: false });
  return events;
}

describe('several inputs: training', () => {
  it('examples/residual.net (inputs features and extra, 18 classes that need both) trains end to end', async () => {
    const events = await train(join(projectExamples, 'residual.net'));
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    assert.equal(done.model, 'Residual');
    assert.ok(done.metrics['val_acc']! > 0.8, `val_acc ${done.metrics['val_acc']}`);
  });

  it('learns a label that needs both inputs (a0 · b0 > 0) well above the 50% one input allows', async () => {
    const dir = scratch();
    productCsv(dir, 1000, 5);
    const file = join(dir, 'product.net');
    writeFileSync(file, TWO_INPUTS('{a: ["a0", "a1"], b: "b0:b1"}'));
    const events = await train(file);
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    assert.ok(done.metrics['val_acc']! > 0.9, `val_acc ${done.metrics['val_acc']}`);
    // The evaluation predicts from both inputs: every validation sample counted once, mostly on the diagonal.
    const evaluation = events.find((e): e is EvaluationEvent => e.type === 'evaluation')!;
    assert.equal(evaluation.on, 'validation');
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 200);
    assert.ok(evaluation.confusion[0]![0]! + evaluation.confusion[1]![1]! > 180);
  });

  it('the same model without b0 (input b given b1 and noise) stays near chance', async () => {
    const dir = scratch();
    productCsv(dir, 1000, 5);
    const file = join(dir, 'product.net');
    writeFileSync(file, TWO_INPUTS('{a: ["a0", "a1"], b: ["b1", "n0"]}'));
    const events = await train(file);
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    assert.ok(done.metrics['val_acc']! < 0.7, `val_acc ${done.metrics['val_acc']}`);
  });
});

/** Each diagnostic of a train block's data as code, line:column (1-based) and the text of its range. */
async function check(text: string, header = 'id,a0,a1,y,b0,b1,n0\n1,0,0,1,0,0,0\n'): Promise<string[]> {
  const dir = scratch();
  writeFileSync(join(dir, 'product.csv'), header);
  const file = join(dir, 'product.net');
  const analysis = await analyzeWithDataFiles(text, file);
  return analysis.diagnostics.map((d) => {
    const at = analysis.lines.positionAt(d.pos);
    return `${d.code} ${at.line + 1}:${at.character + 1} ${text.slice(d.pos, d.end)}${d.suggestion ? ` -> ${d.suggestion}` : ''}`;
  });
}

describe('several inputs: the checker', () => {
  it('a model with two inputs and columns for each checks clean', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: ["a0", "a1"], b: "b0:b1"}')), []);
    assert.deepEqual(await check(TWO_INPUTS('{"a": "a0:a1", b: ["b0", "b1"]}')), []);
  });

  it('reports every input the data gives no columns for, at inputs= or at the data call', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: "a0:a1"}')), ['data-input-missing 9:47 {a: "a0:a1"}']);
    const noInputs = TWO_INPUTS('{}').replace(', inputs={}', '');
    assert.deepEqual(await check(noInputs), ['data-input-missing 9:10 csv("product.csv", label="y")', 'data-input-missing 9:10 csv("product.csv", label="y")']);
    assert.deepEqual(await check(noInputs.replace('csv("product.csv", label="y")', 'xor()')), ['data-input-missing 9:10 xor()', 'data-input-missing 9:10 xor()']);
  });

  it('reports a key that is not an input, with the input it likely means', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: "a0:a1", bb: "b0:b1"}')), ['data-input-missing 9:47 {a: "a0:a1", bb: "b0:b1"}', 'unknown-input 9:60 bb -> b']);
  });

  it('reports a column the header lacks, at the column, with the closest name', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: ["a0", "a9"], b: "b0:b1"}')), ['data-column-not-found 9:58 "a9" -> "a0"']);
    assert.deepEqual(await check(TWO_INPUTS('{a: ["a0", "a1"], b: "b0:bx"}')), ['data-column-not-found 9:68 "b0:bx"']);
  });

  it('reports a column used twice, or used as the label', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: ["a0", "a1"], b: ["a1", "b0"]}')), ['data-column-reused 9:69 "a1"']);
    assert.deepEqual(await check(TWO_INPUTS('{a: ["a0", "y"], b: "b0:b1"}')), ['data-column-reused 9:58 "y"']);
  });

  it('reports columns that do not fill the input\'s shape, at the input\'s value', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: "a0:a1", b: "b0:n0"}')), ['data-shape-mismatch 9:63 "b0:n0"']);
  });

  it('reports a key given twice and a value that is no column', async () => {
    assert.deepEqual(await check(TWO_INPUTS('{a: "a0:a1", b: "b0:b1", a: "n0"}')), ['duplicate-key 9:72 a']);
    assert.deepEqual(await check(TWO_INPUTS('{a: "a0:a1", b: 3}')), ['data-input-missing 9:47 {a: "a0:a1", b: 3}', 'argument-type 9:63 3']);
  });
});

/** The a · b task from an archive written by numpy (test/fixtures/numpy/make.py): arrays a and b, labels y. */
const NPZ_INPUTS = (inputs: string, y = 'y') =>
  productNet(`npz("${join(repoRoot, 'test', 'fixtures', 'numpy', 'product.npz').replace(/\\/g, '/')}", inputs=${inputs}, y="${y}")`);

describe('several inputs from an .npz archive', () => {
  it('learns the label that needs both arrays (a0 · b0 > 0)', async () => {
    const file = join(scratch(), 'product.net');
    writeFileSync(file, NPZ_INPUTS('{a: "a", b: "b"}'));
    const events = await train(file);
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    const done = events.find((e): e is FinishedEvent => e.type === 'finished')!;
    assert.ok(done.metrics['val_acc']! > 0.9, `val_acc ${done.metrics['val_acc']}`);
  });

  it('checks each input against its array: present, the input’s shape, the same samples, every input given', async () => {
    const at = (inputs: string, y?: string) => check(NPZ_INPUTS(inputs, y));
    assert.deepEqual(await at('{a: "a", b: "b"}'), []);
    const missing = await at('{a: "a", b: "bb"}');
    assert.equal(missing.length, 1);
    assert.match(missing[0]!, /^data-array-not-found 9:\d+ "bb" -> b$/);
    const shape = await at('{a: "a", b: "b3"}');
    assert.equal(shape.length, 1);
    assert.match(shape[0]!, /^data-shape-mismatch 9:\d+ "b3"$/);
    const samples = await at('{a: "short", b: "b"}');
    assert.ok(samples.some((d) => /^data-label-count 9:\d+ "b"$/.test(d)), samples.join('\n'));
    const left = await at('{a: "a"}');
    assert.deepEqual(left.map((d) => d.split(' ').slice(0, 1)[0]), ['data-input-missing']);
  });
});
