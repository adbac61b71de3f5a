/**
 * Semantic highlighting: what each token is, as a range and a plain kind.
 * The scanner gives every token; the tree says what each identifier is,
 * since the same word may be a layer, a tensor, an enumeration value or a
 * setting. The server turns these into LSP's legend and encoding.
 */
import { ACTIVATION_NAMES } from '../catalog/activations';
import { findLayer } from '../catalog/layers';
import { CALLBACKS, DATA_SOURCES, findByName, LOSSES, METRICS, OPTIMIZERS, SCHEDULES } from '../catalog/training';
import type { Analysis } from '../analysis';
import { scanText, TokenKind } from '../syntax/scanner';
import type { CallExpression, Expression, ModelDeclaration, Pipeline, TextRange, TrainDeclaration } from '../syntax/tree';

/** What a token is in the language. */
export type SemanticTokenKind =
  | 'layer'
  | 'tensor'
  | 'argument'
  | 'value'
  | 'model'
  | 'setting'
  | 'function'
  | 'keyword'
  | 'number'
  | 'string'
  | 'comment'
  | 'operator';

/** `declaration` where a name is defined, `input` for a model's input tensors, `builtin` for names the catalogs know. */
export type SemanticTokenModifier = 'declaration' | 'input' | 'builtin';

export interface SemanticToken {
  range: TextRange;
  kind: SemanticTokenKind;
  modifiers: SemanticTokenModifier[];
}

/** A token's kind and modifiers, without its range. */
interface Classification {
  kind: SemanticTokenKind;
  modifiers: SemanticTokenModifier[];
}

const COMMENT: Classification = { kind: 'comment', modifiers: [] };
const NUMBER: Classification = { kind: 'number', modifiers: [] };
const STRING: Classification = { kind: 'string', modifiers: [] };
const OPERATOR: Classification = { kind: 'operator', modifiers: [] };

/** `builtin` for names the catalogs know. */
function library(known: unknown): SemanticTokenModifier[] {
  return known ? ['builtin'] : [];
}

const OPERATORS = new Set([TokenKind.Arrow, TokenKind.Equals, TokenKind.Plus, TokenKind.Minus, TokenKind.Star, TokenKind.Slash]);

/** Callables of train settings, known by name: optimizers, schedules, callbacks, data sources. */
const TRAINING_CALLABLES = new Set([...OPTIMIZERS, ...SCHEDULES, ...CALLBACKS, ...DATA_SOURCES].map((spec) => spec.name));

/** Every classified token and comment, in document order, none empty and none overlapping another. */
export function getSemanticTokens(analysis: Analysis): SemanticToken[] {
  const identifiers = classifyIdentifiers(analysis);
  const { tokens } = scanText(analysis.text);
  const comments = analysis.file.comments;
  const result: SemanticToken[] = [];
  const push = (range: TextRange, { kind, modifiers }: Classification): void => {
    result.push({ range: { pos: range.pos, end: range.end }, kind, modifiers: [...modifiers] });
  };
  let nextComment = 0;
  for (const token of tokens) {
    // Comments lie between tokens; emitting them first keeps the list sorted.
    while (nextComment < comments.length && comments[nextComment]!.pos < token.pos) push(comments[nextComment++]!, COMMENT);
    const found = token.kind === TokenKind.Identifier ? identifiers.get(token.pos) : classifyToken(token.kind);
    if (found && token.end > token.pos) push(token, found);
  }
  return result;
}

function classifyToken(kind: TokenKind): Classification | undefined {
  if (kind === TokenKind.Number) return NUMBER;
  if (kind === TokenKind.String || kind === TokenKind.UnterminatedString) return STRING;
  return OPERATORS.has(kind) ? OPERATOR : undefined;
}

/** What each identifier of the tree is, by its offset; identifiers outside the tree (in broken code) get none. */
function classifyIdentifiers(analysis: Analysis): Map<number, Classification> {
  const classifier = new IdentifierClassifier();
  for (const declaration of analysis.file.declarations) {
    if (declaration.kind === 'ModelDeclaration') classifier.model(declaration);
    else classifier.train(declaration);
  }
  return classifier.classes;
}

/** The setting a value belongs to, where it decides what a bare name is. */
type ValueRole = 'loss' | 'metrics' | 'optimizer' | 'other';

class IdentifierClassifier {
  readonly classes = new Map<number, Classification>();

  model(declaration: ModelDeclaration): void {
    this.set(declaration.keyword, 'keyword');
    if (declaration.name) this.set(declaration.name, 'model', 'declaration');
    const inputs = new Set<string>();
    for (const statement of declaration.statements) {
      if (statement.kind === 'InputStatement' && statement.name) inputs.add(statement.name.text);
    }
    // Inputs are data fed from outside: read-only tensors.
    const tensor = (range: TextRange & { text: string }, ...modifiers: SemanticTokenModifier[]): void =>
      this.set(range, 'tensor', ...modifiers, ...(inputs.has(range.text) ? ['input' as const] : []));
    for (const statement of declaration.statements) {
      switch (statement.kind) {
        case 'InputStatement':
          this.set(statement.keyword, 'keyword');
          if (statement.name) tensor(statement.name, 'declaration');
          this.values([statement.shape], 'other');
          break;
        case 'AssignStatement':
          tensor(statement.name, 'declaration');
          this.pipeline(statement.value, tensor);
          break;
        case 'ExpressionStatement':
          this.pipeline(statement.value, tensor);
          break;
        case 'OutputStatement':
          this.set(statement.keyword, 'keyword');
          for (const pipeline of statement.values) this.pipeline(pipeline, tensor);
          break;
      }
    }
  }

  train(declaration: TrainDeclaration): void {
    this.set(declaration.keyword, 'keyword');
    for (const name of declaration.models) this.set(name, 'model');
    for (const setting of declaration.settings) {
      this.set(setting.key, 'setting');
      const key = setting.key.text;
      this.values([setting.value], key === 'loss' || key === 'metrics' || key === 'optimizer' ? key : 'other');
    }
  }

  private pipeline(pipeline: Pipeline, tensor: (range: TextRange & { text: string }) => void): void {
    const head = pipeline.head;
    if (head.kind === 'Name') tensor(head.name);
    else if (head.kind === 'Call') this.layerCall(head);
    else if (head.kind === 'Tuple') {
      for (const element of head.elements) {
        if (element.kind === 'Name') tensor(element.name);
        else this.values([element], 'other');
      }
    }
    for (const step of pipeline.steps) this.layerCall(step);
  }

  private layerCall(call: CallExpression): void {
    this.set(call.callee, 'layer', ...library(findLayer(call.callee.text)));
    this.arguments(call);
  }

  private arguments(call: CallExpression): void {
    for (const arg of call.args) {
      if (arg.name) this.set(arg.name, 'argument');
    }
    this.values(
      call.args.map((arg) => arg.value),
      'other',
    );
  }

  /** Values of arguments and settings; iterative, as values may nest deeply. */
  private values(roots: Expression[], role: ValueRole): void {
    const stack = [...roots];
    for (let value = stack.pop(); value; value = stack.pop()) {
      switch (value.kind) {
        case 'Name':
          this.bareName(value.name, role);
          break;
        case 'Boolean':
        case 'None':
          this.set(value, 'keyword');
          break;
        case 'Call':
          this.valueCall(value);
          break;
        case 'List':
        case 'Tuple':
          stack.push(...value.elements);
          break;
        case 'Dict':
          // A key names an input or an output of the model; the values are read as the setting reads them.
          for (const entry of value.entries) if (entry.key.kind === 'Identifier') this.set(entry.key, 'tensor');
          stack.push(...value.entries.map((entry) => entry.value));
          break;
        case 'Binary':
          stack.push(value.left, value.right);
          break;
        case 'Unary':
          stack.push(value.operand);
          break;
      }
    }
  }

  /** `relu`, `same`, `val_loss` are enumeration values; a loss, metric or optimizer named bare is a function. */
  private bareName(name: TextRange & { text: string }, role: ValueRole): void {
    const known = role === 'loss' ? LOSSES : role === 'metrics' ? METRICS : role === 'optimizer' ? OPTIMIZERS : undefined;
    if (known) this.set(name, 'function', ...library(findByName(known, name.text)));
    else this.set(name, 'value', ...library(ACTIVATION_NAMES.includes(name.text)));
  }

  /** A call inside a value: a wrapped layer (`Bidirectional(LSTM(8))`), or an optimizer, schedule, callback or data source. */
  private valueCall(call: CallExpression): void {
    if (findLayer(call.callee.text)) {
      this.layerCall(call);
      return;
    }
    this.set(call.callee, 'function', ...library(TRAINING_CALLABLES.has(call.callee.text)));
    this.arguments(call);
  }

  private set(range: TextRange, kind: SemanticTokenKind, ...modifiers: SemanticTokenModifier[]): void {
    this.classes.set(range.pos, { kind, modifiers });
  }
}
