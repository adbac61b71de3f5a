/**
 * Document highlights: every occurrence of the name under the cursor, its
 * bindings marked as writes and its uses as reads.
 */
import type { Analysis } from '../analysis';
import type { TextRange } from '../syntax/tree';
import { findOccurrences, rangeOf } from './references';

export interface DocumentHighlight {
  range: TextRange;
  kind: 'read' | 'write';
}

export function getDocumentHighlights(analysis: Analysis, offset: number): DocumentHighlight[] {
  const occurrences = findOccurrences(analysis, offset);
  if (!occurrences) return [];
  const writes = occurrences.writes.map((identifier): DocumentHighlight => ({ range: rangeOf(identifier), kind: 'write' }));
  const reads = occurrences.reads.map((identifier): DocumentHighlight => ({ range: rangeOf(identifier), kind: 'read' }));
  return [...writes, ...reads].sort((a, b) => a.range.pos - b.range.pos);
}
