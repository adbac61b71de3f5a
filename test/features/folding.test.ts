/**
 * Folding ranges: offset ranges with their kinds, shown as line:column.
 * How they become an editor's lines is tested in convert.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getFoldingRanges } from '../../core/features/folding';
import { allNetTexts, cutPoints } from '../support';
import { FOLDS_TEXT } from './foldsText';

/** Folds as `kind line:column-line:column`. */
function describeFolds(text: string): string[] {
  const analysis = analyze(text);
  const at = (offset: number): string => {
    const { line, character } = analysis.lines.positionAt(offset);
    return `${line}:${character}`;
  };
  return getFoldingRanges(analysis).map(({ range, kind }) => `${kind} ${at(range.pos)}-${at(range.end)}`);
}

describe('folding ranges', () => {
  it('folds comments, bodies, a pipeline and a multi-line callbacks list', () => {
    const text = FOLDS_TEXT;
    assert.deepEqual(describeFolds(text), ['comment 0:0-1:28', 'body 3:0-9:1', 'pipeline 5:2-8:36', 'body 11:0-19:1', 'brackets 14:15-17:3']);
  });

  it('folds calls that span lines, a region, and bodies to their closing brackets', () => {
    const text = 'model M {\n  input x: [4]\n  x -> Dense(\n    8,\n    activation=relu)\n}\n# region Training\ntrain M {\n  epochs = 1 }\n# endregion\n';
    assert.deepEqual(describeFolds(text), ['body 0:0-5:1', 'pipeline 2:2-4:20', 'brackets 2:7-4:20', 'region 6:0-9:11', 'body 7:0-8:14']);
  });

  it('leaves trailing comments out of comment runs', () => {
    const text = 'model M {     # a\n  input [2]   # b\n  # c\n  Dense(1)\n}\n';
    assert.deepEqual(describeFolds(text), ['body 0:0-4:1']);
  });

  it('never throws and gives sorted ranges that span lines within the text, for every example and every prefix of it', () => {
    for (const text of allNetTexts()) {
      for (const cut of cutPoints(text)) {
        const analysis = analyze(text.slice(0, cut));
        const folds = getFoldingRanges(analysis);
        folds.forEach(({ range }, i) => {
          assert.ok(0 <= range.pos && range.pos < range.end && range.end <= analysis.text.length);
          assert.ok(/[\r\n]/.test(analysis.text.slice(range.pos, range.end)), 'a fold within one line');
          if (i > 0) assert.ok(folds[i - 1]!.range.pos <= range.pos);
        });
      }
    }
  });
});
