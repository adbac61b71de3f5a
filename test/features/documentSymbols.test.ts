/**
 * The outline of a file: models with params and statements with shapes,
 * train blocks with their settings.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getDocumentSymbols, type DocumentSymbol } from '../../core/features/documentSymbols';
import { allNetTexts, cutPoints, read, sharedExamples } from '../support';

/** Name, kind and detail of a symbol and its children, with the text of its selection range. */
function outline(text: string, symbol: DocumentSymbol): unknown {
  return {
    name: symbol.name,
    kind: symbol.kind,
    detail: symbol.detail,
    selected: text.slice(symbol.selectionRange.pos, symbol.selectionRange.end),
    ...(symbol.children ? { children: symbol.children.map((child) => outline(text, child)) } : {}),
  };
}

function assertNested(symbols: DocumentSymbol[], within: { pos: number; end: number }): void {
  for (const symbol of symbols) {
    assert.ok(within.pos <= symbol.range.pos && symbol.range.end <= within.end, `${symbol.name} outside its parent`);
    assert.ok(symbol.range.pos <= symbol.selectionRange.pos && symbol.selectionRange.end <= symbol.range.end, `${symbol.name}'s selection outside its range`);
    assertNested(symbol.children ?? [], symbol.range);
  }
}

describe('document symbols', () => {
  it('outlines residual.net: the model, its inputs, tensors and output', () => {
    const text = read(join(sharedExamples, 'residual.net'));
    const symbols = getDocumentSymbols(analyze(text));
    const variable = (name: string, detail: string) => ({ name, kind: 'variable', detail, selected: name });
    assert.deepEqual(
      symbols.map((symbol) => outline(text, symbol)),
      [
        {
          name: 'Residual',
          kind: 'class',
          detail: '27,298 params',
          selected: 'Residual',
          children: [
            variable('features', '(None, 64)'),
            variable('extra', '(None, 8)'),
            variable('a', '(None, 128)'),
            variable('b', '(None, 128)'),
            variable('skip', '(None, 128)'),
            variable('both', '(None, 136)'),
            { name: 'Dense(18)', kind: 'function', detail: '(None, 18)', selected: 'Dense' },
          ],
        },
      ],
    );
    assertNested(symbols, { pos: 0, end: text.length });
  });

  it('names bare statements after their last layer and lists train settings', () => {
    const text = read(join(sharedExamples, 'sign_mnist.net'));
    const [model, train] = getDocumentSymbols(analyze(text)).map((symbol) => outline(text, symbol)) as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(model['detail'], '1,466,136 params');
    assert.deepEqual((model['children'] as unknown[])[1], { name: 'Dense(24)', kind: 'function', detail: '(None, 24)', selected: 'Dense' });
    assert.equal(train['name'], 'train SignMNIST');
    assert.equal(train['kind'], 'event');
    assert.deepEqual((train['children'] as unknown[]).slice(0, 2), [
      { name: 'data', kind: 'property', detail: 'csv("sign_mnist_train.csv", label="label", scale=1/255)', selected: 'data' },
      { name: 'validation', kind: 'property', detail: 'csv("sign_mnist_test.csv", label="label", scale=1/255)', selected: 'validation' },
    ]);
  });

  it('gives an unnamed input its default name, several outputs an entry each, and multi-line values one line', () => {
    const text = 'model Two {\n  input [4]\n  a = Dense(3)\n  output a -> Dense(1), a\n}\ntrain Two, Three {\n  callbacks = [  # first\n    EarlyStopping(patience=2),\n  ]\n}\n';
    const symbols = getDocumentSymbols(analyze(text));
    assert.deepEqual(
      symbols.map((symbol) => outline(text, symbol)),
      [
        {
          name: 'Two',
          kind: 'class',
          detail: '19 params',
          selected: 'Two',
          children: [
            { name: 'input_1', kind: 'variable', detail: '(None, 4)', selected: 'input' },
            { name: 'a', kind: 'variable', detail: '(None, 3)', selected: 'a' },
            { name: 'Dense(1)', kind: 'function', detail: '(None, 1)', selected: 'Dense' },
            { name: 'a', kind: 'variable', detail: '(None, 3)', selected: 'a' },
          ],
        },
        {
          name: 'train Two, Three',
          kind: 'event',
          detail: undefined,
          selected: 'Two, Three',
          children: [{ name: 'callbacks', kind: 'property', detail: '[EarlyStopping(patience=2),]', selected: 'callbacks' }],
        },
      ],
    );
  });

  it('never throws and nests ranges within the text, for every example and every prefix of it', () => {
    for (const text of allNetTexts()) {
      for (const cut of cutPoints(text)) {
        const prefix = text.slice(0, cut);
        assertNested(getDocumentSymbols(analyze(prefix)), { pos: 0, end: prefix.length });
      }
    }
  });
});


