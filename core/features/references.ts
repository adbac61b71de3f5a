/**
 * Where a name occurs: the tensors of one model (inputs and assignments,
 * and an input's keys in the `inputs={…}` of the train blocks that train
 * it) and the models of the file (their declarations and the train blocks
 * that name them). Definition, highlights and rename are built on the same
 * lookup.
 */
import type { Analysis, ModelAnalysis } from '../analysis';
import type { Identifier, ModelDeclaration, TextRange } from '../syntax/tree';
import { dictKeyAt, identifierAt, inputKeys, modelAt, modelNameOccurrences, tensorSymbolAt } from './locate';

export interface NameOccurrences {
  kind: 'tensor' | 'model';
  name: string;
  /** The binding that uses resolve to; undefined for a model the file does not define. */
  declaration?: Identifier;
  /** Every binding of the name, the declaration first; a duplicate binding adds one. */
  writes: Identifier[];
  reads: Identifier[];
  /** The model a tensor belongs to. */
  model?: ModelAnalysis;
  /** For an input: another model whose input of the same name shares one of its `inputs={…}` keys (a train block of both). */
  sharedWith?: string;
}

/** The tensor or model name under the cursor and all its occurrences; undefined elsewhere. */
export function findOccurrences(analysis: Analysis, offset: number): NameOccurrences | undefined {
  const identifier = identifierAt(analysis, offset);
  if (!identifier) return undefined;
  const model = modelAt(analysis, offset);
  return (model && tensorOccurrences(analysis, model, identifier)) ?? inputKeyOccurrences(analysis, offset) ?? modelOccurrences(analysis, identifier);
}

/** At an `inputs={…}` key: the input it names, of the first model of the block that has one by that name. */
function inputKeyOccurrences(analysis: Analysis, offset: number): NameOccurrences | undefined {
  const key = dictKeyAt(analysis, offset);
  if (key?.role !== 'input' || key.key.kind !== 'Identifier') return undefined;
  for (const network of key.block.models) {
    const model = analysis.models.find((candidate) => candidate.network === network);
    const symbol = model?.bound.symbols.get(key.name);
    if (model && symbol?.statement.kind === 'InputStatement') return tensorOccurrences(analysis, model, symbol.declaration);
  }
  return undefined;
}

export function getReferences(analysis: Analysis, offset: number, includeDeclaration: boolean): TextRange[] {
  const occurrences = findOccurrences(analysis, offset);
  if (!occurrences) return [];
  const identifiers = includeDeclaration ? [...occurrences.writes, ...occurrences.reads] : occurrences.reads;
  return sortedRanges(identifiers);
}

function sortedRanges(identifiers: Identifier[]): TextRange[] {
  return identifiers.map(rangeOf).sort((a, b) => a.pos - b.pos);
}

export function rangeOf(range: TextRange): TextRange {
  return { pos: range.pos, end: range.end };
}

function tensorOccurrences(analysis: Analysis, model: ModelAnalysis, identifier: Identifier): NameOccurrences | undefined {
  // A duplicate binding is not the symbol's declaration, but it binds the same name.
  const symbol = tensorSymbolAt(model, identifier) ?? (bindingNames(model.bound.declaration).includes(identifier) ? model.bound.symbols.get(identifier.text) : undefined);
  if (!symbol) return undefined;
  const duplicates = bindingNames(model.bound.declaration).filter((name) => name.text === symbol.name && name !== symbol.declaration);
  const occurrences: NameOccurrences = { kind: 'tensor', name: symbol.name, declaration: symbol.declaration, writes: [symbol.declaration, ...duplicates], reads: [...symbol.references], model };
  if (symbol.statement.kind !== 'InputStatement') return occurrences;
  // The data of the train blocks that train the model names this input by a key of `inputs={…}`.
  for (const block of analysis.trainBlocks) {
    if (!block.models.includes(model.network)) continue;
    const keys = inputKeys(block).filter((key) => key.text === symbol.name);
    if (keys.length === 0) continue;
    occurrences.reads.push(...keys);
    const other = block.models.find((network) => network !== model.network && network.inputs.some((input) => input.name === symbol.name));
    if (other) occurrences.sharedWith ??= other.name;
  }
  return occurrences;
}

/** The names that inputs and assignments bind, in source order. */
function bindingNames(declaration: ModelDeclaration): Identifier[] {
  const names: Identifier[] = [];
  for (const statement of declaration.statements) {
    if (statement.kind === 'AssignStatement') names.push(statement.name);
    else if (statement.kind === 'InputStatement' && statement.name) names.push(statement.name);
  }
  return names;
}

function modelOccurrences(analysis: Analysis, identifier: Identifier): NameOccurrences | undefined {
  const declared = analysis.models.some((model) => model.bound.declaration.name === identifier);
  const trained = analysis.trainBlocks.some((block) => block.declaration.models.includes(identifier));
  if (!declared && !trained) return undefined;
  const name = identifier.text;
  const { declaration, references } = modelNameOccurrences(analysis, name);
  // Train blocks resolve to the first model of a name; a later duplicate stands alone.
  if (declared && declaration !== identifier) return { kind: 'model', name, declaration: identifier, writes: [identifier], reads: [] };
  return { kind: 'model', name, declaration, writes: declaration ? [declaration] : [], reads: references };
}
