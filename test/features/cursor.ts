/**
 * Feature fixtures mark the cursor with `|` in the source, as the language
 * services of VS Code's own languages do in their tests.
 */
import { analyze, type Analysis } from '../../core';
import type { TextEdit } from '../../core/features/textEdit';

export interface Cursor {
  analysis: Analysis;
  /** The text without its `|` marks. */
  text: string;
  /** The offset of the first mark. */
  offset: number;
  /** The offsets of all marks, in order. */
  offsets: number[];
}

export function atCursor(marked: string): Cursor {
  const offsets: number[] = [];
  let text = '';
  for (const char of marked) {
    if (char === '|') offsets.push(text.length);
    else text += char;
  }
  if (offsets.length === 0) throw new Error('fixture has no | cursor');
  return { analysis: analyze(text), text, offset: offsets[0]!, offsets };
}

/** Applies offset edits, last first, so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.range.pos - a.range.pos)) {
    result = result.slice(0, edit.range.pos) + edit.newText + result.slice(edit.range.end);
  }
  return result;
}
