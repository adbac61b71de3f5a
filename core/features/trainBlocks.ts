/**
 * What training asks of a file before it starts: its train blocks, each with
 * its models and its span (the editor's Train command picks the block at the
 * cursor by it), and its first error, since a file with errors is not
 * trained. The language server answers the editor from these and the
 * trainer refuses a file by the same rule.
 */
import type { Analysis } from '../analysis';
import type { Diagnostic } from '../diagnostics';
import type { TextRange } from '../syntax/tree';

/** A train block as training names it: its index among the file's blocks, its models, and its span from `train` to its closing brace. */
export interface TrainBlockSpan {
  index: number;
  models: string[];
  range: TextRange;
}

/** The file's train blocks in source order, with their spans. */
export function trainBlockSpans(analysis: Analysis): TrainBlockSpan[] {
  return analysis.trainBlocks.map((block, index) => ({
    index,
    models: block.declaration.models.map((name) => name.text),
    range: { pos: block.declaration.pos, end: block.declaration.end },
  }));
}

/** The error that comes first in the file, or undefined when it has none (warnings do not stop training). */
export function firstError(analysis: Analysis): Diagnostic | undefined {
  // The diagnostics are sorted by position.
  return analysis.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
}
