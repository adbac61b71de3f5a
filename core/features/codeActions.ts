/**
 * Quick fixes for the diagnostics whose fix is obvious: a "did you mean"
 * suggestion, a missing Flatten(), the class count as units, an unused
 * statement, and the Keras habit of giving the input as `input_shape=`.
 * Each fix is a list of offset edits that removes its diagnostic; a fix
 * that could introduce an error (Flatten() on an unknown dimension, removing
 * a statement a later pipeline takes) is not offered.
 */
import type { Analysis, ModelAnalysis } from '../analysis';
import type { LayerNode } from '../binder';
import type { Diagnostic } from '../diagnostics';
import { forEachChild, type Argument, type CallExpression, type Expression, type ModelDeclaration, type Node, type Statement, type TextRange } from '../syntax/tree';
import type { TextEdit } from './textEdit';

/** Shaped like LSP's CodeAction, with offset edits in one document. */
export interface CodeAction {
  title: string;
  kind: 'quickfix' | 'refactor';
  diagnosticCodes: string[];
  isPreferred?: boolean;
  edits: TextEdit[];
}

/** The fixes for the diagnostics that touch `range`: the analysis's own, or those the editor sends. */
export function getCodeActions(analysis: Analysis, range: TextRange, diagnostics: Diagnostic[] = analysis.diagnostics): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.pos > range.end || range.pos > diagnostic.end) continue;
    try {
      actions.push(...fixesFor(analysis, diagnostic));
    } catch {
      // A fix that cannot be computed is left out: a code-action request must never fail.
    }
  }
  return actions;
}

function fixesFor(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  switch (diagnostic.code) {
    case 'units-class-mismatch':
      return diagnostic.suggestion === undefined ? [] : [quickFix(`Set units to ${diagnostic.suggestion}`, diagnostic, [replace(diagnostic, diagnostic.suggestion)], true)];
    case 'output-not-flat':
    case 'rank-mismatch':
      return insertFlatten(analysis, diagnostic);
    case 'unused-tensor':
      return removeUnusedTensor(analysis, diagnostic);
    case 'unconnected-layer':
      return removeUnconnectedStatement(analysis, diagnostic);
    case 'input-as-argument':
      return declareInput(analysis, diagnostic);
    default:
      return diagnostic.suggestion === undefined ? [] : [changeToSuggestion(analysis.text, diagnostic, diagnostic.suggestion)];
  }
}

function quickFix(title: string, diagnostic: Diagnostic, edits: TextEdit[], isPreferred = false): CodeAction {
  const action: CodeAction = { title, kind: 'quickfix', diagnosticCodes: [diagnostic.code], edits };
  if (isPreferred) action.isPreferred = true;
  return action;
}

function replace(range: TextRange, newText: string): TextEdit {
  return { range: { pos: range.pos, end: range.end }, newText };
}

function insert(pos: number, newText: string): TextEdit {
  return { range: { pos, end: pos }, newText };
}

/** "Did you mean …": a name written as a string stays a string. */
function changeToSuggestion(text: string, diagnostic: Diagnostic, suggestion: string): CodeAction {
  const original = text.slice(diagnostic.pos, diagnostic.end);
  const quote = original[0];
  const quoted = original.length >= 2 && (quote === '"' || quote === "'") && original.endsWith(quote);
  const newText = quoted ? `${quote}${suggestion}${quote}` : suggestion;
  return quickFix(`Change to '${suggestion}'`, diagnostic, [replace(diagnostic, newText)], true);
}

// Flatten

/** Flatten() before a Dense or Maxout that was given an image-like tensor whose size is known. */
function insertFlatten(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const found = layerNodeAt(analysis, diagnostic);
  if (!found) return [];
  const { model, node } = found;
  const layer = model.layerOf.get(node);
  const input = layer?.inputShapes[0];
  if (!layer || (layer.type !== 'Dense' && layer.type !== 'Maxout') || !input || input.length < 3) return [];
  // Flatten needs every dimension; with one unknown the fix would only trade one error for another.
  if (input.slice(1).some((dim) => dim === null)) return [];
  const text = analysis.text;
  const statement = node.statement;
  const lineStart = lineStartBefore(text, statement.pos);
  // A Sequential-style statement gets its own Flatten() statement; a layer inside a pipeline gets a step.
  const edit =
    statement.kind === 'ExpressionStatement' && statement.value.head === node.call && lineStart !== undefined
      ? insert(lineStart, `${text.slice(lineStart, statement.pos)}Flatten()${lineBreak(text)}`)
      : insert(node.call.pos, 'Flatten() -> ');
  return [quickFix(`Insert Flatten() before ${layer.type}`, diagnostic, [edit], true)];
}

function layerNodeAt(analysis: Analysis, range: TextRange): { model: ModelAnalysis; node: LayerNode } | undefined {
  for (const model of analysis.models) {
    const node = model.bound.layers.find((candidate) => sameRange(candidate.call, range));
    if (node) return { model, node };
  }
  return undefined;
}

// Unused statements

function removeUnusedTensor(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  for (const model of analysis.models) {
    for (const symbol of model.bound.symbols.values()) {
      if (!sameRange(symbol.declaration, diagnostic) || symbol.statement.kind !== 'AssignStatement') continue;
      return removeStatement(analysis.text, model, symbol.statement, `Remove unused tensor '${symbol.name}'`, diagnostic);
    }
  }
  return [];
}

function removeUnconnectedStatement(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  for (const model of analysis.models) {
    const statement = model.bound.declaration.statements.find((candidate) => sameRange(candidate, diagnostic));
    if (statement) return removeStatement(analysis.text, model, statement, 'Remove unused statement', diagnostic);
  }
  return [];
}

function removeStatement(text: string, model: ModelAnalysis, statement: Statement, title: string, diagnostic: Diagnostic): CodeAction[] {
  // A later pipeline that starts with a layer takes this statement's result; removing it would feed that pipeline something else.
  if (isTakenByAnotherStatement(model, statement)) return [];
  return [quickFix(title, diagnostic, [deleteStatement(text, statement)])];
}

function isTakenByAnotherStatement(model: ModelAnalysis, statement: Statement): boolean {
  return model.bound.layers.some(
    (layer) =>
      layer.statement !== statement &&
      layer.sources.some((source) => (source.kind === 'node' ? source.node.statement === statement : source.kind === 'name' && within(source.identifier, statement))),
  );
}

/** Whole lines when the statement has them to itself (its trailing comment included), else just its text. */
function deleteStatement(text: string, statement: Statement): TextEdit {
  const start = lineStartBefore(text, statement.pos);
  const end = start === undefined ? undefined : lineEndAfter(text, statement.end);
  if (start !== undefined && end !== undefined) return replace({ pos: start, end }, '');
  let stop = statement.end;
  while (isBlank(text[stop])) stop++;
  return replace({ pos: statement.pos, end: stop }, '');
}

// Keras's input_shape=

/** `input_shape=(784,)` becomes an input statement; `x = Input(shape=(4,))` becomes `input x: [4]`. */
function declareInput(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const declaration = analysis.file.declarations.find(
    (candidate): candidate is ModelDeclaration => candidate.kind === 'ModelDeclaration' && within(diagnostic, candidate),
  );
  if (!declaration) return [];
  const argumentPath = pathTo(declaration, diagnostic, 'Argument');
  if (argumentPath) return declareInputFromArgument(analysis.text, declaration, argumentPath, diagnostic);
  const callPath = pathTo(declaration, diagnostic, 'Call');
  return callPath ? replaceInputLayer(analysis.text, declaration, callPath, diagnostic) : [];
}

function declareInputFromArgument(text: string, declaration: ModelDeclaration, path: Node[], diagnostic: Diagnostic): CodeAction[] {
  const argument = path[path.length - 1] as Argument;
  const call = path[path.length - 2];
  if (call?.kind !== 'Call' || !argument.name) return [];
  const removal = replace(argumentDeletion(call, argument), '');
  // With an input statement already there, the argument only repeats it.
  if (declaration.statements.some((statement) => statement.kind === 'InputStatement')) {
    return [quickFix(`Remove '${argument.name.text}=' (the model declares its input)`, diagnostic, [removal], true)];
  }
  const shape = shapeText(text, argument.value, argument.name.text);
  const first = declaration.statements[0];
  if (!shape || !first) return [];
  const statement = `input ${shape}`;
  const lineStart = lineStartBefore(text, first.pos);
  const insertion =
    lineStart === undefined ? insert(first.pos, `${statement} `) : insert(lineStart, `${text.slice(lineStart, first.pos)}${statement}${lineBreak(text)}`);
  return [quickFix(`Declare ${statement}`, diagnostic, [insertion, removal], true)];
}

/** `Input(shape=(4,))` alone in its statement: the statement becomes an input statement. */
function replaceInputLayer(text: string, declaration: ModelDeclaration, path: Node[], diagnostic: Diagnostic): CodeAction[] {
  const call = path[path.length - 1] as CallExpression;
  const pipeline = path[path.length - 2];
  const statement = path[path.length - 3];
  if (pipeline?.kind !== 'Pipeline' || pipeline.head !== call || pipeline.steps.length > 0) return [];
  if (statement?.kind !== 'AssignStatement' && statement?.kind !== 'ExpressionStatement') return [];
  // A second unnamed input would leave the layers after it without a single tensor to take.
  if (statement.kind === 'ExpressionStatement' && declaration.statements.some((other) => other.kind === 'InputStatement')) return [];
  const shapeArgument = call.args.find((arg) => !arg.name || SHAPE_ARGUMENTS.includes(arg.name.text));
  const shape = shapeArgument && shapeText(text, shapeArgument.value, shapeArgument.name?.text);
  if (!shape) return [];
  const replacement = statement.kind === 'AssignStatement' ? `input ${statement.name.text}: ${shape}` : `input ${shape}`;
  return [quickFix(`Declare ${replacement}`, diagnostic, [replace(statement, replacement)], true)];
}

const SHAPE_ARGUMENTS: readonly string[] = ['shape', 'input_shape', 'batch_shape', 'batch_input_shape'];

/** `(784,)`, `[28, 28]` or `784` as an input shape `[…]`; Keras's batch shapes lose their batch dimension. */
function shapeText(text: string, value: Expression, argumentName: string | undefined): string | undefined {
  let dims = value.kind === 'List' || value.kind === 'Tuple' ? value.elements : [value];
  if (argumentName === 'batch_shape' || argumentName === 'batch_input_shape') dims = dims.slice(1);
  if (dims.length === 0 || dims.some((dim) => dim.kind === 'Missing')) return undefined;
  return `[${dims.map((dim) => text.slice(dim.pos, dim.end)).join(', ')}]`;
}

/** The argument with the comma that separates it from its neighbour. */
function argumentDeletion(call: CallExpression, argument: Argument): TextRange {
  const index = call.args.indexOf(argument);
  const previous = call.args[index - 1];
  const next = call.args[index + 1];
  if (previous) return { pos: previous.end, end: argument.end };
  if (next) return { pos: argument.pos, end: next.pos };
  return argument;
}

// Tree and text helpers

/** The path from `root` down to the node of `kind` whose range is exactly `range`. */
function pathTo(root: Node, range: TextRange, kind: Node['kind']): Node[] | undefined {
  const stack: Node[][] = [[root]];
  while (stack.length) {
    const path = stack.pop()!;
    const node = path[path.length - 1]!;
    if (node.kind === kind && sameRange(node, range)) return path;
    forEachChild(node, (child) => {
      if (within(range, child)) stack.push([...path, child]);
    });
  }
  return undefined;
}

function sameRange(a: TextRange, b: TextRange): boolean {
  return a.pos === b.pos && a.end === b.end;
}

function within(inner: TextRange, outer: TextRange): boolean {
  return outer.pos <= inner.pos && inner.end <= outer.end;
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** The start of the line `pos` is on, when only blanks stand before `pos` on it. */
function lineStartBefore(text: string, pos: number): number | undefined {
  let start = pos;
  while (start > 0 && isBlank(text[start - 1])) start--;
  return start === 0 || text[start - 1] === '\n' || text[start - 1] === '\r' ? start : undefined;
}

/** Just past the line break after `end`, when only blanks and a comment follow `end` on its line. */
function lineEndAfter(text: string, end: number): number | undefined {
  let stop = end;
  while (isBlank(text[stop])) stop++;
  if (text[stop] === '#') while (stop < text.length && text[stop] !== '\n' && text[stop] !== '\r') stop++;
  if (stop === text.length) return stop;
  if (text.startsWith('\r\n', stop)) return stop + 2;
  return text[stop] === '\n' || text[stop] === '\r' ? stop + 1 : undefined;
}

/** New lines match the file's own. */
function lineBreak(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
