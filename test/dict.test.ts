/**
 * The dict literal `{key: value, ...}`: settings per input or output, keyed
 * by their names. Parsed with recovery (an unclosed dict, a missing value or
 * colon), walked by `forEachChild`, formatted, folded and coloured.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../core';
import { formatDocument } from '../core/features/formatting';
import { getFoldingRanges } from '../core/features/folding';
import { getSemanticTokens } from '../core/features/semanticTokens';
import { forEachChild, type DictExpression, type Node, type TrainDeclaration } from '../core/syntax/tree';
import { applyEdits } from './features/cursor';

const block = (setting: string): string => `train M {\n  ${setting}\n  epochs = 5\n}\n`;

/** The settings of the first train block, as key and the value's kind. */
function settings(text: string): { key: string; kind: string }[] {
  const train = analyze(text).file.declarations.find((d): d is TrainDeclaration => d.kind === 'TrainDeclaration')!;
  return train.settings.map((setting) => ({ key: setting.key.text, kind: setting.value.kind }));
}

function dictOf(text: string): DictExpression {
  const train = analyze(text).file.declarations.find((d): d is TrainDeclaration => d.kind === 'TrainDeclaration')!;
  const value = train.settings[0]!.value;
  assert.equal(value.kind, 'Dict');
  return value as DictExpression;
}

/** Each entry as `key=value source`. */
function entries(text: string): string[] {
  return dictOf(text).entries.map((entry) => `${entry.key.kind === 'String' ? `"${entry.key.value}"` : entry.key.text}=${entry.value.kind === 'Missing' ? '?' : text.slice(entry.value.pos, entry.value.end)}`);
}

/** Syntax errors as `line:column expected-text`. */
function syntaxErrors(text: string): string[] {
  const analysis = analyze(text);
  return analysis.diagnostics
    .filter((d) => d.code === 'unexpected-token')
    .map((d) => {
      const at = analysis.lines.positionAt(d.pos);
      return `${at.line + 1}:${at.character + 1}`;
    });
}

describe('dict literal: parsing', () => {
  it('reads names and strings as keys, any expression as a value, over one line or several', () => {
    const text = block('loss = {out_a: binary_crossentropy, "out b": [mse, mae], c: Adam(learning_rate=0.1)}');
    assert.deepEqual(entries(text), ['out_a=binary_crossentropy', '"out b"=[mse, mae]', 'c=Adam(learning_rate=0.1)']);
    assert.equal(dictOf(text).closed, true);
    assert.deepEqual(syntaxErrors(text), []);
    const lines = block('loss = {\n    out_a: mse,\n    out_b: mae,\n  }');
    assert.deepEqual(entries(lines), ['out_a=mse', 'out_b=mae']);
    assert.deepEqual(syntaxErrors(lines), []);
    assert.deepEqual(settings(lines), [{ key: 'loss', kind: 'Dict' }, { key: 'epochs', kind: 'Number' }]);
    assert.deepEqual(entries(block('loss = {}')), []);
  });

  it('ends an unclosed dict before the next setting, keeping what was typed', () => {
    const text = block('loss = {out_a: mse, out_b: ma');
    assert.deepEqual(entries(text), ['out_a=mse', 'out_b=ma']);
    assert.equal(dictOf(text).closed, false);
    assert.deepEqual(syntaxErrors(text), ['2:32']);
    assert.deepEqual(settings(text), [{ key: 'loss', kind: 'Dict' }, { key: 'epochs', kind: 'Number' }]);
  });

  it('gives a key without its value or colon a missing value, and goes on', () => {
    assert.deepEqual(entries(block('loss = {out_a: , out_b: mse}')), ['out_a=?', 'out_b=mse']);
    assert.deepEqual(syntaxErrors(block('loss = {out_a: , out_b: mse}')), ['2:18']);
    assert.deepEqual(entries(block('loss = {out_a mse, out_b: mae}')), ['out_a=?', 'out_b=mae']);
    assert.deepEqual(entries(block('loss = {out_a:')), ['out_a=?']);
    assert.deepEqual(settings(block('loss = {out_a:')), [{ key: 'loss', kind: 'Dict' }, { key: 'epochs', kind: 'Number' }]);
  });

  it('skips what cannot be a key, and what follows an entry on its line', () => {
    assert.deepEqual(entries(block('loss = {3: mse, out_b: mae}')), ['out_b=mae']);
    assert.deepEqual(entries(block('loss = {out_a: mse mae, out_b: mae}')), ['out_a=mse', 'out_b=mae']);
  });

  it('lists its entries and their keys and values as children', () => {
    const dict = dictOf(block('loss = {out_a: mse, "b": mae}'));
    const kinds = (node: Node): string[] => {
      const found: string[] = [];
      forEachChild(node, (child) => void found.push(child.kind));
      return found;
    };
    assert.deepEqual(kinds(dict), ['DictEntry', 'DictEntry']);
    assert.deepEqual(kinds(dict.entries[0]!), ['Identifier', 'Name']);
    assert.deepEqual(kinds(dict.entries[1]!), ['String', 'Name']);
  });
});

describe('dict literal: editor features', () => {
  const model = 'model M {\n  input a: [2]\n  input b: [1]\n  output (a, b) -> Concatenate() -> Dense(1)\n}\n\n';

  it('formats a dict as Python writes one, on one line or one entry a line', () => {
    const format = (text: string): string => {
      const edits = formatDocument(analyze(text));
      assert.ok(edits, 'the formatter refused');
      return applyEdits(text, edits);
    };
    const messy = `${model}train M {\n  data = csv("d.csv", inputs={ a :"a0:a1",b:[ "b0" ] })\n  loss = mse\n}\n`;
    assert.equal(format(messy), `${model}train M {\n  data = csv("d.csv", inputs={a: "a0:a1", b: ["b0"]})\n  loss = mse\n}\n`);
    const broken = `${model}train M {\n  data = csv("d.csv", inputs={a: "a0:a1",\n  b: "b0"})\n  loss = mse\n}\n`;
    assert.equal(format(broken), `${model}train M {\n  data = csv(\n    "d.csv",\n    inputs={\n      a: "a0:a1",\n      b: "b0"\n    }\n  )\n  loss = mse\n}\n`);
  });

  it('folds a dict that spans lines', () => {
    const text = `${model}train M {\n  loss = {\n    out_a: mse,\n    out_b: mae\n  }\n}\n`;
    const analysis = analyze(text);
    const folds = getFoldingRanges(analysis).map(({ range, kind }) => `${kind} ${analysis.lines.positionAt(range.pos).line}-${analysis.lines.positionAt(range.end).line}`);
    assert.ok(folds.includes('brackets 7-10'), folds.join(', '));
  });

  it('colours a key as a tensor name and a value as the setting reads it', () => {
    const text = `${model}train M {\n  loss = {a: mse}\n}\n`;
    const analysis = analyze(text);
    const tokens = getSemanticTokens(analysis).map(({ range, kind }) => `${text.slice(range.pos, range.end)} ${kind}`);
    assert.ok(tokens.includes('a tensor'), tokens.join(', '));
    assert.ok(tokens.includes('mse function'), tokens.join(', '));
  });
});
