/**
 * What training asks of a file: its train blocks with their models and
 * spans, and its first error, which keeps the file from training (the
 * server's train-blocks request and the trainer both answer from these).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, firstError, trainBlockSpans } from '../../core';

const textOf = (text: string, range: { pos: number; end: number }): string => text.slice(range.pos, range.end);

// Two blocks for two models, the second naming both; a comment between them is no part of either.
const TWO_BLOCKS = `model A {
  input [2]
  Dense(1, activation=sigmoid)
}
model B {
  input [2]
  Dense(4)
  Dense(1, activation=sigmoid)
}
train A {
  data = xor()
  loss = mse
  epochs = 2 }
# then both, side by side
train A, B {
  data = and()
  loss = binary_crossentropy
}
`;

describe('train blocks', () => {
  it('numbers the blocks in file order, with their models and spans from `train` to the closing brace', () => {
    const spans = trainBlockSpans(analyze(TWO_BLOCKS));
    assert.deepEqual(
      spans.map((span) => [span.index, span.models, textOf(TWO_BLOCKS, span.range)]),
      [
        [0, ['A'], 'train A {\n  data = xor()\n  loss = mse\n  epochs = 2 }'],
        [1, ['A', 'B'], 'train A, B {\n  data = and()\n  loss = binary_crossentropy\n}'],
      ],
    );
  });

  it('has no blocks for a file without one, and spans a block cut short up to where the text ends', () => {
    assert.deepEqual(trainBlockSpans(analyze('model A {\n  input [2]\n  Dense(1)\n}\n')), []);
    const text = 'model A {\n  input [2]\n  Dense(1)\n}\ntrain A {\n  data = xor()';
    const [span, ...rest] = trainBlockSpans(analyze(text));
    assert.equal(rest.length, 0);
    assert.equal(textOf(text, span!.range), 'train A {\n  data = xor()');
  });
});

describe('the first error', () => {
  it('is the error that comes first in the text, not the first one found', () => {
    // Train blocks are checked after every model, so the block's error is found second though it comes first.
    const model = 'model A {\n  input [2]\n  Dense(2, activation=softmaxx)\n}\n';
    const text = `train A {\n  data = xor()\n  loss = nope\n}\n${model}`;
    const analysis = analyze(text);
    assert.ok(analysis.diagnostics.some((diagnostic) => diagnostic.code === 'unknown-activation'));
    const error = firstError(analysis);
    assert.equal(textOf(text, error!), 'nope');
  });

  it('passes over warnings: a file with warnings only has none', () => {
    const warned = 'model A {\n  input x: [2]\n  input y: [2]\n  output x -> Dense(1)\n}\n';
    const analysis = analyze(warned);
    assert.ok(analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'warning'));
    assert.equal(firstError(analysis), undefined);
    const text = `${warned}train A {\n  data = xor()\n  loss = nope\n}\n`;
    const error = firstError(analyze(text));
    assert.equal(error?.severity, 'error');
    assert.ok(error!.pos > warned.length, 'the error in the train block, after the warning');
  });

  it('is undefined for a file without errors', () => {
    assert.equal(firstError(analyze(TWO_BLOCKS)), undefined);
  });
});
