/**
 * Rename: edits applied to the text give the expected file, which checks
 * with no new diagnostics; invalid or clashing names are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, type Analysis } from '../../core';
import { getRenameEdits, prepareRename } from '../../core/features/rename';
import { allNetTexts } from '../support';
import { atCursor, applyEdits } from './cursor';


function rename(analysis: Analysis, offset: number, newName: string): string {
  const result = getRenameEdits(analysis, offset, newName);
  if ('error' in result) assert.fail(result.error);
  return applyEdits(analysis.text, result.edits);
}

function refusal(analysis: Analysis, offset: number, newName: string): string {
  const result = getRenameEdits(analysis, offset, newName);
  assert.ok('error' in result, `renaming to '${newName}' was not refused`);
  return result.error;
}

const codes = (analysis: Analysis): string[] => analysis.diagnostics.map((diagnostic) => diagnostic.code);

const residual = `model Residual {
  input features: [64]
  input extra: [8]
  a = features -> Dense(128, activation=relu)
  b = a -> Dense(128, activation=relu) -> Dropout(0.2)
  skip = (a, b) -> Add()
  both = (skip, extra) -> Concatenate()
  output both -> Dense(18, activation=softmax)
}

model Other {
  input a: [2]
  a -> Dense(1)
}
`;

describe('rename', () => {
  it('renames a tensor at its definition and every use, and nothing else', () => {
    const { analysis, offset } = atCursor(residual.replace('skip = (a, b)', 'skip = (a|, b)'));
    const renamed = rename(analysis, offset, 'hidden');
    assert.equal(
      renamed,
      residual
        .replace('  a = features', '  hidden = features')
        .replace('b = a ->', 'b = hidden ->')
        .replace('(a, b)', '(hidden, b)'),
    );
    assert.deepEqual(codes(analyze(renamed)), codes(analysis));
  });

  it('renames a model in its declaration and every train block', () => {
    const text = 'model Xor {\n  input [2]\n  Dense(1, activation=sigmoid)\n}\n\ntrain Xor {\n  data = xor()\n  loss = binary_crossentropy\n}\n\ntrain Other, Xor {\n  epochs = 2\n}\n';
    const analysis = analyze(text);
    const renamed = rename(analysis, text.indexOf('Xor {') + 1, 'XorMLP');
    assert.equal(renamed, text.replace('model Xor', 'model XorMLP').replace('train Xor', 'train XorMLP').replace('Other, Xor', 'Other, XorMLP'));
    assert.deepEqual(codes(analyze(renamed)), codes(analysis));
  });

  it('prepares at a name with its range and text', () => {
    const { analysis, offsets } = atCursor('model M {\n  input |pix|els|: [4]\n  pixels -> Dense(1)\n}\n');
    assert.deepEqual(prepareRename(analysis, offsets[1]!), { range: { pos: offsets[0], end: offsets[2] }, placeholder: 'pixels' });
  });

  it('refuses names that are not identifiers, keywords, and names already taken', () => {
    const { analysis, offsets } = atCursor('model |M {\n  input x: [4]\n  |a = x -> Dense(4)\n  b = a -> Dense(4)\n  output b\n}\nmodel Taken {\n  input [1]\n  Dense(1)\n}\n');
    const [model, tensor] = offsets as [number, number];
    for (const name of ['2a', 'a-b', '', 'a b', 'é']) assert.match(refusal(analysis, tensor, name), /not a valid name/);
    for (const name of ['model', 'train', 'input', 'output', 'true', 'false', 'none', 'None']) assert.match(refusal(analysis, tensor, name), /keyword/);
    assert.match(refusal(analysis, tensor, 'b'), /already has a tensor named 'b'/);
    assert.match(refusal(analysis, tensor, 'x'), /already has a tensor named 'x'/);
    assert.match(refusal(analysis, model, 'Taken'), /model named 'Taken' already exists/);
    assert.deepEqual(getRenameEdits(analysis, tensor, 'a'), { edits: [] });
  });

  it('has nothing to rename on layers, values, undefined names and models the file lacks', () => {
    const { analysis, offsets } = atCursor('model M {\n  input x: [4]\n  Den|se(8, activation=re|lu)\n  y = undefi|ned -> Dense(1)\n}\ntrain Miss|ing {\n  epochs = 1\n}\n');
    for (const offset of offsets) {
      assert.equal(prepareRename(analysis, offset), undefined);
      assert.match(refusal(analysis, offset, 'fresh'), /can be renamed/);
    }
  });

  it('never throws and edits only within the text, at every offset of every example', () => {
    for (const text of allNetTexts()) {
      const analysis = analyze(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        const prepared = prepareRename(analysis, offset);
        const result = getRenameEdits(analysis, offset, 'renamed_name');
        assert.equal('edits' in result, prepared !== undefined);
        if ('edits' in result) for (const { range } of result.edits) assert.ok(0 <= range.pos && range.pos < range.end && range.end <= text.length);
      }
    }
  });
});


describe('rename: a model input named by a train block\'s inputs={…}', () => {
  const TWO_INPUTS = `model Residual {
  input features: [4]
  input extra: [2]
  both = (features, extra) -> Concatenate()
  output both -> Dense(3, activation=softmax)
}

train Residual {
  data = csv("d.csv", label="y", inputs={features: "f0:f3", extra: "e0:e1"})
  validation = csv("v.csv", label="y", inputs={|features: "f0:f3", extra: "e0:e1"})
  loss = categorical_crossentropy
}
`;

  it('renames the input, its uses and every key that names it, from the input or from a key', () => {
    const { analysis, text, offset } = atCursor(TWO_INPUTS);
    const fromInput = text.indexOf('features: [4]');
    for (const at of [offset, fromInput]) {
      const renamed = rename(analysis, at, 'pixels');
      assert.equal(renamed.match(/\bpixels\b/g)?.length, 4, renamed);
      assert.doesNotMatch(renamed, /\bfeatures\b/);
      assert.deepEqual(codes(analyze(renamed)), codes(analysis));
    }
    assert.deepEqual(prepareRename(analysis, offset), { range: { pos: offset, end: offset + 'features'.length }, placeholder: 'features' });
  });

  it('is refused when one key names the inputs of two models of the block', () => {
    const { analysis, offset } = atCursor(TWO_INPUTS.replace('train Residual {', 'model Twin {\n  input features: [4]\n  input extra: [2]\n  output (features, extra) -> Concatenate() -> Dense(3, activation=softmax)\n}\n\ntrain Residual, Twin {'));
    assert.match(refusal(analysis, offset, 'pixels'), /both 'Residual' and 'Twin'/);
  });
});
