/**
 * Find references. Fixtures mark each expected range with a pair of `|`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getReferences } from '../../core/features/references';
import { allNetTexts } from '../support';
import { atCursor } from './cursor';

/** Consecutive pairs of marks as ranges. */
function markedRanges(offsets: number[]): { pos: number; end: number }[] {
  const ranges: { pos: number; end: number }[] = [];
  for (let i = 0; i + 1 < offsets.length; i += 2) ranges.push({ pos: offsets[i]!, end: offsets[i + 1]! });
  return ranges;
}

describe('references', () => {
  const threeUses = atCursor('model M {\n  input |x|: [4]\n  a = |x| -> Dense(8)\n  b = |x| -> Dense(8)\n  output (a, b, |x|) -> Concatenate()\n}\n');
  const [declaration, ...uses] = markedRanges(threeUses.offsets);

  it('finds an input used three times, from the declaration and from each use', () => {
    for (const range of [declaration!, ...uses]) {
      assert.deepEqual(getReferences(threeUses.analysis, range.pos, true), [declaration, ...uses]);
      assert.deepEqual(getReferences(threeUses.analysis, range.end, false), uses);
    }
  });

  it('finds a model in every train block that names it', () => {
    const { analysis, offsets } = atCursor('model |Small| {\n  input [2]\n  Dense(1)\n}\nmodel Big {\n  input [2]\n  Dense(1)\n}\ntrain |Small|, Big {\n  epochs = 1\n}\ntrain Big, |Small| {\n  epochs = 2\n}\n');
    const ranges = markedRanges(offsets);
    assert.deepEqual(getReferences(analysis, ranges[1]!.pos + 2, true), ranges);
    assert.deepEqual(getReferences(analysis, ranges[0]!.pos, false), ranges.slice(1));
  });

  it('counts a duplicate binding as a declaration of the same name', () => {
    const { analysis, offsets } = atCursor('model M {\n  input x: [4]\n  |a| = x -> Dense(4)\n  |a| = x -> Dense(5)\n  output |a|\n}\n');
    assert.deepEqual(getReferences(analysis, offsets[3]!, true), markedRanges(offsets));
  });

  it('keeps tensors of one name in different models apart', () => {
    const { analysis, offsets } = atCursor('model A {\n  input x: [2]\n  x -> Dense(1)\n}\nmodel B {\n  input |x|: [2]\n  |x| -> Dense(1)\n}\n');
    assert.deepEqual(getReferences(analysis, offsets[2]!, true), markedRanges(offsets));
  });

  it('has nothing for layers, values and undefined names', () => {
    const { analysis, offsets } = atCursor('model M {\n  input x: [4]\n  Den|se(8, activation=re|lu)\n  y = undefi|ned -> Dense(1)\n}\n');
    for (const offset of offsets) assert.deepEqual(getReferences(analysis, offset, true), []);
  });

  it('never throws and gives sorted ranges within the text, at every offset of every example', () => {
    for (const text of allNetTexts()) {
      const analysis = analyze(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        const ranges = getReferences(analysis, offset, true);
        ranges.forEach((range, i) => {
          assert.ok(0 <= range.pos && range.pos < range.end && range.end <= text.length);
          if (i > 0) assert.ok(ranges[i - 1]!.end <= range.pos);
        });
      }
    }
  });
});

