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
import type { TrainBlock } from '../train';
import { scanText, TokenKind, type Token } from '../syntax/scanner';
import {
  forEachChild,
  type Argument,
  type CallExpression,
  type DictEntry,
  type DictExpression,
  type Expression,
  type Identifier,
  type ListExpression,
  type ModelDeclaration,
  type Node,
  type Setting,
  type Statement,
  type StringLiteral,
  type TextRange,
  type TrainDeclaration,
  type TupleExpression,
} from '../syntax/tree';

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

/** A call's arguments, a list or a tuple that is open at the cursor: the cursor stands after its opener and before its closer, if it has one. */
export interface OpenBracket {
  node: CallExpression | ListExpression | TupleExpression | DictExpression;
  /** The name before `(`: the layer, optimizer or data source being called. */
  callee?: Identifier;
  /** The items before the cursor's one: each argument's keyword or dict entry's key, or undefined where it is positional (and for list or tuple elements). */
  previous: (string | undefined)[];
  /** The keyword of the cursor's argument once its `name=` is typed. */
  keyword?: string;
  /**
   * What of the cursor's item stands before the word being typed: nothing
   * (the cursor is at its start), only its `name=`, or more.
   */
  typed: 'nothing' | 'keyword' | 'more';
}

/**
 * What may be typed where the cursor stands, outside any open bracket:
 * - `start`: a declaration, statement or setting;
 * - `models`: a model's name in a train block's header;
 * - `head`: a pipeline's head, after `name =` or `output` (or a comma between outputs);
 * - `step`: a layer, after `->`;
 * - `value`: a setting's value, after `key =`;
 * - `none`: nothing, in the middle of something.
 */
export type Place = 'start' | 'models' | 'head' | 'step' | 'value' | 'none';

/**
 * Where the cursor stands, read from the tree: the parser keeps what broken
 * text has (an unclosed call or list is a node with its items so far, a
 * value not typed yet is `Missing`), and the token just before the cursor
 * says which part of its node the cursor follows, as the TypeScript
 * compiler's completions read their context token.
 */
export interface CursorContext {
  scope: Scope;
  /** The declaration whose body holds the cursor (or whose header, at the top level). */
  declaration?: ModelDeclaration | TrainDeclaration;
  /** The statement or setting the cursor goes on with; undefined at the start of one. */
  statement?: Statement | Setting;
  /** The identifier that ends at the cursor: the word being typed. */
  word?: Token;
  /** True when the cursor is inside a number or a string. */
  inLiteral: boolean;
  place: Place;
  /** The brackets open at the cursor, outermost first. */
  brackets: OpenBracket[];
}

/**
 * The cursor's context; undefined inside a comment or for an offset outside
 * the text. Only the cursor's line and the token before the word are scanned;
 * the rest is a walk down the cursor's statement in the tree.
 */
export function cursorContext(analysis: Analysis, offset: number): CursorContext | undefined {
  if (!isOffsetIn(analysis.text, offset) || inComment(analysis, offset)) return undefined;
  const { word, inLiteral } = tokenAtCursor(analysis.text, offset);
  const anchor = word?.pos ?? offset;
  const preceding = precedingToken(analysis, anchor);
  const before = preceding?.end ?? 0;
  // The parser's rule: a line break ends a statement (and an unclosed list) unless the token before it goes on.
  const lineBreak = preceding !== undefined && /[\n\r]/.test(analysis.text.slice(before, anchor));
  const context = { word, inLiteral };

  const declaration = preceding ? lastStartingAtOrBefore(analysis.file.declarations, before - 1) : undefined;
  const where = declaration ? partOf(analysis.text, declaration, before) : 'after';
  if (!declaration || !preceding || where === 'after') {
    const atStart = !preceding || preceding.kind === TokenKind.CloseBrace || (lineBreak && !goesOn(preceding.kind));
    return { ...context, scope: 'top', place: atStart ? 'start' : 'none', brackets: [] };
  }
  if (where === 'header') return { ...context, scope: 'top', declaration, place: headerPlace(declaration, preceding, lineBreak), brackets: [] };

  const scope = declaration.kind === 'ModelDeclaration' ? 'model' : 'train';
  const items: readonly (Statement | Setting)[] = declaration.kind === 'ModelDeclaration' ? declaration.statements : declaration.settings;
  let statement: Statement | Setting | undefined = lastStartingAtOrBefore(items, before - 1);
  if (statement && statement.end < before) statement = undefined;
  let brackets = statement ? openBrackets(statement, before, preceding) : [];
  if (lineBreak) {
    if (!(isOpener(preceding.kind) || preceding.kind === TokenKind.Comma)) brackets = [];
    if (brackets.length === 0 && !goesOn(preceding.kind)) statement = undefined;
  }
  // A statement the parser found starting at the word (or the cursor) ends the one before it, on the same line too.
  const startsHere = lastStartingAtOrBefore(items, anchor)?.pos === anchor;
  if (startsHere) {
    statement = undefined;
    brackets = [];
  }
  const atStart = startsHere || preceding.kind === TokenKind.OpenBrace || (lineBreak && !goesOn(preceding.kind));
  const place = !statement ? (atStart ? 'start' : 'none') : brackets.length > 0 ? 'none' : statementPlace(statement, preceding);
  return { ...context, scope, declaration, statement, place, brackets };
}

/** The word being typed and whether the cursor is inside a literal, from the tokens of the cursor's line before it. */
function tokenAtCursor(text: string, offset: number): { word?: Token; inLiteral: boolean } {
  const start = lineStartOf(text, offset);
  const tokens = scanText(text.slice(start, offset)).tokens;
  const last = tokens[tokens.length - 2];
  if (!last || last.end !== offset - start) return { inLiteral: false };
  if (last.kind === TokenKind.Identifier) return { word: { ...last, pos: last.pos + start, end: last.end + start }, inLiteral: false };
  return { inLiteral: last.kind === TokenKind.Number || last.kind === TokenKind.UnterminatedString };
}

/** The last token before `pos`, across blanks, line breaks and comments; undefined when none is. */
function precedingToken(analysis: Analysis, pos: number): Token | undefined {
  const text = analysis.text;
  let end = pos;
  for (;;) {
    while (end > 0 && isBlank(text.charCodeAt(end - 1))) end--;
    const comment = end > 0 ? lastStartingAtOrBefore(analysis.file.comments, end - 1) : undefined;
    if (!comment || comment.end < end) break;
    end = comment.pos;
  }
  if (end === 0) return undefined;
  const start = lineStartOf(text, end);
  const tokens = scanText(text.slice(start, end)).tokens;
  const last = tokens[tokens.length - 2]!;
  return { ...last, pos: last.pos + start, end: last.end + start };
}

/** The characters the scanner skips between tokens. */
function isBlank(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0;
}

function lineStartOf(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  return start;
}

/** Which part of a declaration holds the offset `before`: its header, its body, or neither (after its closed body). */
function partOf(text: string, declaration: ModelDeclaration | TrainDeclaration, before: number): 'header' | 'body' | 'after' {
  const body = declaration.body;
  if (body.end === body.pos) return before <= declaration.end ? 'header' : 'after';
  if (before <= body.pos) return 'header';
  return text[body.end - 1] === '}' && before >= body.end ? 'after' : 'body';
}

/** In a declaration's header: a model's name after `train` or a comma; after a line break, a new declaration. */
function headerPlace(declaration: ModelDeclaration | TrainDeclaration, preceding: Token, lineBreak: boolean): Place {
  if (declaration.kind === 'TrainDeclaration') {
    if (preceding.kind === TokenKind.Comma || (preceding.end === declaration.keyword.end && !lineBreak)) return 'models';
  }
  return lineBreak && !goesOn(preceding.kind) ? 'start' : 'none';
}

/** Outside brackets, in a statement or setting: what the token before the cursor lets follow. */
function statementPlace(statement: Statement | Setting, preceding: Token): Place {
  switch (statement.kind) {
    case 'Setting':
      return isSeparatorBefore(preceding, TokenKind.Equals, statement.value) ? 'value' : 'none';
    case 'AssignStatement':
      if (isSeparatorBefore(preceding, TokenKind.Equals, statement.value)) return 'head';
      break;
    case 'OutputStatement':
      if (preceding.end === statement.keyword.end || preceding.kind === TokenKind.Comma) return 'head';
      break;
    case 'ExpressionStatement': {
      // `output` alone on its line so far: the parser reads an output statement once a value follows on the line.
      const { head, steps } = statement.value;
      if (head.kind === 'Name' && head.name.text === 'output' && steps.length === 0 && preceding.end === head.end) return 'head';
      break;
    }
    case 'InputStatement':
      break;
  }
  return preceding.kind === TokenKind.Arrow ? 'step' : 'none';
}

/** True when `preceding` is a `kind` token (`=`) and nothing of `value` is typed before the cursor. */
function isSeparatorBefore(preceding: Token, kind: TokenKind, value: TextRange): boolean {
  return preceding.kind === kind && value.pos >= preceding.end;
}

/**
 * The calls, lists and tuples open at the cursor, outermost first: on the
 * path down the tree to the token before the cursor, those whose opener is
 * before it and whose closer, if any, is after it.
 */
function openBrackets(statement: Statement | Setting, before: number, preceding: Token): OpenBracket[] {
  const brackets: OpenBracket[] = [];
  let node: Node | undefined = statement;
  while (node) {
    if (node.kind === 'Call' || node.kind === 'List' || node.kind === 'Tuple' || node.kind === 'Dict') {
      const open = node.kind === 'Call' ? node.argsRange.end > node.argsRange.pos && before > node.argsRange.pos : true;
      if (open && (!node.closed || before < node.end)) brackets.push(openBracket(node, before, preceding));
    }
    node = forEachChild(node, (child) => (child.pos < before && before <= child.end ? child : undefined));
  }
  return brackets;
}

function openBracket(node: CallExpression | ListExpression | TupleExpression | DictExpression, before: number, preceding: Token): OpenBracket {
  const items: readonly (Argument | Expression | DictEntry)[] = node.kind === 'Call' ? node.args : node.kind === 'Dict' ? node.entries : node.elements;
  // Items that end before the token before the cursor are followed by a comma: the cursor is past them.
  const previous = items.filter((item) => item.end < before).map(itemName);
  const current = items.find((item) => item.pos < before && before <= item.end);
  const callee = node.kind === 'Call' ? node.callee : undefined;
  if (!current) {
    // After the opener or a comma the cursor starts an item; after anything else, it is in text the parser skipped.
    const opener = node.kind === 'Call' ? node.argsRange.pos : node.pos;
    const atItemStart = preceding.kind === TokenKind.Comma || preceding.pos === opener;
    return { node, callee, previous, typed: atItemStart ? 'nothing' : 'more' };
  }
  const keyword = current.kind === 'Argument' ? current.name?.text : undefined;
  const onlyKeyword = current.kind === 'Argument' && isSeparatorBefore(preceding, TokenKind.Equals, current.value);
  return { node, callee, previous, keyword, typed: keyword !== undefined && onlyKeyword ? 'keyword' : 'more' };
}

/** An argument's keyword, or a dict entry's key. */
function itemName(item: Argument | Expression | DictEntry): string | undefined {
  if (item.kind === 'Argument') return item.name?.text;
  if (item.kind === 'DictEntry') return item.key.kind === 'Identifier' ? item.key.text : item.key.value;
  return undefined;
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

/** True for a token after which what it began goes on at the next line: a continuation or an opener. */
function goesOn(kind: TokenKind): boolean {
  return CONTINUATIONS.has(kind) || isOpener(kind);
}

/** The network layer (or input) a graph node made. */
export function layerOfNode(model: ModelAnalysis, node: GraphNode): NetworkLayer | undefined {
  return model.layerOf.get(node);
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

/**
 * A key of a train block's dict that names an input or an output of the
 * models it trains: the keys of `inputs={features: …}` name inputs, those of
 * every other dict (`label=`, `y=`, `loss`, `loss_weights`, `metrics`)
 * name outputs.
 */
export interface DictKey {
  key: Identifier | StringLiteral;
  name: string;
  block: TrainBlock;
  role: 'input' | 'output';
}

/** The dict key under the cursor in a train block; undefined in a value or elsewhere. */
export function dictKeyAt(analysis: Analysis, offset: number): DictKey | undefined {
  const path = nodesAt(analysis, offset);
  const declaration = path[1];
  if (declaration?.kind !== 'TrainDeclaration') return undefined;
  let index = path.length - 1;
  while (index >= 0 && path[index]!.kind !== 'DictEntry') index--;
  const entry = path[index] as DictEntry | undefined;
  if (!entry || path[index + 1] !== entry.key) return undefined;
  const block = analysis.trainBlocks.find((candidate) => candidate.declaration === declaration);
  if (!block) return undefined;
  const holder = path[index - 2];
  const role = holder?.kind === 'Argument' && holder.name?.text === 'inputs' ? 'input' : 'output';
  return { key: entry.key, name: entry.key.kind === 'Identifier' ? entry.key.text : entry.key.value, block, role };
}

/** The `inputs={…}` keys, written as names, of a train block: those that name its models' inputs. */
export function inputKeys(block: TrainBlock): Identifier[] {
  const keys: Identifier[] = [];
  const pending: Node[] = [block.declaration];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.kind === 'Argument' && node.name?.text === 'inputs' && node.value.kind === 'Dict') {
      for (const entry of node.value.entries) if (entry.key.kind === 'Identifier') keys.push(entry.key);
      continue;
    }
    forEachChild(node, (child) => {
      pending.push(child);
      return undefined;
    });
  }
  return keys.sort((a, b) => a.pos - b.pos);
}
