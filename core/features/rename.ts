/**
 * Rename a tensor (within its model, and for an input the `inputs={…}` keys
 * that name it in its train blocks) or a model (its declaration and every
 * train block that names it). A new name must be an identifier that is not
 * a keyword and not already taken, so a rename never changes what a name
 * refers to.
 */
import type { Analysis } from '../analysis';
import type { TextRange } from '../syntax/tree';
import { findOccurrences, rangeOf, type NameOccurrences } from './references';
import type { TextEdit } from './textEdit';


const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words the parser reads as keywords or literals, so a tensor or model by that name would not parse as one. */
const RESERVED = new Set(['model', 'train', 'input', 'output', 'true', 'false', 'none', 'True', 'False', 'None']);

export function prepareRename(analysis: Analysis, offset: number): { range: TextRange; placeholder: string } | undefined {
  const occurrences = renameable(analysis, offset);
  if (!occurrences) return undefined;
  const under = [...occurrences.writes, ...occurrences.reads].find((identifier) => identifier.pos <= offset && offset <= identifier.end);
  return under && { range: rangeOf(under), placeholder: occurrences.name };
}

export function getRenameEdits(analysis: Analysis, offset: number, newName: string): { edits: TextEdit[] } | { error: string } {
  const occurrences = renameable(analysis, offset);
  if (!occurrences) return { error: 'Only tensor and model names defined in this file can be renamed.' };
  if (newName === occurrences.name) return { edits: [] };
  const refusal = refuse(analysis, occurrences, newName);
  if (refusal) return { error: refusal };
  const edits = [...occurrences.writes, ...occurrences.reads].map((identifier) => ({ range: rangeOf(identifier), newText: newName }));
  return { edits: edits.sort((a, b) => a.range.pos - b.range.pos) };
}

/** Occurrences with a declaration: a model only named in a train block has nothing to rename. */
function renameable(analysis: Analysis, offset: number): NameOccurrences | undefined {
  const occurrences = findOccurrences(analysis, offset);
  return occurrences?.declaration ? occurrences : undefined;
}

function refuse(analysis: Analysis, occurrences: NameOccurrences, newName: string): string | undefined {
  if (!IDENTIFIER.test(newName)) return `'${newName}' is not a valid name: use letters, digits and '_', not starting with a digit.`;
  if (RESERVED.has(newName)) return `'${newName}' is a keyword of the language and cannot name a ${occurrences.kind}.`;
  if (occurrences.kind === 'tensor') {
    const model = occurrences.model!;
    if (model.bound.symbols.has(newName)) return `Model '${model.network.name}' already has a tensor named '${newName}'.`;
    if (occurrences.sharedWith) return `A train block names the input '${occurrences.name}' of both '${model.network.name}' and '${occurrences.sharedWith}' by one key of inputs={…}: rename the input in both models and the key together by hand.`;
  } else if (analysis.models.some((model) => model.network.name === newName)) {
    return `A model named '${newName}' already exists.`;
  }
  return undefined;
}
