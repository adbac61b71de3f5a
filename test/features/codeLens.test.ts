/**
 * Code lenses: a parameter count and "Graph" over each model, "▶ Train" over each train
 * block, with the action each asks for (the server maps it onto the client's
 * command).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getCodeLenses } from '../../core/features/codeLens';
import { projectExamples, read } from '../support';

const textOf = (text: string, range: { pos: number; end: number }): string => text.slice(range.pos, range.end);

describe('code lenses', () => {
  it('shows a model its total params and connected layers, and opens its summary', () => {
    const text = read(join(projectExamples, 'sign_mnist.net'));
    const [model, graph, train, ...rest] = getCodeLenses(analyze(text));
    assert.equal(rest.length, 0);
    assert.equal(model?.title, '1,466,136 params · 4 layers');
    assert.deepEqual(model?.action, { kind: 'showSummary', model: 'SignMNIST' });
    assert.equal(textOf(text, model.range), 'model SignMNIST');
    assert.equal(graph?.title, 'Graph');
    assert.deepEqual(graph?.action, { kind: 'showGraph', model: 'SignMNIST' });
    assert.equal(textOf(text, graph.range), 'model SignMNIST');
    assert.equal(train?.title, '▶ Train');
    assert.deepEqual(train?.action, { kind: 'train', index: 0, models: ['SignMNIST'] });
    assert.equal(textOf(text, train.range), 'train SignMNIST');
  });

  it('says when errors leave the count unknown', () => {
    const text = 'model Broken {\n  input [4]\n  Dense(0)\n}\n';
    const [lens] = getCodeLenses(analyze(text));
    assert.equal(lens?.title, 'params unknown (errors)');
    assert.deepEqual(lens?.action, { kind: 'showSummary', model: 'Broken' });
  });

  it('counts one param and one layer in the singular, and leaves out unconnected layers', () => {
    const text = 'model One {\n  input x: [1]\n  x -> Dense(5)\n  output x -> Dense(1, use_bias=false)\n}\n';
    assert.equal(getCodeLenses(analyze(text))[0]?.title, '1 param · 1 layer');
  });

  it('numbers train blocks in file order and passes every model they name', () => {
    const text = [
      'model A {\n  input [2]\n  Dense(1, activation=sigmoid)\n}',
      'train A {\n  data = xor()\n  loss = binary_crossentropy\n}',
      'model B {\n  input [2]\n  Dense(4)\n  Dense(1, activation=sigmoid)\n}',
      'train A, B {\n  data = and()\n  loss = binary_crossentropy\n}',
      '',
    ].join('\n');
    const lenses = getCodeLenses(analyze(text));
    assert.deepEqual(
      lenses.map((lens) => [textOf(text, lens.range), lens.title, lens.action]),
      [
        ['model A', '3 params · 1 layer', { kind: 'showSummary', model: 'A' }],
        ['model A', 'Graph', { kind: 'showGraph', model: 'A' }],
        ['train A', '▶ Train', { kind: 'train', index: 0, models: ['A'] }],
        ['model B', '17 params · 2 layers', { kind: 'showSummary', model: 'B' }],
        ['model B', 'Graph', { kind: 'showGraph', model: 'B' }],
        ['train A, B', '▶ Train', { kind: 'train', index: 1, models: ['A', 'B'] }],
      ],
    );
  });

  it('gives nothing to a nameless model and never throws on broken text', () => {
    assert.deepEqual(getCodeLenses(analyze('model {\n  input [2]\n}\n')), []);
    const text = read(join(projectExamples, 'residual.net'));
    for (let cut = 0; cut <= text.length; cut += 5) getCodeLenses(analyze(text.slice(0, cut)));
    const [lens] = getCodeLenses(analyze('train { data = xor() }'));
    assert.equal(lens?.title, '▶ Train');
    assert.deepEqual(lens?.range, { pos: 0, end: 5 });
  });
});
