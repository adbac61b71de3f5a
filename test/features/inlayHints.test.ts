/**
 * Inlay hints: shapes and counts after layer calls and inputs, placed at the
 * end of each call, only inside the range asked for.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getInlayHints } from '../../core/features/inlayHints';
import { netFiles, projectExamples, read, repoRoot } from '../support';

const TEXT = `model M {
  input pixels: [784]
  pixels
    -> Dense(1024, activation=relu)
    -> Dropout(0.2)
    -> Dense(10, activation=softmax)
}

model Broken {
  input x: [64]
  x -> Conv2D(8, 3) -> Dense(1)
}
`;

/** Each hint as the text it follows and its label. */
function hintsOf(text: string, range?: { pos: number; end: number }): [string, string][] {
  return getInlayHints(analyze(text), range).map((hint) => {
    assert.equal(hint.kind, 'type');
    assert.equal(hint.paddingLeft, true);
    const line = text.slice(text.lastIndexOf('\n', hint.pos - 1) + 1, hint.pos).trim();
    return [line, hint.label];
  });
}

describe('inlay hints', () => {
  it('shows each input\'s shape and each layer\'s shape and count; nothing for unknown shapes', () => {
    assert.deepEqual(hintsOf(TEXT), [
      ['input pixels: [784]', '(None, 784)'],
      ['-> Dense(1024, activation=relu)', '(None, 1024) · 803,840 params'],
      ['-> Dropout(0.2)', '(None, 1024)'],
      ['-> Dense(10, activation=softmax)', '(None, 10) · 10,250 params'],
      ['input x: [64]', '(None, 64)'],
    ]);
  });

  it('places hints at the end of each call of a pipeline on one line', () => {
    const text = 'model P {\n  input [3]\n  Dense(1) -> Dense(2)\n}';
    const positions = getInlayHints(analyze(text)).map((hint) => hint.pos);
    assert.deepEqual(positions, [text.indexOf('[3]') + 3, text.indexOf('Dense(1)') + 8, text.indexOf('Dense(2)') + 8]);
    assert.equal(getInlayHints(analyze(text))[1]!.label, '(None, 1) · 4 params');
  });

  it('keeps only the hints inside the range', () => {
    const start = TEXT.indexOf('-> Dropout');
    const end = TEXT.indexOf('\n}');
    assert.deepEqual(hintsOf(TEXT, { pos: start, end }), [
      ['-> Dropout(0.2)', '(None, 1024)'],
      ['-> Dense(10, activation=softmax)', '(None, 10) · 10,250 params'],
    ]);
    assert.deepEqual(hintsOf(TEXT, { pos: 0, end: 5 }), []);
  });

  it('says param for a single parameter', () => {
    const text = 'model Q {\n  input [1, 1]\n  PReLU(shared_axes=[1])\n}';
    assert.deepEqual(hintsOf(text).map(([, label]) => label), ['(None, 1, 1)', '(None, 1, 1) · 1 param']);
  });
});

describe('inlay hint robustness', () => {
  const files = [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors')), ...netFiles(join(repoRoot, 'test', 'fixtures'))];
  it('never throws and keeps hints in the text and in range, for every example and fixture', () => {
    for (const file of files) {
      const analysis = analyze(read(file));
      const all = getInlayHints(analysis);
      for (const hint of all) assert.ok(hint.pos >= 0 && hint.pos <= analysis.text.length && hint.label.length > 0, file);
      for (let offset = 0; offset <= analysis.text.length; offset += 7) {
        const range = { pos: offset, end: offset + 40 };
        const inRange = getInlayHints(analysis, range);
        assert.deepEqual(inRange, all.filter((hint) => hint.pos >= range.pos && hint.pos <= range.end), `${file}@${offset}`);
      }
    }
  });
});
