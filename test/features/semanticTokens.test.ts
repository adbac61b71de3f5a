/**
 * Semantic tokens: each token's range, kind and modifiers, shown as line
 * and column with its text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getSemanticTokens } from '../../core/features/semanticTokens';
import { allNetTexts, cutPoints } from '../support';

/** Tokens as `line:char text kind+modifiers`, easy to read in a failing test. */
function describeTokens(text: string): string[] {
  const analysis = analyze(text);
  return getSemanticTokens(analysis).map(({ range, kind, modifiers }) => {
    const { line, character } = analysis.lines.positionAt(range.pos);
    return `${line}:${character} ${text.slice(range.pos, range.end)} ${[kind, ...modifiers].join('+')}`;
  });
}

describe('semantic tokens', () => {
  it('classifies every kind of name, literal and operator', () => {
    const text = [
      'model Net {  # two inputs',
      '  input x: [4]',
      '  h = x -> Dense(8, activation=relu) -> Foo(padding=same)',
      '  output (h, x) -> Concatenate()',
      '}',
      'train Net {',
      '  loss = mse',
      '  optimizer = SGD(learning_rate=1/10, nesterov=true)',
      '  metrics = [accuracy]',
      '  data = csv("d.csv")',
      '}',
    ].join('\n');
    assert.deepEqual(describeTokens(text), [
      '0:0 model keyword',
      '0:6 Net model+declaration',
      '0:13 # two inputs comment',
      '1:2 input keyword',
      '1:8 x tensor+declaration+input',
      '1:12 4 number',
      '2:2 h tensor+declaration',
      '2:4 = operator',
      '2:6 x tensor+input',
      '2:8 -> operator',
      '2:11 Dense layer+builtin',
      '2:17 8 number',
      '2:20 activation argument',
      '2:30 = operator',
      '2:31 relu value+builtin',
      '2:37 -> operator',
      '2:40 Foo layer',
      '2:44 padding argument',
      '2:51 = operator',
      '2:52 same value',
      '3:2 output keyword',
      '3:10 h tensor',
      '3:13 x tensor+input',
      '3:16 -> operator',
      '3:19 Concatenate layer+builtin',
      '5:0 train keyword',
      '5:6 Net model',
      '6:2 loss setting',
      '6:7 = operator',
      '6:9 mse function+builtin',
      '7:2 optimizer setting',
      '7:12 = operator',
      '7:14 SGD function+builtin',
      '7:18 learning_rate argument',
      '7:31 = operator',
      '7:32 1 number',
      '7:33 / operator',
      '7:34 10 number',
      '7:38 nesterov argument',
      '7:46 = operator',
      '7:47 true keyword',
      '8:2 metrics setting',
      '8:10 = operator',
      '8:13 accuracy function+builtin',
      '9:2 data setting',
      '9:7 = operator',
      '9:9 csv function+builtin',
      '9:13 "d.csv" string',
    ]);
  });

  it('classifies a wrapped layer as a layer', () => {
    const tokens = describeTokens('model M {\n  input x: [4, 2]\n  x -> Bidirectional(LSTM(3))\n}');
    assert.ok(tokens.includes('2:21 LSTM layer+builtin'));
  });

  it('never throws and gives sorted, non-overlapping, non-empty single-line tokens, for every example and every prefix of it', () => {
    for (const text of allNetTexts()) {
      for (const cut of cutPoints(text)) {
        const analysis = analyze(text.slice(0, cut));
        const tokens = getSemanticTokens(analysis);
        tokens.forEach(({ range }, i) => {
          assert.ok(range.pos < range.end, 'an empty token');
          assert.ok(!/[\r\n]/.test(analysis.text.slice(range.pos, range.end)), 'a token runs past its line');
          const previous = tokens[i - 1];
          if (previous) assert.ok(previous.range.end <= range.pos, 'tokens overlap or are out of order');
        });
      }
    }
  });
});
