import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DATA_SOURCES } from '../core';
import type { DataSourceUse } from '../core/train';
import type { ArgValue } from '../core/catalog/types';
import { DataError, encodeLabels, encodeWith, loadDataSource, stratifiedSplit, toTensors, type Label, type RawData } from '../trainer/data';
import { repoRoot } from './support';

const fixtures = join(repoRoot, 'test', 'data');
const scratch = mkdtempSync(join(tmpdir(), 'layerwise-data-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** A data source call as the checker resolves it: every argument present, defaults filled in. */
function use(name: string, given: Record<string, ArgValue> = {}): DataSourceUse {
  const spec = DATA_SOURCES.find((s) => s.name === name)!;
  const values: Record<string, ArgValue> = {};
  for (const param of spec.params) if (param.default !== undefined) values[param.name] = param.default;
  return { spec, args: { values: { ...values, ...given }, given: Object.keys(given), positional: 0, ranges: {} }, range: { pos: 0, end: 0 } };
}

function load(name: string, given: Record<string, ArgValue> = {}, inputShape = [2], seed = 1): Promise<RawData> {
  return loadDataSource(use(name, given), { baseDir: scratch, inputShape, seed });
}

/** How many rows carry each label. */
function tally(labels: ArrayLike<Label>): Map<Label, number> {
  const counts = new Map<Label, number>();
  for (const label of Array.from(labels)) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

function sameData(a: RawData, b: RawData): boolean {
  return a.features.every((v, i) => v === b.features[i]) && Array.from(a.labels).every((l, i) => l === b.labels[i]);
}

/** Writes a CSV into the scratch folder and returns its name, relative to it. */
function csvFile(name: string, text: string): string {
  writeFileSync(join(scratch, name), text);
  return name;
}

async function rejectsWith(promise: Promise<unknown>, expected: { message: RegExp; line?: number; column?: number }): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DataError, `a DataError, not ${String(error)}`);
    assert.match(error.message, expected.message);
    assert.equal(error.line, expected.line);
    assert.equal(error.column, expected.column);
    return true;
  });
}

test('the logic gates are their four corners', async () => {
  const truth = { xor: [0, 1, 1, 0], and: [0, 0, 0, 1], or: [0, 1, 1, 1] };
  for (const [gate, labels] of Object.entries(truth)) {
    const data = await load(gate);
    assert.equal(data.count, 4);
    assert.deepEqual(data.featureShape, [2]);
    assert.deepEqual(Array.from(data.features), [0, 0, 0, 1, 1, 0, 1, 1]);
    assert.deepEqual(Array.from(data.labels), labels);
  }
  await rejectsWith(load('xor', {}, [3]), { message: /xor\(\) gives 2 features per sample, but the model's input \[3\] takes 3 values/ });
});

test('mnist: digits in [0, 1], reshaped to the input, chosen by the seed', async () => {
  const images = await load('mnist', { samples: 500 }, [28, 28, 1], 7);
  assert.equal(images.count, 500);
  assert.deepEqual(images.featureShape, [28, 28, 1]);
  assert.equal(images.features.length, 500 * 784);
  assert.ok(images.features.every((v) => v >= 0 && v <= 1));
  assert.ok(images.features.some((v) => v > 0.9));
  const counts = tally(images.labels);
  assert.deepEqual([...counts.keys()].sort((a, b) => Number(a) - Number(b)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // A random draw of 500 from a near-balanced set: every digit near 50.
  for (const count of counts.values()) assert.ok(count > 25 && count < 80, `${count} of one digit`);

  const flat = await load('mnist', { samples: 500 }, [784], 7);
  assert.deepEqual(flat.featureShape, [784]);
  assert.ok(sameData(flat, images), 'same seed, same digits');
  assert.ok(!sameData(await load('mnist', { samples: 500 }, [784], 8), images), 'another seed, other digits');

  const all = await load('mnist', {}, [784]);
  assert.equal(all.count, 10000);
  await rejectsWith(load('mnist', { samples: 20000 }, [784]), { message: /has 10000 digits, fewer than samples=20000/ });
  await rejectsWith(load('mnist', {}, [28, 28, 3]), { message: /mnist\(\) gives 784 features per sample, but the model's input \[28, 28, 3\] takes 2352 values/ });
});

test('generated sets: shape, count, balanced classes, seeds', async () => {
  const cases: { name: string; given: Record<string, ArgValue>; classes: number; features: number }[] = [
    { name: 'spiral', given: { samples: 301, classes: 4 }, classes: 4, features: 2 },
    { name: 'blobs', given: { samples: 250, centers: 5, features: 3 }, classes: 5, features: 3 },
    { name: 'circles', given: { samples: 201 }, classes: 2, features: 2 },
    { name: 'moons', given: { samples: 200 }, classes: 2, features: 2 },
  ];
  for (const { name, given, classes, features } of cases) {
    const samples = given['samples'] as number;
    const data = await load(name, given, [features], 3);
    assert.equal(data.count, samples, name);
    assert.deepEqual(data.featureShape, [features], name);
    assert.equal(data.features.length, samples * features, name);
    assert.ok(data.features.every(Number.isFinite), name);
    const counts = [...tally(data.labels).entries()].sort(([a], [b]) => Number(a) - Number(b));
    assert.deepEqual(counts.map(([label]) => label), Array.from({ length: classes }, (_, i) => i), name);
    const sizes = counts.map(([, count]) => count);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${name} balanced: ${sizes.join(', ')}`);
    // Shuffled, as scikit-learn does: not all of class 0 first.
    assert.notDeepEqual(Array.from(data.labels).slice(0, sizes[0]), Array(sizes[0]).fill(0), `${name} shuffled`);

    assert.ok(sameData(await load(name, given, [features], 3), data), `${name}: same seed, same data`);
    assert.ok(!sameData(await load(name, given, [features], 4), data), `${name}: another seed, other data`);
    // The source's own seed wins over the train block's.
    const own = await load(name, { ...given, seed: 11 }, [features], 3);
    assert.ok(sameData(own, await load(name, { ...given, seed: 11 }, [features], 99)), `${name}: its own seed`);
  }
  await rejectsWith(load('blobs', { features: 3 }, [2]), { message: /blobs\(\) gives 3 features per sample/ });
});

test('generated sets: the geometry of each', async () => {
  const points = (data: RawData) => Array.from({ length: data.count }, (_, i) => ({ x: data.features[2 * i], y: data.features[2 * i + 1], label: data.labels[i] }));

  for (const { x, y, label } of points(await load('circles', { noise: 0, factor: 0.3 }))) {
    assert.ok(Math.abs(Math.hypot(x, y) - (label === 0 ? 1 : 0.3)) < 1e-6);
  }
  for (const { x, y, label } of points(await load('moons', { noise: 0 }))) {
    // The outer moon is the upper unit half circle; the inner one its mirror, moved by (1, 0.5).
    const [cx, cy] = label === 0 ? [0, 0] : [1, 0.5];
    assert.ok(Math.abs(Math.hypot(x - cx, y - cy) - 1) < 1e-6);
    assert.ok(label === 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
  }
  for (const { x, y } of points(await load('spiral', { noise: 0.5 }))) assert.ok(Math.hypot(x, y) <= 1 + 1e-6);

  const blobs = await load('blobs', { samples: 3000, centers: 3, std: 0.5 });
  for (const label of [0, 1, 2]) {
    const rows = points(blobs).filter((p) => p.label === label);
    const mean = (pick: (p: { x: number; y: number }) => number) => rows.reduce((sum, p) => sum + pick(p), 0) / rows.length;
    const [mx, my] = [mean((p) => p.x), mean((p) => p.y)];
    assert.ok(Math.abs(mx) < 10.1 && Math.abs(my) < 10.1, 'centers within (-10, 10)');
    const spread = Math.sqrt(mean((p) => (p.x - mx) ** 2));
    assert.ok(Math.abs(spread - 0.5) < 0.05, `standard deviation ${spread}`);
  }
});

test('csv: label by name, scale, string labels as sorted classes', async () => {
  const data = await loadDataSource(use('csv', { path: 'iris-small.csv', label: 'species', scale: 0.5 }), { baseDir: fixtures, inputShape: [2], seed: 1 });
  assert.equal(data.count, 5);
  assert.deepEqual(data.featureShape, [2]);
  assert.deepEqual(Array.from(data.features), [5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, 1.3, 6.4, 4.5].map((v) => Math.fround(v * 0.5)));
  assert.deepEqual(Array.from(data.labels), ['setosa', 'versicolor', 'virginica', 'setosa', 'versicolor']);
  // The blank line 6 is skipped, and still counted.
  assert.deepEqual(Array.from(data.rows!.lines), [2, 3, 4, 5, 7]);
  const { classes, indices } = encodeLabels(data);
  assert.deepEqual(classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(Array.from(indices), [0, 1, 2, 0, 1]);
});

test('csv: numeric labels stay numbers and sort numerically; shape reshapes', async () => {
  const path = csvFile('digits.csv', 'a,b,c,d,label\n1,2,3,4,10\n5,6,7,8,9\n9,10,11,12,2\n');
  const data = await loadDataSource(use('csv', { path, shape: [2, 2] }), { baseDir: scratch, inputShape: [2, 2], seed: 1 });
  assert.deepEqual(data.featureShape, [2, 2]);
  assert.deepEqual(Array.from(data.labels), [10, 9, 2]);
  assert.deepEqual(encodeLabels(data).classes, [2, 9, 10]);
  const x = toTensors(data, encodeLabels(data).indices, 3, 'sparse', 3).x;
  assert.deepEqual(x.shape, [3, 2, 2]);
  x.dispose();
  await rejectsWith(loadDataSource(use('csv', { path, shape: [3, 2] }), { baseDir: scratch, inputShape: [6], seed: 1 }), {
    message: /shape \[3, 2\] holds 6 values, but each sample of digits.csv has 4 features/,
    line: 1,
  });
});

test('csv: each broken file is a DataError at its line and column', async () => {
  const csv = (path: string, given: Record<string, ArgValue> = {}, inputShape = [2]) => loadDataSource(use('csv', { path, ...given }), { baseDir: scratch, inputShape, seed: 1 });
  await rejectsWith(csv('nowhere.csv'), { message: /data file 'nowhere.csv' not found/ });
  await rejectsWith(csv(csvFile('empty.csv', '')), { message: /empty.csv is empty/, line: 1 });
  await rejectsWith(csv(csvFile('header.csv', 'x,y,label\n')), { message: /header.csv has a header row but no data rows/, line: 2 });
  await rejectsWith(csv(csvFile('labels.csv', 'x,y,labels\n1,2,0\n')), { message: /no column named 'label'; did you mean 'labels'\?/, line: 1, column: 3 });
  await rejectsWith(csv(csvFile('short.csv', 'x,y,label\n1,2,0\n3,4,1\n5,6\n')), { message: /short.csv line 4 has 2 cells, but the header has 3/, line: 4, column: 3 });
  await rejectsWith(csv(csvFile('long.csv', 'x,y,label\n1,2,0,7\n')), { message: /long.csv line 2 has 4 cells, but the header has 3/, line: 2, column: 4 });
  await rejectsWith(csv(csvFile('text.csv', 'label,x,y\n0,1,2\n1,3,abc\n')), { message: /text.csv line 3, column 3 \('y'\): 'abc' is not a number/, line: 3, column: 3 });
  await rejectsWith(csv(csvFile('blank.csv', 'x,y,label\n1,2,0\n\n1,,1\n')), { message: /blank.csv line 4, column 2 \('y'\): '' is not a number/, line: 4, column: 2 });
  await rejectsWith(csv(csvFile('nolabel.csv', 'x,y,label\n1,2, \n')), { message: /nolabel.csv line 2, column 3: the label is empty/, line: 2, column: 3 });
  await rejectsWith(csv(csvFile('quote.csv', 'x,y,label\n1,2,0\n1,"2,0\n')), { message: /quote.csv: Quote Not Closed: .* at line 3/, line: 3 });
  await rejectsWith(csv(csvFile('wide.csv', 'a,b,c,label\n1,2,3,0\n'), {}, [2]), {
    message: /wide.csv gives 3 features per sample, but the model's input \[2\] takes 2 values/,
    line: 1,
  });
});

test('csv: a path that is not a file with rows says what it is, and never waits on it', { timeout: 20_000 }, async () => {
  const csv = (path: string) => loadDataSource(use('csv', { path }), { baseDir: scratch, inputShape: [1], seed: 1 });
  mkdirSync(join(scratch, 'folder.csv'));
  await rejectsWith(csv('folder.csv'), { message: /^folder\.csv is a directory, not a CSV file$/ });
  await rejectsWith(csv(csvFile('lines.csv', '\n\n\n')), { message: /^lines\.csv is empty: a CSV needs a header row, then data rows$/, line: 1 });
  await rejectsWith(csv(csvFile('spaces.csv', '\n  \t\n1,0\n')), { message: /^spaces\.csv line 2: the header row is blank; a CSV needs a header row that names its columns$/, line: 2 });
  await rejectsWith(csv(csvFile('zero.csv', '')), { message: /^zero\.csv is empty: a CSV needs a header row, then data rows$/, line: 1 });
  csvFile('plain.csv', 'x,label\n1,0\n');
  await rejectsWith(csv('plain.csv/inner.csv'), { message: new RegExp(`^cannot read the data file plain\\.csv/inner\\.csv: ${join(scratch, 'plain.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder$`) });
  if (process.platform !== 'win32') {
    // A named pipe with no writer: opening it to read would wait forever.
    execFileSync('mkfifo', [join(scratch, 'pipe.csv')]);
    await rejectsWith(csv('pipe.csv'), { message: /^pipe\.csv is a named pipe, not a regular file: a CSV file is read twice, so it must be a file on disk$/ });
  }
});

test('validation labels the training data lacks are refused, with where they are', async () => {
  const train = await load('csv', { path: csvFile('train.csv', 'x,y,label\n0,0,a\n0,1,b\n1,0,b\n') });
  const { classes } = encodeLabels(train);
  const good = await load('csv', { path: csvFile('good.csv', 'x,y,label\n1,1,b\n0,0,a\n') });
  assert.deepEqual(Array.from(encodeWith(classes, good)), [1, 0]);
  const bad = await load('csv', { path: csvFile('bad.csv', 'x,y,label\n1,1,b\n0,0,a\n\n1,1,c\n') });
  assert.throws(() => encodeWith(classes, bad), (error: unknown) => {
    assert.ok(error instanceof DataError);
    assert.match(error.message, /bad.csv line 5: label 'c' is not among the training data's classes \('a', 'b'\)/);
    assert.equal(error.line, 5);
    assert.equal(error.column, 3);
    assert.equal(error.file, join(scratch, 'bad.csv'));
    return true;
  });
  const spiral = await load('spiral', { classes: 3 });
  assert.throws(() => encodeWith([0, 1], spiral), /spiral\(\) sample \d+: label 2 is not among the training data's classes \(0, 1\)/);
});

test('stratified split keeps class proportions, is seeded, and never takes the last rows', async () => {
  // Sorted by class, as many files are: the last 20% is all class 1.
  const labels = [...Array(70).fill('a'), ...Array(28).fill('b'), 'c', 'c'];
  const data: RawData = { features: Float32Array.from(labels.keys()), labels, count: labels.length, featureShape: [1], name: 'sorted' };
  const { indices } = encodeLabels(data);
  const { train, validation } = stratifiedSplit(data, indices, 0.2, 5);
  assert.deepEqual(Object.fromEntries(tally(validation.data.labels)), { a: 14, b: 6, c: 1 });
  assert.deepEqual(Object.fromEntries(tally(train.data.labels)), { a: 56, b: 22, c: 1 });
  assert.equal(validation.indices.length, validation.data.count);
  assert.deepEqual(Array.from(validation.indices), Array.from(validation.data.labels, (l) => ['a', 'b', 'c'].indexOf(l as string)));
  // The features travel with their rows (each feature is its row number), in the original order, each row once.
  const rowsOf = (part: RawData) => Array.from(part.features);
  assert.deepEqual([...rowsOf(train.data), ...rowsOf(validation.data)].sort((a, b) => a - b), Array.from(labels.keys()));
  assert.deepEqual(rowsOf(validation.data), [...rowsOf(validation.data)].sort((a, b) => a - b));

  assert.deepEqual(rowsOf(stratifiedSplit(data, indices, 0.2, 5).validation.data), rowsOf(validation.data));
  assert.notDeepEqual(rowsOf(stratifiedSplit(data, indices, 0.2, 6).validation.data), rowsOf(validation.data));

  // A class of one stays in training; a class of two gives one to each side, however small or large the fraction.
  const tiny: RawData = { features: new Float32Array(3), labels: ['x', 'y', 'y'], count: 3, featureShape: [1], name: 'tiny' };
  for (const fraction of [0.01, 0.99]) {
    const split = stratifiedSplit(tiny, encodeLabels(tiny).indices, fraction, 1);
    assert.deepEqual(Array.from(split.validation.data.labels), ['y']);
    assert.deepEqual(Array.from(split.train.data.labels), ['x', 'y']);
  }
});

test('tensors: one-hot, sparse, binary and regression labels; too many classes refused', async () => {
  const data = await load('spiral', { samples: 9, classes: 3 });
  const { classes, indices } = encodeLabels(data);
  const shapes = (target: 'categorical' | 'sparse' | 'binary' | 'regression', units: number) => {
    const { x, y } = toTensors(data, indices, classes.length, target, units);
    const result = { x: x.shape, y: y.shape, values: y.arraySync() };
    tf.dispose([x, y]);
    return result;
  };
  const categorical = shapes('categorical', 3);
  assert.deepEqual(categorical.x, [9, 2]);
  assert.deepEqual(categorical.y, [9, 3]);
  categorical.values.forEach((row, i) => assert.deepEqual(row, [0, 1, 2].map((c) => (c === indices[i] ? 1 : 0))));
  // More units than classes is fine: the extra classes never occur.
  assert.deepEqual(shapes('categorical', 5).y, [9, 5]);
  const sparse = shapes('sparse', 3);
  assert.deepEqual(sparse.values, Array.from(indices, (i) => [i]));
  assert.deepEqual(shapes('regression', 1).values, Array.from(data.labels, (l) => [l]));

  const gate = await load('xor');
  const gateClasses = encodeLabels(gate);
  const binary = toTensors(gate, gateClasses.indices, 2, 'binary', 1);
  assert.deepEqual(binary.y.arraySync(), [[0], [1], [1], [0]]);
  const twoUnits = toTensors(gate, gateClasses.indices, 2, 'binary', 2);
  assert.deepEqual(twoUnits.y.arraySync(), [[1, 0], [0, 1], [0, 1], [1, 0]]);
  tf.dispose([binary.x, binary.y, twoUnits.x, twoUnits.y]);

  assert.throws(() => toTensors(data, indices, 26, 'categorical', 24), { name: 'DataError', message: 'the data has 26 classes but the output layer has 24 units' });
  assert.throws(() => toTensors(data, indices, 3, 'binary', 1), /the data has 3 classes but the output layer has 1 unit, which tells only 2 classes apart/);
  assert.throws(() => toTensors(data, indices, 3, 'regression', 2), /has one label column but the output layer has 2 units/);
  const words = await load('csv', { path: csvFile('words.csv', 'x,y,label\n0,0,low\n') });
  assert.throws(() => toTensors(words, encodeLabels(words).indices, 1, 'regression', 1), { name: 'DataError', line: 2, column: 3 });
});

test('a large CSV loads without holding twice its size', () => {
  // MNIST-sized rows: a label and 784 pixel values in 0–255.
  const rows = 36000;
  const file = join(scratch, 'large.csv');
  const fd = openSync(file, 'w');
  writeSync(fd, ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',') + '\n');
  const row = new Array<number>(785);
  for (let r = 0; r < rows; r++) {
    row[0] = r % 10;
    for (let i = 1; i < 785; i++) row[i] = (r * 31 + i * 17) % 256;
    writeSync(fd, row.join(',') + '\n');
  }
  closeSync(fd);
  const size = statSync(file).size;
  assert.ok(size > 20e6, `${size} bytes`);

  // A fresh process, so its peak resident memory (VmHWM) is this load's alone.
  const script = String.raw`
    const { loadDataSource } = require(${JSON.stringify(join(__dirname, '..', 'trainer', 'data'))});
    const { DATA_SOURCES } = require(${JSON.stringify(join(__dirname, '..', 'core'))});
    const status = (key) => Number(require('fs').readFileSync('/proc/self/status', 'utf8').split('\n').find((line) => line.startsWith(key)).match(/\d+/)[0]) * 1024;
    const spec = DATA_SOURCES.find((s) => s.name === 'csv');
    const values = { path: ${JSON.stringify(file)}, label: 'label', scale: 1 / 255, shape: null };
    global.gc();
    const before = status('VmRSS');
    loadDataSource({ spec, args: { values, given: new Set(), ranges: {} }, range: { pos: 0, end: 0 } }, { baseDir: '/', inputShape: [28, 28, 1], seed: 1 }).then((data) => {
      const last = data.features[data.features.length - 1];
      console.log(JSON.stringify({ growth: status('VmHWM') - before, count: data.count, shape: data.featureShape, last, label: data.labels[data.count - 1] }));
    });`;
  const result = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' })) as { growth: number; count: number; shape: number[]; last: number; label: number };
  assert.equal(result.count, rows);
  assert.deepEqual(result.shape, [28, 28, 1]);
  assert.equal(result.label, (rows - 1) % 10);
  assert.equal(result.last, Math.fround((((rows - 1) * 31 + 784 * 17) % 256) / 255));
  const ratio = result.growth / size;
  console.log(`large CSV: ${(size / 1e6).toFixed(1)} MB file, peak memory growth ${(result.growth / 1e6).toFixed(1)} MB (${ratio.toFixed(2)}× the file)`);
  assert.ok(ratio < 2, `peak growth ${ratio.toFixed(2)}× the file size`);
});
