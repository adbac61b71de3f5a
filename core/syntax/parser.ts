/**
 * The parser builds a complete syntax tree from any text and never throws.
 * After an error it reports once and resynchronises at the next statement,
 * at `}`, at a closing bracket or at the `->` that goes on with a pipeline on
 * the next line, so one typo does not hide the rest of the file. What broken
 * text has is kept for the features that read the tree while the user types:
 * an unclosed call, list or tuple is a node with its items so far, a value
 * not typed yet is `Missing`.
 */
import { createDiagnostic, type Diagnostic } from '../diagnostics';
import { scanText, TokenKind, type Token } from './scanner';
import type {
  Argument,
  CallExpression,
  Declaration,
  DictEntry,
  DictExpression,
  Expression,
  Identifier,
  InputStatement,
  ModelDeclaration,
  OutputStatement,
  Pipeline,
  Setting,
  SourceFile,
  Statement,
  TextRange,
  TrainDeclaration,
} from './tree';

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

/** Nesting deeper than this is reported rather than followed, so the stack stays small. */
const MAX_DEPTH = 64;

const TOKEN_NAMES: Partial<Record<TokenKind, string>> = {
  [TokenKind.OpenParen]: "'('",
  [TokenKind.CloseParen]: "')'",
  [TokenKind.OpenBracket]: "'['",
  [TokenKind.CloseBracket]: "']'",
  [TokenKind.OpenBrace]: "'{'",
  [TokenKind.CloseBrace]: "'}'",
  [TokenKind.Comma]: "','",
  [TokenKind.Colon]: "':'",
  [TokenKind.Equals]: "'='",
  [TokenKind.Arrow]: "'->'",
};

export function parseSourceFile(text: string): ParseResult {
  return new Parser(text).parseFile();
}

class Parser {
  private readonly tokens: Token[];
  private readonly comments: TextRange[];
  private index = 0;
  private depth = 0;
  private readonly diagnostics: Diagnostic[] = [];
  /** Offset of the last reported syntax error: one error per spot. */
  private lastErrorPos = -1;

  constructor(private readonly text: string) {
    const scanned = scanText(text);
    this.tokens = scanned.tokens;
    this.comments = scanned.comments.map((c) => ({ pos: c.pos, end: c.end }));
    for (const token of this.tokens) this.reportBadToken(token);
  }

  parseFile(): ParseResult {
    const declarations: Declaration[] = [];
    while (this.token.kind !== TokenKind.EndOfFile) {
      // At the top level `model` and `train` always start a declaration; a missing name is reported inside.
      if (this.isKeyword('model') || this.isKeyword('train')) {
        declarations.push(this.token.text === 'model' ? this.parseModel() : this.parseTrain());
        continue;
      }
      const junk = this.next();
      if (junk.kind !== TokenKind.Unknown) this.report(createDiagnostic('unexpected-token', junk, "'model' or 'train'", describe(junk)));
      while (!this.at(TokenKind.EndOfFile) && !(this.token.lineStart && this.isDeclarationStart())) this.next();
    }
    const file: SourceFile = {
      kind: 'SourceFile',
      pos: 0,
      end: this.text.length,
      text: this.text,
      declarations,
      comments: this.comments,
    };
    return { file, diagnostics: this.diagnostics };
  }

  // Tokens

  private get token(): Token {
    return this.tokens[this.index]!;
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.token;
    if (token.kind !== TokenKind.EndOfFile) this.index++;
    return token;
  }

  private get previousEnd(): number {
    return this.index > 0 ? this.tokens[this.index - 1]!.end : 0;
  }

  private at(kind: TokenKind): boolean {
    return this.token.kind === kind;
  }

  private isKeyword(word: string): boolean {
    return this.token.kind === TokenKind.Identifier && this.token.text === word;
  }

  /** `model Name` or `train Name`: a keyword followed by a name (a tensor may be called `model`). */
  private isDeclarationStart(): boolean {
    return (this.isKeyword('model') || this.isKeyword('train')) && this.peek().kind === TokenKind.Identifier;
  }

  private optional(kind: TokenKind): Token | undefined {
    return this.at(kind) ? this.next() : undefined;
  }

  private expect(kind: TokenKind): boolean {
    if (this.optional(kind)) return true;
    this.error(this.token, TOKEN_NAMES[kind] ?? 'a token');
    return false;
  }

  // Errors

  private error(at: Token, expected: string): void {
    if (at.kind === TokenKind.Unknown || at.kind === TokenKind.UnterminatedString) return; // already reported
    if (at.kind === TokenKind.Number && !Number.isFinite(Number(at.text))) return;
    // Something missing at the end of a line is reported there, not on the next line.
    const atLineEnd = at.kind === TokenKind.EndOfFile || (at.lineStart && at === this.token && this.index > 0);
    const range = atLineEnd ? { pos: this.previousEnd, end: this.previousEnd } : at;
    this.report(createDiagnostic('unexpected-token', range, expected, describe(at)));
  }

  private report(diagnostic: Diagnostic): void {
    if (diagnostic.pos === this.lastErrorPos) return;
    this.lastErrorPos = diagnostic.pos;
    this.diagnostics.push(diagnostic);
  }

  private reportBadToken(token: Token): void {
    if (token.kind === TokenKind.Unknown) {
      this.diagnostics.push(createDiagnostic('invalid-character', token, token.text));
    } else if (token.kind === TokenKind.UnterminatedString) {
      this.diagnostics.push(createDiagnostic('unterminated-string', token));
    } else if (token.kind === TokenKind.Number && !Number.isFinite(Number(token.text))) {
      this.diagnostics.push(createDiagnostic('invalid-number', token, token.text));
    }
  }

  /** Skips to where a statement (or setting) can start again, leaving `}` and EOF in place. */
  private recoverToStatement(): void {
    let depth = 0;
    const startIndex = this.index;
    while (!this.at(TokenKind.EndOfFile)) {
      const token = this.token;
      if (depth === 0) {
        if (token.kind === TokenKind.CloseBrace) return;
        if (this.index > startIndex && token.lineStart && token.kind === TokenKind.Identifier) return;
        if (this.isDeclarationStart() && token.lineStart) return;
      }
      if (isOpener(token.kind)) depth++;
      else if (isCloser(token.kind)) depth = Math.max(0, depth - 1);
      this.next();
    }
  }

  /**
   * The index of the first `kind` token from the current one to the end of
   * its line, or undefined; a `{` or `}` on the way (other than `kind`) stops the search.
   */
  private findOnLine(kind: TokenKind): number | undefined {
    for (let index = this.index; index < this.tokens.length; index++) {
      const token = this.tokens[index]!;
      if (index > this.index && token.lineStart) return undefined;
      if (token.kind === kind) return index;
      if (token.kind === TokenKind.EndOfFile || token.kind === TokenKind.OpenBrace || token.kind === TokenKind.CloseBrace) return undefined;
    }
    return undefined;
  }

  /**
   * The index of the `->` that starts the next line when the current token
   * is stray text after a pipeline's step and the pipeline goes on at the
   * next line; undefined otherwise. A comma is no stray text: it separates
   * an output statement's pipelines.
   */
  private continuationAfterJunk(): number | undefined {
    const token = this.token;
    if (token.lineStart || token.kind === TokenKind.EndOfFile || token.kind === TokenKind.CloseBrace || token.kind === TokenKind.Comma) return undefined;
    if (this.isStatementStart()) return undefined;
    for (let index = this.index + 1; index < this.tokens.length; index++) {
      const next = this.tokens[index]!;
      if (next.kind === TokenKind.EndOfFile || next.kind === TokenKind.CloseBrace) return undefined;
      if (next.lineStart) return next.kind === TokenKind.Arrow ? index : undefined;
    }
    return undefined;
  }

  /** A token that begins a statement or a setting: a name followed by `=` or `->`, or a keyword. */
  private isStatementStart(): boolean {
    if (this.token.kind !== TokenKind.Identifier) return false;
    const following = this.peek().kind;
    if (following === TokenKind.Equals || following === TokenKind.Arrow) return true;
    if (this.isKeyword('input') || this.isKeyword('output')) return true;
    return following === TokenKind.OpenParen;
  }

  // Declarations

  private parseModel(): ModelDeclaration {
    const keyword = this.next();
    const name = this.parseIdentifier('a model name');
    const statements: Statement[] = [];
    const body = this.parseBody(() => {
      const statement = this.parseStatement();
      if (statement) statements.push(statement);
    });
    return { kind: 'ModelDeclaration', pos: keyword.pos, end: this.previousEnd, keyword: rangeOf(keyword), name, statements, body };
  }

  private parseTrain(): TrainDeclaration {
    const keyword = this.next();
    const models: Identifier[] = [];
    const first = this.parseIdentifier('a model name');
    if (first) models.push(first);
    while (this.optional(TokenKind.Comma)) {
      const name = this.parseIdentifier('a model name');
      if (name) models.push(name);
    }
    const settings: Setting[] = [];
    const body = this.parseBody(() => {
      const setting = this.parseSetting();
      if (setting) settings.push(setting);
    });
    return { kind: 'TrainDeclaration', pos: keyword.pos, end: this.previousEnd, keyword: rangeOf(keyword), models, settings, body };
  }

  /**
   * `{ item* }`, calling parseItem until the closing brace. Stray tokens
   * before a `{` on the same line are reported and skipped, so the body of a
   * broken header is still read.
   */
  private parseBody(parseItem: () => void): TextRange {
    if (!this.at(TokenKind.OpenBrace)) {
      this.error(this.token, "'{'");
      const brace = this.findOnLine(TokenKind.OpenBrace);
      if (brace === undefined) return { pos: this.previousEnd, end: this.previousEnd };
      this.index = brace;
    }
    const open = this.next();
    while (!this.at(TokenKind.CloseBrace) && !this.at(TokenKind.EndOfFile)) {
      if (this.token.lineStart && this.isDeclarationStart()) break;
      const before = this.index;
      parseItem();
      if (this.index === before) {
        this.error(this.token, 'a statement');
        this.next();
        this.recoverToStatement();
      }
    }
    if (!this.optional(TokenKind.CloseBrace)) this.error(this.token, "'}'");
    return { pos: open.pos, end: this.previousEnd };
  }

  private parseIdentifier(expected: string): Identifier | undefined {
    if (this.at(TokenKind.Identifier)) return identifier(this.next());
    this.error(this.token, expected);
    return undefined;
  }

  // Statements

  private parseStatement(): Statement | undefined {
    const start = this.token;
    if (start.kind !== TokenKind.Identifier && start.kind !== TokenKind.OpenParen) {
      this.error(start, 'a statement');
      this.next();
      this.recoverToStatement();
      return undefined;
    }
    const following = this.peek();
    if (start.text === 'input' && (following.kind === TokenKind.OpenBracket || (following.kind === TokenKind.Identifier && !following.lineStart))) {
      return this.parseInput();
    }
    if (start.text === 'output' && !following.lineStart && (following.kind === TokenKind.Identifier || following.kind === TokenKind.OpenParen)) {
      return this.parseOutput();
    }
    if (start.kind === TokenKind.Identifier && following.kind === TokenKind.Equals) {
      const name = identifier(this.next());
      this.next();
      const value = this.parsePipeline();
      return this.finishStatement({ kind: 'AssignStatement', pos: start.pos, end: this.previousEnd, name, value });
    }
    const value = this.parsePipeline();
    return this.finishStatement({ kind: 'ExpressionStatement', pos: start.pos, end: this.previousEnd, value });
  }

  private parseInput(): InputStatement {
    const keyword = this.next();
    let name: Identifier | undefined;
    if (this.at(TokenKind.Identifier)) {
      name = identifier(this.next());
      this.expect(TokenKind.Colon);
    }
    const shape = this.at(TokenKind.OpenBracket) || this.at(TokenKind.OpenParen) ? this.parseExpression() : this.missing('a shape such as [784]');
    return this.finishStatement({ kind: 'InputStatement', pos: keyword.pos, end: this.previousEnd, keyword: rangeOf(keyword), name, shape });
  }

  private parseOutput(): OutputStatement {
    const keyword = this.next();
    const values: Pipeline[] = [this.parsePipeline()];
    while (this.optional(TokenKind.Comma)) values.push(this.parsePipeline());
    return this.finishStatement({ kind: 'OutputStatement', pos: keyword.pos, end: this.previousEnd, keyword: rangeOf(keyword), values });
  }

  /** A statement ends where the next token cannot continue it; anything else on the same line is an error. */
  private finishStatement<T extends Statement | Setting>(node: T): T {
    const token = this.token;
    if (token.kind === TokenKind.EndOfFile || token.kind === TokenKind.CloseBrace || token.lineStart) return node;
    if (this.isStatementStart()) return node;
    this.error(token, "'->' or the end of the statement");
    this.recoverToStatement();
    return node;
  }

  private parseSetting(): Setting | undefined {
    const start = this.token;
    if (start.kind !== TokenKind.Identifier) {
      this.error(start, 'a setting such as epochs = 10');
      this.next();
      this.recoverToStatement();
      return undefined;
    }
    const key = identifier(this.next());
    let value: Expression;
    if (this.expect(TokenKind.Equals)) {
      value = this.parseExpression();
    } else {
      value = this.missing();
      this.recoverToStatement();
    }
    return this.finishStatement({ kind: 'Setting', pos: start.pos, end: this.previousEnd, key, value });
  }

  // Pipelines

  private parsePipeline(): Pipeline {
    const start = this.token.pos;
    const head = this.parseHead();
    const steps: CallExpression[] = [];
    for (;;) {
      while (this.at(TokenKind.Arrow)) {
        this.next();
        if (this.at(TokenKind.Identifier)) {
          const name = identifier(this.next());
          steps.push(this.at(TokenKind.OpenParen) ? this.parseCallArguments(name) : this.unclosedCall(name, "'(' after the layer name"));
        } else {
          this.error(this.token, 'a layer such as Dense(10)');
          break;
        }
      }
      // Stray text after a step, with the pipeline going on at the next line's `->`: reported, skipped, and the steps read on.
      const arrow = this.continuationAfterJunk();
      if (arrow === undefined) break;
      this.error(this.token, "'->' or the end of the statement");
      this.index = arrow;
    }
    // A pipeline with nothing in it sits where its head was found missing.
    const pos = Math.min(start, head.pos);
    return { kind: 'Pipeline', pos, end: Math.max(pos, this.previousEnd), head, steps };
  }

  private parseHead(): Expression {
    const token = this.token;
    if (token.kind === TokenKind.Identifier) {
      const name = identifier(this.next());
      if (this.at(TokenKind.OpenParen)) return this.parseCallArguments(name);
      return { kind: 'Name', pos: name.pos, end: name.end, name };
    }
    if (token.kind === TokenKind.OpenParen) return this.parseTupleOrParenthesis();
    return this.missing('a tensor name, a tuple such as (a, b), or a layer call');
  }

  /** A call that lacks its parentheses, e.g. `-> Flatten`: one error, and a call node all the same. */
  private unclosedCall(callee: Identifier, expected: string): CallExpression {
    this.error(this.token, expected);
    const argsRange = { pos: callee.end, end: callee.end };
    return { kind: 'Call', pos: callee.pos, end: callee.end, callee, args: [], argsRange, closed: false };
  }

  // Expressions

  private parseExpression(): Expression {
    if (this.depth >= MAX_DEPTH) {
      const token = this.next();
      this.report(createDiagnostic('invalid-expression', token, `expressions nest deeper than ${MAX_DEPTH} levels`));
      return { kind: 'Missing', pos: token.pos, end: token.end };
    }
    this.depth++;
    try {
      return this.parseBinary(0);
    } finally {
      this.depth--;
    }
  }

  private parseBinary(level: 0 | 1): Expression {
    let left = level === 0 ? this.parseBinary(1) : this.parseUnary();
    for (;;) {
      const kind = this.token.kind;
      const isOperator = level === 0 ? kind === TokenKind.Plus || kind === TokenKind.Minus : kind === TokenKind.Star || kind === TokenKind.Slash;
      if (!isOperator) return left;
      const operator = this.next().text as '+' | '-' | '*' | '/';
      const right = level === 0 ? this.parseBinary(1) : this.parseUnary();
      left = { kind: 'Binary', pos: left.pos, end: right.end, operator, left, right };
    }
  }

  private parseUnary(): Expression {
    if (this.at(TokenKind.Minus) || this.at(TokenKind.Plus)) {
      const operator = this.next();
      const operand = this.depth < MAX_DEPTH ? this.parseUnaryNested() : this.missing('a number');
      return { kind: 'Unary', pos: operator.pos, end: operand.end, operator: operator.text as '+' | '-', operand };
    }
    return this.parsePrimary();
  }

  private parseUnaryNested(): Expression {
    this.depth++;
    try {
      return this.parseUnary();
    } finally {
      this.depth--;
    }
  }

  private parsePrimary(): Expression {
    const token = this.token;
    switch (token.kind) {
      case TokenKind.Number: {
        this.next();
        return { kind: 'Number', pos: token.pos, end: token.end, value: Number(token.text), text: token.text };
      }
      case TokenKind.String: {
        this.next();
        return { kind: 'String', pos: token.pos, end: token.end, value: unquote(token.text) };
      }
      case TokenKind.UnterminatedString: {
        // Reported by the scanner; its value is unreliable, so it stands as missing.
        this.next();
        return { kind: 'Missing', pos: token.pos, end: token.end };
      }
      case TokenKind.Identifier: {
        const name = identifier(this.next());
        if (this.at(TokenKind.OpenParen)) return this.parseCallArguments(name);
        if (name.text === 'true' || name.text === 'false') return { kind: 'Boolean', pos: name.pos, end: name.end, value: name.text === 'true' };
        if (name.text === 'none' || name.text === 'None') return { kind: 'None', pos: name.pos, end: name.end };
        if (name.text === 'True' || name.text === 'False') return { kind: 'Boolean', pos: name.pos, end: name.end, value: name.text === 'True' };
        return { kind: 'Name', pos: name.pos, end: name.end, name };
      }
      case TokenKind.OpenBracket: {
        const open = this.next();
        const list = this.parseList(TokenKind.CloseBracket, () => this.parseExpression());
        return { kind: 'List', pos: open.pos, end: this.previousEnd, elements: list.items, closed: list.closed };
      }
      case TokenKind.OpenParen:
        return this.parseTupleOrParenthesis();
      case TokenKind.OpenBrace:
        return this.parseDict();
      default:
        return this.missing('a value');
    }
  }

  private parseTupleOrParenthesis(): Expression {
    const open = this.next();
    const list = this.parseList(TokenKind.CloseParen, () => this.parseExpression());
    return { kind: 'Tuple', pos: open.pos, end: this.previousEnd, elements: list.items, hasComma: list.commas > 0, closed: list.closed };
  }

  /**
   * `{key: value, ...}`, over several lines if need be. Unclosed, it ends at
   * a line that starts a setting or a declaration (`epochs = 5`), so the
   * block goes on; a `}` always closes the innermost dict.
   */
  private parseDict(): DictExpression {
    const open = this.next();
    const entries: DictEntry[] = [];
    const end = (closed: boolean): DictExpression => ({ kind: 'Dict', pos: open.pos, end: this.previousEnd, entries, closed });
    if (this.depth >= MAX_DEPTH) {
      this.report(createDiagnostic('invalid-expression', open, `expressions nest deeper than ${MAX_DEPTH} levels`));
      this.skipBalanced(TokenKind.CloseBrace);
      return end(this.optional(TokenKind.CloseBrace) !== undefined);
    }
    this.depth++;
    try {
      for (;;) {
        if (this.optional(TokenKind.CloseBrace)) return end(true);
        if (this.at(TokenKind.EndOfFile) || this.endsUnclosedDict()) {
          this.error(this.token, "'}'");
          return end(false);
        }
        const before = this.index;
        const entry = this.parseDictEntry();
        if (entry) entries.push(entry);
        if (this.optional(TokenKind.Comma) || this.at(TokenKind.CloseBrace)) continue;
        if (this.at(TokenKind.EndOfFile) || this.endsUnclosedDict()) continue;
        // Entries on lines of their own may leave out the comma; anything else on the line is reported and skipped.
        if (this.token.lineStart && this.index > before) continue;
        this.error(this.token, "',' or '}'");
        if (this.index === before) this.next();
        this.skipBalanced(TokenKind.CloseBrace);
        this.optional(TokenKind.Comma);
      }
    } finally {
      this.depth--;
    }
  }

  /** A line that starts a setting, a statement or a declaration: an unclosed dict ends before it. */
  private endsUnclosedDict(): boolean {
    if (!this.token.lineStart) return false;
    if (this.isDeclarationStart()) return true;
    return this.token.kind === TokenKind.Identifier && (this.peek().kind === TokenKind.Equals || this.peek().kind === TokenKind.Arrow);
  }

  /** `key: value`; a key without its colon or value gets a `Missing` value. */
  private parseDictEntry(): DictEntry | undefined {
    const token = this.token;
    let key: DictEntry['key'];
    if (token.kind === TokenKind.Identifier) key = identifier(this.next());
    else if (token.kind === TokenKind.String) key = { kind: 'String', pos: this.next().pos, end: token.end, value: unquote(token.text) };
    else {
      this.error(token, 'a key such as out_a');
      return undefined;
    }
    let value: Expression;
    if (!this.optional(TokenKind.Colon)) value = this.missing("':'");
    else value = this.endsUnclosedDict() ? this.missing() : this.parseExpression();
    return { kind: 'DictEntry', pos: key.pos, end: Math.max(key.end, value.end), key, value };
  }

  private parseCallArguments(callee: Identifier): CallExpression {
    const open = this.next();
    const list = this.parseList(TokenKind.CloseParen, () => this.parseArgument());
    const argsRange = { pos: open.pos, end: this.previousEnd };
    return { kind: 'Call', pos: callee.pos, end: this.previousEnd, callee, args: list.items, argsRange, closed: list.closed };
  }

  private parseArgument(): Argument {
    const start = this.token;
    if (start.kind === TokenKind.Identifier && this.peek().kind === TokenKind.Equals) {
      const name = identifier(this.next());
      this.next();
      const value = this.parseExpression();
      return { kind: 'Argument', pos: start.pos, end: value.end, name, value };
    }
    const value = this.parseExpression();
    return { kind: 'Argument', pos: value.pos, end: value.end, value };
  }

  /**
   * Items separated by commas up to `close`. A trailing comma is allowed.
   * A missing closer ends the list at a token that starts a new line and
   * cannot continue it, so the statement after a broken call still parses.
   */
  private parseList<T extends { pos: number; end: number }>(close: TokenKind, parseItem: () => T): { items: T[]; commas: number; closed: boolean } {
    const items: T[] = [];
    let commas = 0;
    if (this.depth >= MAX_DEPTH) {
      this.report(createDiagnostic('invalid-expression', this.token, `expressions nest deeper than ${MAX_DEPTH} levels`));
      this.skipBalanced(close);
      return { items, commas, closed: this.optional(close) !== undefined };
    }
    this.depth++;
    let reported = false;
    try {
      for (;;) {
        if (this.optional(close)) return { items, commas, closed: true };
        if (this.at(TokenKind.EndOfFile) || this.at(TokenKind.CloseBrace) || (this.token.lineStart && this.isDeclarationStart())) {
          if (!reported) this.error(this.token, TOKEN_NAMES[close]!);
          return { items, commas, closed: false };
        }
        const before = this.index;
        items.push(parseItem());
        if (this.optional(TokenKind.Comma)) {
          commas++;
          continue;
        }
        if (this.at(close)) continue;
        if (this.at(TokenKind.EndOfFile) || this.at(TokenKind.CloseBrace)) continue;
        // A new line where a comma or the closer should be: the closer is missing, more likely than a comma.
        if (this.token.lineStart) {
          if (!reported) this.error(this.token, TOKEN_NAMES[close]!);
          return { items, commas, closed: false };
        }
        // Not a separator: report once and skip to the next separator or closer.
        this.error(this.token, `',' or ${TOKEN_NAMES[close]}`);
        reported = true;
        if (this.index === before) this.next();
        this.skipBalanced(close);
        if (this.optional(TokenKind.Comma)) commas++;
        else if (this.token.lineStart && !this.at(close)) return { items, commas, closed: false };
      }
    } finally {
      this.depth--;
    }
  }

  /** Skips to a comma or `close` at this nesting level, without passing `}` or the end of the file. */
  private skipBalanced(close: TokenKind): void {
    let depth = 0;
    while (!this.at(TokenKind.EndOfFile) && !this.at(TokenKind.CloseBrace)) {
      const kind = this.token.kind;
      if (depth === 0 && (kind === close || kind === TokenKind.Comma)) return;
      if (depth === 0 && isCloser(kind)) return;
      if (depth === 0 && this.token.lineStart) return;
      if (isOpener(kind)) depth++;
      else if (isCloser(kind)) depth--;
      this.next();
    }
  }

  private missing(expected = 'a value'): Expression {
    this.error(this.token, expected);
    // Nothing was read: the missing node sits right after the last token read, inside its parent.
    return { kind: 'Missing', pos: this.previousEnd, end: this.previousEnd };
  }
}

function identifier(token: Token): Identifier {
  return { kind: 'Identifier', pos: token.pos, end: token.end, text: token.text };
}

function rangeOf(token: Token): TextRange {
  return { pos: token.pos, end: token.end };
}

function isOpener(kind: TokenKind): boolean {
  return kind === TokenKind.OpenParen || kind === TokenKind.OpenBracket || kind === TokenKind.OpenBrace;
}

function isCloser(kind: TokenKind): boolean {
  return kind === TokenKind.CloseParen || kind === TokenKind.CloseBracket || kind === TokenKind.CloseBrace;
}

function describe(token: Token): string {
  if (token.kind === TokenKind.EndOfFile) return 'the end of the file';
  const text = token.text.length > 20 ? `${token.text.slice(0, 20)}…` : token.text;
  return `'${text}'`;
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
