/**
 * The examples are the language's contract: every file checks exactly as its
 * comments say. `# error: message` marks the one error on a line; a comment
 * with a shape and a count, `# (None, 26, 26, 32)  320`, gives the output
 * shape of the line's last layer and the params of all its layers; `# N
 * params` on a model's line gives the model's total.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, formatShape, type Analysis, type Network } from '../core';
import { netFiles, projectExamples, read, sharedExamples } from './support';

interface Expectations {
  errors: Map<number, string>;
  layers: Map<number, { shape?: string; params?: number }>;
  modelTotals: Map<string, number>;
}

const count = (text: string): number => Number(text.replace(/,/g, ''));

function expectationsOf(text: string): Expectations {
  const errors = new Map<number, string>();
  const layers = new Map<number, { shape?: string; params?: number }>();
  const modelTotals = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const hash = line.indexOf('#');
    if (hash < 0 || line.slice(0, hash).trim() === '') return;
    const code = line.slice(0, hash);
    const comment = line.slice(hash + 1).trim();
    const error = /^error: (.*)$/.exec(comment);
    if (error) return void errors.set(index, error[1]!);
    const model = /^\s*model\s+(\w+)/.exec(code);
    const total = /^([\d,]+) params/.exec(comment);
    if (model && total) return void modelTotals.set(model[1]!, count(total[1]!));
    const layer = /^(\([^)]*\))?\s*([\d,]+)?\s*$/.exec(comment);
    if (layer && (layer[1] || layer[2])) layers.set(index, { shape: layer[1], params: layer[2] ? count(layer[2]) : undefined });
  });
  return { errors, layers, modelTotals };
}

function networkOf(analysis: Analysis, name: string): Network {
  const found = analysis.models.find((model) => model.network.name === name);
  assert.ok(found, `no model ${name}`);
  return found.network;
}

function checkAgainstComments(path: string): Analysis {
  const text = read(path);
  const analysis = analyze(text);
  const expected = expectationsOf(text);
  const lineOf = (pos: number): number => analysis.lines.positionAt(pos).line;

  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const actual = errors.map((d) => `${lineOf(d.pos) + 1}: ${d.message}`);
  const wanted = [...expected.errors].map(([line, message]) => `${line + 1}: ${message}`);
  assert.deepEqual(actual.sort(), wanted.sort(), `${basename(path)}: errors`);

  for (const [line, want] of expected.layers) {
    const onLine = analysis.models
      .flatMap((model) => model.network.layers)
      .filter((layer) => layer.type !== 'Input' && lineOf(layer.range.pos) === line);
    assert.ok(onLine.length > 0, `${basename(path)}:${line + 1}: no layer on the line`);
    const last = onLine[onLine.length - 1]!;
    if (want.shape) assert.equal(last.outputShape && formatShape(last.outputShape), want.shape, `${basename(path)}:${line + 1}: shape`);
    if (want.params !== undefined) {
      const sum = onLine.reduce((total, layer) => total + (layer.params ? layer.params.trainable + layer.params.nonTrainable : NaN), 0);
      assert.equal(sum, want.params, `${basename(path)}:${line + 1}: params`);
    }
  }
  for (const [name, total] of expected.modelTotals) {
    assert.equal(networkOf(analysis, name).params?.total, total, `${basename(path)}: ${name} total`);
  }
  return analysis;
}

const totals = (analysis: Analysis, name: string) => networkOf(analysis, name).params;

describe('shared examples', () => {
  const files = netFiles(sharedExamples);

  it('are all present', () => {
    assert.deepEqual(files.map((f) => basename(f)), ['digits_cnn.net', 'residual.net', 'shape_errors.net', 'sign_mnist.net', 'xor.net']);
  });

  for (const file of files) {
    it(`${basename(file)} checks as its comments say`, () => {
      checkAgainstComments(file);
    });
  }

  it('count what the brief says', () => {
    const load = (name: string) => analyze(read(`${sharedExamples}/${name}`));
    const xor = load('xor.net');
    assert.equal(totals(xor, 'XorLogistic')?.total, 3);
    assert.equal(totals(xor, 'XorMLP')?.total, 33);
    assert.equal(totals(xor, 'XorFunctional')?.total, 33);
    assert.deepEqual(totals(load('sign_mnist.net'), 'SignMNIST'), { total: 1_466_136, trainable: 1_466_136, nonTrainable: 0 });
    assert.deepEqual(totals(load('digits_cnn.net'), 'DigitsCNN'), { total: 34_954, trainable: 34_890, nonTrainable: 64 });
    assert.equal(totals(load('residual.net'), 'Residual')?.total, 27_298);
  });

  it('shape_errors.net has exactly one error on each of lines 8 to 12', () => {
    const analysis = analyze(read(`${sharedExamples}/shape_errors.net`));
    const lines = analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => analysis.lines.positionAt(d.pos).line + 1);
    assert.deepEqual(lines, [8, 9, 10, 11, 12]);
    const codes = analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    assert.deepEqual(codes, ['shape-mismatch', 'rank-mismatch', 'unknown-activation', 'reshape-size', 'argument-range']);
    // The file is checked to its end: the output line after the errors still has shapes.
    const output = networkOf(analysis, 'Broken').outputs[0]!;
    assert.deepEqual(output.outputShape, [null, 3]);
  });
});

describe('project examples', () => {
  const files = [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors'))];

  for (const file of files) {
    it(`${basename(file)} checks as its comments say`, () => {
      checkAgainstComments(file);
    });
  }

  it('cover the shared examples\' ground and the homework MLP', () => {
    const load = (name: string) => analyze(read(`${projectExamples}/${name}`));
    assert.equal(totals(load('xor.net'), 'XorLogistic')?.total, 3);
    assert.equal(totals(load('xor.net'), 'XorMLP')?.total, 33);
    assert.equal(totals(load('sign_mnist.net'), 'SignMNIST')?.total, 1_466_136);
    assert.deepEqual(totals(load('digits_cnn.net'), 'DigitsCNN'), { total: 34_954, trainable: 34_890, nonTrainable: 64 });
    assert.equal(totals(load('residual.net'), 'Residual')?.total, 27_298);
    assert.deepEqual(totals(load('homework_mlp.net'), 'HomeworkMLP'), { total: 1_462_538, trainable: 1_462_538, nonTrainable: 0 });
    const mistakes = load('errors/mistakes.net');
    assert.ok(mistakes.diagnostics.filter((d) => d.severity === 'error').length >= 5);
  });

  it('every example without marked errors has none, and every train block names its models', () => {
    for (const file of files) {
      const analysis = analyze(read(file));
      if (expectationsOf(read(file)).errors.size > 0) continue;
      assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), [], basename(file));
      for (const block of analysis.trainBlocks) assert.equal(block.models.length, block.declaration.models.length, basename(file));
    }
  });
});
