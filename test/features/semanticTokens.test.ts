/**
 * Semantic tokens, decoded from LSP's relative encoding back to lines and
 * columns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getSemanticTokens, SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES } from '../../core/features/semanticTokens';
import { allNetTexts, cutPoints } from '../support';

interface DecodedToken {
  line: number;
  char: number;
  length: number;
  type: string;
  modifiers: string[];
}

function decode(data: number[]): DecodedToken[] {
  assert.equal(data.length % 5, 0);
  const tokens: DecodedToken[] = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaChar, length, type, bits] = data.slice(i, i + 5) as [number, number, number, number, number];
    line += deltaLine;
    char = deltaLine === 0 ? char + deltaChar : deltaChar;
    const modifiers = SEMANTIC_TOKEN_MODIFIERS.filter((_, bit) => bits & (1 << bit));
    tokens.push({ line, char, length, type: SEMANTIC_TOKEN_TYPES[type]!, modifiers });
  }
  return tokens;
}

/** Decoded tokens as `line:char text type+modifiers`, easy to read in a failing test. */
function describeTokens(text: string): string[] {
  const lines = text.split('\n');
  return decode(getSemanticTokens(analyze(text))).map(({ line, char, length, type, modifiers }) =>
    `${line}:${char} ${lines[line]!.slice(char, char + length)} ${[type, ...modifiers].join('+')}`,
  );
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
      '0:6 Net type+declaration',
      '0:13 # two inputs comment',
      '1:2 input keyword',
      '1:8 x variable+declaration+readonly',
      '1:12 4 number',
      '2:2 h variable+declaration',
      '2:4 = operator',
      '2:6 x variable+readonly',
      '2:8 -> operator',
      '2:11 Dense class+defaultLibrary',
      '2:17 8 number',
      '2:20 activation parameter',
      '2:30 = operator',
      '2:31 relu enumMember+defaultLibrary',
      '2:37 -> operator',
      '2:40 Foo class',
      '2:44 padding parameter',
      '2:51 = operator',
      '2:52 same enumMember',
      '3:2 output keyword',
      '3:10 h variable',
      '3:13 x variable+readonly',
      '3:16 -> operator',
      '3:19 Concatenate class+defaultLibrary',
      '5:0 train keyword',
      '5:6 Net type',
      '6:2 loss property',
      '6:7 = operator',
      '6:9 mse function+defaultLibrary',
      '7:2 optimizer property',
      '7:12 = operator',
      '7:14 SGD function+defaultLibrary',
      '7:18 learning_rate parameter',
      '7:31 = operator',
      '7:32 1 number',
      '7:33 / operator',
      '7:34 10 number',
      '7:38 nesterov parameter',
      '7:46 = operator',
      '7:47 true keyword',
      '8:2 metrics property',
      '8:10 = operator',
      '8:13 accuracy function+defaultLibrary',
      '9:2 data property',
      '9:7 = operator',
      '9:9 csv function+defaultLibrary',
      '9:13 "d.csv" string',
    ]);
  });

  it('classifies a wrapped layer as a layer', () => {
    const tokens = describeTokens('model M {\n  input x: [4, 2]\n  x -> Bidirectional(LSTM(3))\n}');
    assert.ok(tokens.includes('2:21 LSTM class+defaultLibrary'));
  });

  it('never throws and gives sorted, non-overlapping single-line tokens, for every example and every prefix of it', () => {
    for (const text of allNetTexts()) {
      for (const cut of cutPoints(text)) {
        const analysis = analyze(text.slice(0, cut));
        const tokens = decode(getSemanticTokens(analysis));
        tokens.forEach((token, i) => {
          const start = analysis.lines.offsetAt({ line: token.line, character: token.char });
          const end = analysis.lines.offsetAt({ line: token.line, character: token.char + token.length });
          assert.ok(token.length > 0 && end - start === token.length, 'a token runs past its line');
          const previous = tokens[i - 1];
          if (previous) assert.ok(previous.line < token.line || previous.char + previous.length <= token.char, 'tokens overlap or are out of order');
        });
      }
    }
  });
});


