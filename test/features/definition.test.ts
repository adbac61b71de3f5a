/**
 * Go to definition. Fixtures mark the expected declaration with a pair of
 * `|` and the cursor with one more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getDefinition } from '../../core/features/definition';
import { allNetTexts } from '../support';
import { atCursor } from './cursor';

/** Three marks: the cursor is the one at `cursorMark`; the other two bound the declaration. */
function expectDefinition(marked: string, cursorMark = 2): void {
  const { analysis, offsets } = atCursor(marked);
  const [pos, end] = offsets.filter((_, i) => i !== cursorMark);
  assert.deepEqual(getDefinition(analysis, offsets[cursorMark]!), { pos, end });
}

describe('definition', () => {
  it('goes from a use at a pipeline head to its assignment', () => {
    expectDefinition('model M {\n  input x: [4]\n  |a| = x -> Dense(8)\n  b = a| -> Dense(2)\n}');
  });

  it('goes from a use in a tuple to its input', () => {
    expectDefinition('model M {\n  input |x|: [4]\n  a = x -> Dense(4)\n  output (a, x|) -> Add()\n}');
  });

  it('finds a name defined after its use', () => {
    expectDefinition('model M {\n  input x: [6]\n  output la|ter -> Dense(1)\n  |later| = x -> Dense(2)\n}', 0);
  });

  it('goes from a train block to the model', () => {
    expectDefinition('model |XorMLP| {\n  input [2]\n  Dense(1)\n}\n\ntrain Xor|MLP {\n  data = xor()\n}');
  });

  it('answers a declaration with itself', () => {
    expectDefinition('model M {\n  input |feat|ures|: [4]\n  features -> Dense(1)\n}', 1);
  });

  it('keeps tensors of different models apart', () => {
    const { analysis, offsets } = atCursor('model A {\n  input x: [2]\n  x -> Dense(1)\n}\nmodel B {\n  input |x|: [3]\n  x| -> Dense(1)\n}');
    assert.deepEqual(getDefinition(analysis, offsets[2]!), { pos: offsets[0], end: offsets[1] });
  });

  it('has nothing for layers, values, undefined names, comments and offsets outside the text', () => {
    const { analysis, offsets } = atCursor('# a |comment\nmodel M {\n  input x: [4]\n  Den|se(8, activation=re|lu)\n  y = undefi|ned -> Dense(1)\n}\n');
    for (const offset of [...offsets, -5, analysis.text.length + 10]) assert.equal(getDefinition(analysis, offset), undefined, `at ${offset}`);
  });

  it('never throws and stays within the text, at every offset of every example', () => {
    for (const text of allNetTexts()) {
      const analysis = analyze(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        const range = getDefinition(analysis, offset);
        if (range) assert.ok(0 <= range.pos && range.pos < range.end && range.end <= text.length);
      }
    }
  });
});


describe('definition from an inputs={…} key', () => {
  it('goes to the input statement of the model the block trains', () => {
    const { analysis, text, offset } = atCursor('model M {\n  input features: [4]\n  output features -> Dense(1)\n}\ntrain M {\n  data = csv("d.csv", label="y", inputs={feat|ures: "f0:f3"})\n  loss = mse\n}\n');
    const target = getDefinition(analysis, offset)!;
    assert.equal(target.pos, text.indexOf('features: [4]'));
    assert.equal(text.slice(target.pos, target.end), 'features');
  });
});
