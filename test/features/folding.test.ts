/**
 * Folding ranges, in lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getFoldingRanges } from '../../core/features/folding';
import { allNetTexts, cutPoints } from '../support';

describe('folding ranges', () => {
  it('folds comments, bodies, a pipeline and a multi-line callbacks list', () => {
    const text = [
      '# A small CNN on handwritten digits.', // 0
      '# Two lines of comment fold.', // 1
      '', // 2
      'model DigitsCNN {', // 3
      '  input image: [28, 28, 1]', // 4
      '  image', // 5
      '    -> Conv2D(32, 3, activation=relu)', // 6
      '    -> Flatten()', // 7
      '    -> Dense(10, activation=softmax)', // 8
      '}', // 9
      '', // 10
      'train DigitsCNN {', // 11
      '  data       = mnist()', // 12
      '  loss       = categorical_crossentropy', // 13
      '  callbacks  = [', // 14
      '    ReduceLROnPlateau(monitor=val_loss, factor=0.5, patience=2),', // 15
      '    EarlyStopping(monitor=val_loss, patience=4)', // 16
      '  ]', // 17
      '  # one comment line does not fold', // 18
      '}', // 19
      '',
    ].join('\n');
    assert.deepEqual(getFoldingRanges(analyze(text)), [
      { startLine: 0, endLine: 1, kind: 'comment' },
      { startLine: 3, endLine: 8 },
      { startLine: 5, endLine: 8 },
      { startLine: 11, endLine: 18 },
      { startLine: 14, endLine: 16 },
    ]);
  });

  it('folds calls that span lines, to the closing line when code precedes the closer', () => {
    const text = 'model M {\n  input x: [4]\n  x -> Dense(\n    8,\n    activation=relu)\n}\n# region Training\ntrain M {\n  epochs = 1 }\n# endregion\n';
    assert.deepEqual(getFoldingRanges(analyze(text)), [
      { startLine: 0, endLine: 4 },
      { startLine: 2, endLine: 4 },
      { startLine: 6, endLine: 9, kind: 'region' },
      { startLine: 7, endLine: 8 },
    ]);
  });

  it('leaves trailing comments out of comment runs', () => {
    const text = 'model M {     # a\n  input [2]   # b\n  # c\n  Dense(1)\n}\n';
    assert.deepEqual(getFoldingRanges(analyze(text)), [{ startLine: 0, endLine: 3 }]);
  });

  it('never throws and gives sorted ranges within the lines, for every example and every prefix of it', () => {
    for (const text of allNetTexts()) {
      for (const cut of cutPoints(text)) {
        const analysis = analyze(text.slice(0, cut));
        const ranges = getFoldingRanges(analysis);
        ranges.forEach((range, i) => {
          assert.ok(0 <= range.startLine && range.startLine < range.endLine && range.endLine < analysis.lines.lineCount);
          if (i > 0) assert.ok(ranges[i - 1]!.startLine < range.startLine);
        });
      }
    }
  });
});


