/**
 * Document highlights: bindings are writes, uses are reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getDocumentHighlights } from '../../core/features/highlight';
import { allNetTexts } from '../support';
import { atCursor } from './cursor';

describe('document highlights', () => {
  it('marks the binding of a tensor as a write and its uses as reads', () => {
    const { analysis, offsets } = atCursor('model M {\n  input |x|: [4]\n  a = |x| -> Dense(4)\n  output (a, |x|) -> Add()\n}\n');
    assert.deepEqual(getDocumentHighlights(analysis, offsets[2]!), [
      { range: { pos: offsets[0], end: offsets[1] }, kind: 'write' },
      { range: { pos: offsets[2], end: offsets[3] }, kind: 'read' },
      { range: { pos: offsets[4], end: offsets[5] }, kind: 'read' },
    ]);
  });

  it('marks a model declaration as a write and train blocks as reads', () => {
    const { analysis, offsets } = atCursor('model |Net| {\n  input [2]\n  Dense(1)\n}\ntrain |Net| {\n  epochs = 1\n}\n');
    assert.deepEqual(getDocumentHighlights(analysis, offsets[0]!), [
      { range: { pos: offsets[0], end: offsets[1] }, kind: 'write' },
      { range: { pos: offsets[2], end: offsets[3] }, kind: 'read' },
    ]);
  });

  it('has nothing in comments, on layers or past the end', () => {
    const { analysis, offsets } = atCursor('# x| here\nmodel M {\n  input x: [4]\n  x -> Den|se(4)\n}\n');
    for (const offset of [...offsets, analysis.text.length + 3]) assert.deepEqual(getDocumentHighlights(analysis, offset), []);
  });

  it('never throws and stays within the text, at every offset of every example', () => {
    for (const text of allNetTexts()) {
      const analysis = analyze(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        for (const { range } of getDocumentHighlights(analysis, offset)) assert.ok(0 <= range.pos && range.pos < range.end && range.end <= text.length);
      }
    }
  });
});

