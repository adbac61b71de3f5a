/**
 * Go to definition: from a tensor's use to the input or assignment that
 * binds it, from a model's name in a train block to its declaration.
 */
import type { Analysis } from '../analysis';
import type { TextRange } from '../syntax/tree';
import { findOccurrences, rangeOf } from './references';

export function getDefinition(analysis: Analysis, offset: number): TextRange | undefined {
  const declaration = findOccurrences(analysis, offset)?.declaration;
  return declaration && rangeOf(declaration);
}
