/**
 * The outline: models with their statements, train blocks with their
 * settings. Kinds are LSP SymbolKind names; the server maps them to numbers.
 */
import { formatCount, formatShape } from '../catalog/shape';
import type { Analysis, ModelAnalysis } from '../analysis';
import type { NetworkLayer } from '../shapes';
import { scanText, TokenKind, type Token } from '../syntax/scanner';
import type { CallExpression, Identifier, ModelDeclaration, Pipeline, Statement, TextRange, TrainDeclaration } from '../syntax/tree';
import { rangeOf } from './references';

export type SymbolKindName = 'class' | 'variable' | 'function' | 'event' | 'property';

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: SymbolKindName;
  /** The whole node. */
  range: TextRange;
  /** The name, or what stands for it. */
  selectionRange: TextRange;
  children?: DocumentSymbol[];
}

export function getDocumentSymbols(analysis: Analysis): DocumentSymbol[] {
  const models = new Map(analysis.models.map((model) => [model.bound.declaration, model]));
  const symbols: DocumentSymbol[] = [];
  for (const declaration of analysis.file.declarations) {
    if (declaration.kind === 'TrainDeclaration') {
      symbols.push(trainSymbol(analysis, declaration));
      continue;
    }
    // A model without a name is no model one can use or find (see analyze).
    const model = models.get(declaration);
    if (model && declaration.name) symbols.push(modelSymbol(analysis, model, declaration.name));
  }
  return symbols;
}

/** `train A, B`: the name a train block goes by in outlines and searches. */
export function trainBlockName(declaration: TrainDeclaration): string {
  return declaration.models.length ? `train ${declaration.models.map((name) => name.text).join(', ')}` : 'train';
}

/** The models a train block names, as one range; the keyword when it names none. */
export function trainBlockSelection(declaration: TrainDeclaration): TextRange {
  const first = declaration.models[0];
  const last = declaration.models[declaration.models.length - 1];
  return first && last ? { pos: first.pos, end: last.end } : rangeOf(declaration.keyword);
}

function modelSymbol(analysis: Analysis, model: ModelAnalysis, name: Identifier): DocumentSymbol {
  const declaration: ModelDeclaration = model.bound.declaration;
  const params = model.network.params;
  const statements = new StatementShapes(model);
  return {
    name: name.text,
    detail: params ? `${formatCount(params.total)} params` : undefined,
    kind: 'class',
    range: rangeOf(declaration),
    selectionRange: rangeOf(name),
    children: declaration.statements.flatMap((statement) => statementSymbols(analysis, statement, statements)),
  };
}

function statementSymbols(analysis: Analysis, statement: Statement, shapes: StatementShapes): DocumentSymbol[] {
  switch (statement.kind) {
    case 'InputStatement':
      return [
        {
          name: statement.name?.text ?? shapes.inputName(statement),
          detail: shapes.inputShape(statement),
          kind: 'variable',
          range: rangeOf(statement),
          selectionRange: rangeOf(statement.name ?? statement.keyword),
        },
      ];
    case 'AssignStatement':
      return [{ name: statement.name.text, detail: shapes.pipelineShape(statement.value), kind: 'variable', range: rangeOf(statement), selectionRange: rangeOf(statement.name) }];
    case 'ExpressionStatement':
      return [pipelineSymbol(analysis, statement.value, statement, shapes)];
    case 'OutputStatement':
      // One output spans the statement; several each get their own entry.
      return statement.values.map((pipeline) => pipelineSymbol(analysis, pipeline, statement.values.length === 1 ? statement : pipeline, shapes));
  }
}

/** A pipeline without a name goes by its last layer, e.g. `Dense(24)`, or by the tensor it merely names. */
function pipelineSymbol(analysis: Analysis, pipeline: Pipeline, range: TextRange, shapes: StatementShapes): DocumentSymbol {
  const last = lastCall(pipeline);
  const detail = shapes.pipelineShape(pipeline);
  if (last) return { name: callLabel(analysis, last), detail, kind: 'function', range: rangeOf(range), selectionRange: rangeOf(last.callee) };
  // A head lost to a syntax error has no text, and LSP refuses empty names.
  return { name: compactText(analysis, pipeline.head) || '?', detail, kind: 'variable', range: rangeOf(range), selectionRange: rangeOf(pipeline.head) };
}

function lastCall(pipeline: Pipeline): CallExpression | undefined {
  return pipeline.steps[pipeline.steps.length - 1] ?? (pipeline.head.kind === 'Call' ? pipeline.head : undefined);
}

/** The callee with its positional arguments: `Dense(24, activation=softmax)` reads `Dense(24)`. */
function callLabel(analysis: Analysis, call: CallExpression): string {
  const positional = call.args.filter((arg) => !arg.name).map((arg) => compactText(analysis, arg));
  return `${call.callee.text}(${positional.join(', ')})`;
}

/** The text of a range on one line: comments dropped, whitespace runs collapsed, none inside brackets. */
function compactText(analysis: Analysis, range: TextRange): string {
  // Scanning keeps strings whole and leaves comments out.
  const { tokens } = scanText(analysis.text.slice(range.pos, range.end));
  let text = '';
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.kind === TokenKind.EndOfFile) break;
    if (previous && token.pos > previous.end && !OPENERS.has(previous.kind) && !TIGHT_BEFORE.has(token.kind)) text += ' ';
    text += token.text;
    previous = token;
  }
  return text;
}

const OPENERS = new Set([TokenKind.OpenParen, TokenKind.OpenBracket]);
const TIGHT_BEFORE = new Set([TokenKind.CloseParen, TokenKind.CloseBracket, TokenKind.Comma]);

function trainSymbol(analysis: Analysis, declaration: TrainDeclaration): DocumentSymbol {
  return {
    name: trainBlockName(declaration),
    kind: 'event',
    range: rangeOf(declaration),
    selectionRange: trainBlockSelection(declaration),
    children: declaration.settings.map((setting) => ({
      name: setting.key.text,
      detail: compactText(analysis, setting.value),
      kind: 'property',
      range: rangeOf(setting),
      selectionRange: rangeOf(setting.key),
    })),
  };
}

/** Output shapes of a model's statements, looked up by call so a large model stays linear. */
class StatementShapes {
  private readonly byCall = new Map<CallExpression, NetworkLayer | undefined>();

  constructor(private readonly model: ModelAnalysis) {
    for (const node of model.bound.layers) this.byCall.set(node.call, model.layerOf.get(node));
  }

  inputName(statement: Statement): string {
    return this.model.bound.inputs.find((input) => input.statement === statement)?.name ?? 'input';
  }

  inputShape(statement: Statement): string | undefined {
    const input = this.model.bound.inputs.find((node) => node.statement === statement);
    return input && this.shapeOf(this.model.layerOf.get(input));
  }

  pipelineShape(pipeline: Pipeline): string | undefined {
    const last = lastCall(pipeline);
    if (last) return this.shapeOf(this.byCall.get(last));
    // `a = b` names the same tensor as `b`.
    if (pipeline.head.kind !== 'Name') return undefined;
    const symbol = this.model.bound.symbols.get(pipeline.head.name.text);
    const node = symbol && this.model.bound.resolve(symbol.value);
    return node && this.shapeOf(this.model.layerOf.get(node));
  }

  private shapeOf(layer: NetworkLayer | undefined): string | undefined {
    return layer?.outputShape && formatShape(layer.outputShape);
  }
}
