/**
 * Finding things by position, for the editor features: the nodes under an
 * offset, the model they belong to, the layer a call made, and what a name
 * refers to. Offsets are UTF-16 code units, as in the text; features return
 * offsets too and the server converts them to lines and columns.
 */
import type { Analysis, ModelAnalysis } from '../analysis';
import type { GraphNode, TensorSymbol } from '../binder';
import { findLayer } from '../catalog/layers';
import { CALLBACKS, DATA_SOURCES, OPTIMIZERS, SCHEDULES } from '../catalog/training';
import type { Signature } from '../catalog/types';
import type { NetworkLayer } from '../shapes';
import { scanText, TokenKind, type Token } from '../syntax/scanner';
import { forEachChild, type Identifier, type ModelDeclaration, type Node, type TextRange, type TrainDeclaration } from '../syntax/tree';

/** The nodes that contain `offset`, outermost first. An offset at a node's end counts as inside (the cursor after a word). */
export function nodesAt(analysis: Analysis, offset: number): Node[] {
  const path: Node[] = [analysis.file];
  let current: Node | undefined = analysis.file;
  for (;;) {
    current = forEachChild(current, (node) => (node.pos <= offset && offset <= node.end && node.end > node.pos ? node : undefined));
    if (!current) return path;
    path.push(current);
  }
}

/** The innermost node of one of the given kinds at `offset`. */
export function innermost<K extends Node['kind']>(analysis: Analysis, offset: number, ...kinds: K[]): Extract<Node, { kind: K }> | undefined {
  const path = nodesAt(analysis, offset);
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    if ((kinds as string[]).includes(node.kind)) return node as Extract<Node, { kind: K }>;
  }
  return undefined;
}

/** The identifier touching `offset` (the cursor may sit just after it). */
export function identifierAt(analysis: Analysis, offset: number): Identifier | undefined {
  const node = innermost(analysis, offset, 'Identifier');
  return node && node.pos <= offset && offset <= node.end ? node : undefined;
}

/** The model whose braces (or declaration) contain `offset`. */
export function modelAt(analysis: Analysis, offset: number): ModelAnalysis | undefined {
  return analysis.models.find((model) => contains(model.bound.declaration, offset));
}

/** The tensor symbol a name in a model stands for: at its definition or at a use. */
export function tensorSymbolAt(model: ModelAnalysis, identifier: Identifier): TensorSymbol | undefined {
  for (const symbol of model.bound.symbols.values()) {
    if (symbol.declaration === identifier || symbol.references.includes(identifier)) return symbol;
  }
  return undefined;
}

/** Every place a model's name appears: its declaration and the train blocks that name it. */
export function modelNameOccurrences(analysis: Analysis, name: string): { declaration?: Identifier; references: Identifier[] } {
  const declaration = analysis.models.find((model) => model.network.name === name)?.bound.declaration.name;
  const references = analysis.trainBlocks.flatMap((block) => block.declaration.models.filter((identifier) => identifier.text === name));
  return { declaration, references };
}

export function contains(range: TextRange, offset: number): boolean {
  return range.pos <= offset && offset <= range.end;
}

/** True for an offset the text has: a whole number from 0 to its length. */
export function isOffsetIn(text: string, offset: number): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset <= text.length;
}

/** True when `offset` is inside a comment: after its `#`, up to the end of its line. */
export function inComment(analysis: Analysis, offset: number): boolean {
  const comments = analysis.file.comments;
  let low = 0;
  let high = comments.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const comment = comments[mid]!;
    if (offset <= comment.pos) high = mid - 1;
    else if (offset > comment.end) low = mid + 1;
    else return true;
  }
  return false;
}

/** The last of `items` (sorted by position) that starts at or before `offset`. */
export function lastStartingAtOrBefore<T extends TextRange>(items: readonly T[], offset: number): T | undefined {
  let found: T | undefined;
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid]!.pos <= offset) {
      found = items[mid];
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

export type Scope = 'top' | 'model' | 'train';

/** The catalog entry a call names where it stands: a layer in a model; an optimizer, schedule, callback or data source in a train block. */
export function calleeSignature(scope: Scope, name: string): Signature | undefined {
  if (scope === 'model') return findLayer(name);
  if (scope === 'train') return TRAIN_CALLABLES.find((signature) => signature.name === name);
  return undefined;
}

const TRAIN_CALLABLES: readonly Signature[] = [...OPTIMIZERS, ...SCHEDULES, ...CALLBACKS, ...DATA_SOURCES];

/** An unclosed bracket before the cursor: a call's arguments, a list, or a tuple. */
export interface OpenBracket {
  open: Token;
  /** The name before `(`: the layer, optimizer or data source being called. */
  callee?: Token;
  /** The arguments before the cursor's one: each one's keyword, or undefined where it is positional. */
  previous: (string | undefined)[];
  /** The tokens of the cursor's argument at this bracket's level, before the word being typed. */
  current: Token[];
}

/**
 * Where the cursor stands, read from the tokens before it rather than from
 * the tree: while the user types, the text is broken (`x -> D`, `Dense(10, act`)
 * and the tokens say more than the parser's recovery.
 */
export interface CursorContext {
  scope: Scope;
  /** The declaration whose body holds the cursor, when the tree has it. */
  declaration?: ModelDeclaration | TrainDeclaration;
  /** The identifier that ends at the cursor: the word being typed. */
  word?: Token;
  /** True when the cursor is inside a number or a string. */
  inLiteral: boolean;
  /** The tokens of the cursor's statement (or setting, or declaration header) before the word. */
  statement: Token[];
  /** The brackets open at the cursor, outermost first. */
  brackets: OpenBracket[];
}

/** The keyword of the cursor's argument once its `name=` is typed. */
export function argumentKeyword(bracket: OpenBracket): string | undefined {
  const [first, second] = bracket.current;
  return first?.kind === TokenKind.Identifier && second?.kind === TokenKind.Equals ? first.text : undefined;
}

/**
 * The cursor's context; undefined inside a comment or for an offset outside
 * the text. Only the cursor's own statement is scanned, found in the tree,
 * so the cost does not grow with the file.
 */
export function cursorContext(analysis: Analysis, offset: number): CursorContext | undefined {
  if (!isOffsetIn(analysis.text, offset) || inComment(analysis, offset)) return undefined;
  const start = scanStart(analysis, offset);
  const scanned = scanText(analysis.text.slice(start.pos, offset)).tokens;
  const tokens = scanned.slice(0, -1).map((token) => ({ ...token, pos: token.pos + start.pos, end: token.end + start.pos }));
  const last = tokens[tokens.length - 1];
  const touching = last && last.end === offset ? last : undefined;
  const word = touching?.kind === TokenKind.Identifier ? tokens.pop() : undefined;
  const inLiteral = touching?.kind === TokenKind.Number || touching?.kind === TokenKind.UnterminatedString;

  let scope = start.scope;
  let declaration = scope === 'top' ? undefined : start.declaration;
  let statement: Token[] = [];
  let brackets: OpenBracket[] = [];

  // The parser's rules for where a statement ends, applied to a token that starts a line.
  const atLineStart = (kind: TokenKind): void => {
    const previous = statement[statement.length - 1];
    if (!previous) return;
    if (brackets.length > 0) {
      if (isOpener(previous.kind) || previous.kind === TokenKind.Comma || isCloser(kind)) return;
      // A line break where a comma or the closer should be ends the unclosed list.
      brackets = [];
    }
    if (kind === TokenKind.Arrow || CONTINUATIONS.has(previous.kind)) return;
    statement = [];
  };

  tokens.forEach((token, index) => {
    if (token.lineStart) {
      atLineStart(token.kind);
      const next = tokens[index + 1] ?? word;
      if ((token.text === 'model' || token.text === 'train') && next?.kind === TokenKind.Identifier) {
        scope = 'top';
        declaration = undefined;
        statement = [];
        brackets = [];
      }
    }
    const top = brackets[brackets.length - 1];
    switch (token.kind) {
      case TokenKind.OpenBrace:
        if (scope !== 'top') break;
        scope = statement[0]?.text === 'train' ? 'train' : 'model';
        declaration = start.declaration?.body.pos === token.pos ? start.declaration : undefined;
        statement = [];
        brackets = [];
        return;
      case TokenKind.CloseBrace:
        scope = 'top';
        declaration = undefined;
        statement = [];
        brackets = [];
        return;
      case TokenKind.OpenParen:
      case TokenKind.OpenBracket: {
        const previous = statement[statement.length - 1];
        // `output (a, b) -> Add()` starts with a tuple, not a call of `output`.
        const isOutputKeyword = scope === 'model' && statement.length === 1 && previous?.text === 'output';
        const callee = token.kind === TokenKind.OpenParen && previous?.kind === TokenKind.Identifier && !isOutputKeyword ? previous : undefined;
        top?.current.push(token);
        statement.push(token);
        brackets.push({ open: token, callee, previous: [], current: [] });
        return;
      }
      case TokenKind.CloseParen:
      case TokenKind.CloseBracket:
        brackets.pop();
        brackets[brackets.length - 1]?.current.push(token);
        statement.push(token);
        return;
      case TokenKind.Comma:
        if (top) {
          top.previous.push(argumentKeyword(top));
          top.current = [];
        }
        statement.push(token);
        return;
    }
    top?.current.push(token);
    statement.push(token);
  });

  const lastEnd = tokens[tokens.length - 1]?.end ?? start.pos;
  const onNewLine = word ? word.lineStart : /[\n\r]/.test(analysis.text.slice(lastEnd, offset));
  if (onNewLine) atLineStart(TokenKind.Identifier);
  return { scope, declaration, word, inLiteral, statement, brackets };
}

/** Tokens after which a statement goes on at the next line. */
const CONTINUATIONS = new Set([
  TokenKind.Arrow,
  TokenKind.Equals,
  TokenKind.Comma,
  TokenKind.Colon,
  TokenKind.Plus,
  TokenKind.Minus,
  TokenKind.Star,
  TokenKind.Slash,
]);

function isOpener(kind: TokenKind): boolean {
  return kind === TokenKind.OpenParen || kind === TokenKind.OpenBracket;
}

function isCloser(kind: TokenKind): boolean {
  return kind === TokenKind.CloseParen || kind === TokenKind.CloseBracket;
}

/**
 * Where scanning for the cursor's context may start: the start of the
 * statement (or setting) the tree has at or before the cursor, else the start
 * of the declaration, else after the last closed declaration.
 */
function scanStart(analysis: Analysis, offset: number): { pos: number; scope: Scope; declaration?: ModelDeclaration | TrainDeclaration } {
  const declaration = lastStartingAtOrBefore(analysis.file.declarations, offset);
  if (!declaration) return { pos: 0, scope: 'top' };
  const body = declaration.body;
  if (body.end > body.pos && analysis.text[body.end - 1] === '}' && offset >= body.end) return { pos: body.end, scope: 'top' };
  const items: readonly TextRange[] = declaration.kind === 'ModelDeclaration' ? declaration.statements : declaration.settings;
  const item = body.end > body.pos && offset > body.pos ? lastStartingAtOrBefore(items, offset) : undefined;
  if (!item || item.pos <= body.pos) return { pos: declaration.pos, scope: 'top', declaration };
  return { pos: item.pos, scope: declaration.kind === 'ModelDeclaration' ? 'model' : 'train', declaration };
}

/** The network layer (or input) a graph node made. */
export function layerOfNode(model: ModelAnalysis, node: GraphNode): NetworkLayer | undefined {
  const layer = layerStartingAt(model, node.kind === 'input' ? node.statement.pos : node.call.pos);
  return layer?.node === node ? layer : undefined;
}

/** The network layer whose call (or input statement) starts at `pos`, by binary search: layers are sorted by where they start. */
export function layerStartingAt(model: ModelAnalysis, pos: number): NetworkLayer | undefined {
  const layers = model.network.layers;
  let low = 0;
  let high = layers.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const start = layers[mid]!.range.pos;
    if (start < pos) low = mid + 1;
    else if (start > pos) high = mid - 1;
    else return layers[mid];
  }
  return undefined;
}

/** A declaration's header, from its keyword to the end of its (last) name: where its lenses and its run chart go. */
export function declarationHeader(keyword: TextRange, lastName: Identifier | undefined): TextRange {
  return { pos: keyword.pos, end: lastName?.end ?? keyword.end };
}
