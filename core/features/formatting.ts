/**
 * The formatter. It walks the tree and takes each token, in order, from the
 * scanner's stream, deciding only the whitespace before it; comments are
 * placed where they stand between tokens. So every token and comment is
 * kept, and the result is checked for that before it is offered. The edits
 * touch only whitespace that changes.
 *
 * The style: 2-space indentation inside braces; one statement or setting per
 * line; a pipeline continued before each `->` at 2 more spaces (a pipeline
 * that was on one line stays so while it fits in 100 columns); `=` aligned
 * within a train block; `, ` after commas, nothing inside brackets, `=` tight
 * in keyword arguments; `*` and `/` tight, binary `+` and `-` spaced.
 * Brackets that spanned lines put one element per line. Trailing comments
 * keep their column when there is room, else stand two spaces after the
 * code. One blank line between declarations; single blank lines between
 * statements kept, longer runs collapsed.
 */
import type { Analysis } from '../analysis';
import { scanText, TokenKind, type Comment, type Token } from '../syntax/scanner';
import type {
  Argument,
  CallExpression,
  Declaration,
  DictEntry,
  Expression,
  ModelDeclaration,
  Pipeline,
  Setting,
  Statement,
  TextRange,
  TrainDeclaration,
} from '../syntax/tree';
import type { TextEdit } from './textEdit';


/** Codes of the parser's errors: a tree built around them does not hold every token. */
const REFUSED_CODES = new Set(['unexpected-token', 'unterminated-string', 'invalid-character', 'invalid-number', 'internal-error']);

const INDENT = 2;
/** Extra indentation of a line that continues the one before: pipeline steps, or code pushed down by a comment. */
const CONTINUATION = 2;
const MAX_WIDTH = 100;

/** The whitespace edits that format the document; undefined when it has syntax errors, so nothing is lost. */
export function formatDocument(analysis: Analysis): TextEdit[] | undefined {
  if (analysis.diagnostics.some((diagnostic) => REFUSED_CODES.has(diagnostic.code))) return undefined;
  const scan = scanText(analysis.text);
  const firstLineBreak = /\r\n|\r|\n/.exec(analysis.text)?.[0];
  const source: Source = { analysis, tokens: scan.tokens, comments: scan.comments, newline: firstLineBreak === '\r\n' ? '\r\n' : '\n' };
  const printer = new Printer(source, false, 0);
  try {
    printer.printFile(analysis.file.declarations);
  } catch {
    // A TokenMismatch, or a fault of the printer: better no formatting than a lost token.
    return undefined;
  }
  const gaps = printer.gaps;
  if (!keepsEveryToken(scan, applyGaps(analysis.text, gaps))) return undefined;
  return gaps.filter((gap) => analysis.text.slice(gap.pos, gap.end) !== gap.newText).map((gap) => ({ range: { pos: gap.pos, end: gap.end }, newText: gap.newText }));
}

/** The whitespace between two elements (tokens or comments) of the original text, and what replaces it. */
interface Gap {
  pos: number;
  end: number;
  newText: string;
}

/** What every printer of one document shares. */
interface Source {
  analysis: Analysis;
  tokens: Token[];
  comments: Comment[];
  /** The file's own line break, kept. */
  newline: string;
}

/** The tree and the token stream disagree: the tree lacks tokens the parser skipped. */
class TokenMismatch extends Error {}

type Separator =
  /** On the same line, after this many spaces. */
  | { kind: 'inline'; spaces: number }
  /**
   * On a new line at `indent`. `blank` says whether blank lines before it are
   * dropped, kept (one at most) or required (one); `afterOpen` and
   * `beforeClose` drop them right after `{` and right before `}`.
   */
  | { kind: 'line'; indent: number; blank: 'never' | 'keep' | 'always'; afterOpen?: boolean; beforeClose?: boolean };

const TIGHT: Separator = { kind: 'inline', spaces: 0 };
const SPACE: Separator = { kind: 'inline', spaces: 1 };

function line(indent: number, blank: 'never' | 'keep' | 'always', edges: { afterOpen?: boolean; beforeClose?: boolean } = {}): Separator {
  return { kind: 'line', indent, blank, ...edges };
}

const BINARY_OPERATORS = { '+': TokenKind.Plus, '-': TokenKind.Minus, '*': TokenKind.Star, '/': TokenKind.Slash } as const;

class Printer {
  /** The new whitespace of every gap between elements, in order, the one before the end included. */
  readonly gaps: Gap[] = [];
  /** Column where the output stands, in UTF-16 code units. */
  private column = 0;
  private lineIndent = 0;
  /** Indentation of a line pushed down by a comment where the code would have gone on. */
  private continuation = CONTINUATION;
  private nextComment = 0;
  /** Where the last element placed ends in the original text. */
  private previousEnd: number;
  private placedAny = false;
  private readonly analysis: Analysis;
  private readonly tokens: Token[];
  private readonly comments: Comment[];
  private readonly newline: string;

  constructor(
    private readonly source: Source,
    /** Measuring: everything on one line, comments left out, nothing recorded as an edit. */
    private readonly inline: boolean,
    private tokenIndex: number,
  ) {
    this.analysis = source.analysis;
    this.tokens = source.tokens;
    this.comments = source.comments;
    this.newline = source.newline;
    // A byte-order mark is whitespace to the scanner, but the file keeps it.
    this.previousEnd = this.analysis.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  printFile(declarations: Declaration[]): void {
    declarations.forEach((declaration, i) => {
      // The first declaration may follow the file's opening comments after one blank line; the others always do.
      const separator = i === 0 ? line(0, 'keep', { afterOpen: true }) : line(0, 'always');
      if (declaration.kind === 'ModelDeclaration') this.printModel(declaration, separator);
      else this.printTrain(declaration, separator);
    });
    const end = this.tokens[this.tokenIndex];
    if (!end || end.kind !== TokenKind.EndOfFile) throw new TokenMismatch();
    this.placeComments(TokenKind.EndOfFile, end.pos, line(0, 'keep', { beforeClose: true }));
    // A file that says anything ends with one line break.
    this.gaps.push({ pos: this.previousEnd, end: this.analysis.text.length, newText: this.placedAny ? this.newline : '' });
  }

  // Declarations

  private printModel(model: ModelDeclaration, separator: Separator): void {
    this.continuation = CONTINUATION;
    this.take(TokenKind.Identifier, separator, model.keyword.pos);
    if (model.name) this.take(TokenKind.Identifier, SPACE, model.name.pos);
    this.printBody(model.body, model.statements, (statement, itemSeparator, i) => {
      const next = model.statements[i + 1];
      this.printStatement(statement, next && wouldStartDeclaration(statement, next) ? SPACE : itemSeparator);
    });
  }

  private printTrain(train: TrainDeclaration, separator: Separator): void {
    this.continuation = CONTINUATION;
    this.take(TokenKind.Identifier, separator, train.keyword.pos);
    train.models.forEach((name, i) => {
      if (i > 0) this.take(TokenKind.Comma, TIGHT);
      this.take(TokenKind.Identifier, SPACE, name.pos);
    });
    const keyWidth = Math.max(0, ...train.settings.map((setting) => setting.key.text.length));
    this.printBody(train.body, train.settings, (setting, itemSeparator) => this.printSetting(setting, itemSeparator, keyWidth));
  }

  private printBody<T>(body: TextRange, items: T[], printItem: (item: T, separator: Separator, index: number) => void): void {
    this.take(TokenKind.OpenBrace, SPACE, body.pos);
    items.forEach((item, i) => printItem(item, line(INDENT, 'keep', { afterOpen: i === 0 }), i));
    const bare = items.length === 0 && !this.commentBefore(body.end);
    this.take(TokenKind.CloseBrace, bare ? TIGHT : line(0, 'keep', { afterOpen: items.length === 0, beforeClose: true }), body.end - 1);
  }

  private printSetting(setting: Setting, separator: Separator, keyWidth: number): void {
    this.continuation = INDENT + CONTINUATION;
    this.take(TokenKind.Identifier, separator, setting.key.pos);
    this.take(TokenKind.Equals, { kind: 'inline', spaces: keyWidth - setting.key.text.length + 1 });
    this.printExpression(setting.value, SPACE);
  }

  // Statements

  private printStatement(statement: Statement, separator: Separator): void {
    this.continuation = INDENT + CONTINUATION;
    switch (statement.kind) {
      case 'InputStatement':
        this.take(TokenKind.Identifier, separator, statement.keyword.pos);
        if (statement.name) {
          this.take(TokenKind.Identifier, SPACE, statement.name.pos);
          this.take(TokenKind.Colon, TIGHT);
        }
        this.printExpression(statement.shape, SPACE);
        return;
      case 'AssignStatement': {
        const broken = this.brokenPipelines(statement, [statement.value]);
        this.take(TokenKind.Identifier, separator, statement.name.pos);
        this.take(TokenKind.Equals, SPACE);
        this.printPipeline(statement.value, SPACE, broken.has(statement.value));
        return;
      }
      case 'ExpressionStatement': {
        const broken = this.brokenPipelines(statement, [statement.value]);
        this.printPipeline(statement.value, separator, broken.has(statement.value));
        return;
      }
      case 'OutputStatement': {
        const broken = this.brokenPipelines(statement, statement.values);
        this.take(TokenKind.Identifier, separator, statement.keyword.pos);
        statement.values.forEach((pipeline, i) => {
          if (i > 0) this.take(TokenKind.Comma, TIGHT);
          this.printPipeline(pipeline, SPACE, broken.has(pipeline));
        });
        return;
      }
    }
  }

  /** Pipelines to continue on several lines: those that were, and all of a statement too wide for one line. */
  private brokenPipelines(statement: Statement, pipelines: Pipeline[]): Set<Pipeline> {
    const withSteps = this.inline ? [] : pipelines.filter((pipeline) => pipeline.steps.length > 0);
    const broken = new Set(withSteps.filter((pipeline) => this.spansLines(pipeline)));
    if (broken.size < withSteps.length && !this.fitsOnOneLine(statement)) return new Set(withSteps);
    return broken;
  }

  /** True when a line break stands between the pipeline's parts, outside any brackets. */
  private spansLines(pipeline: Pipeline): boolean {
    const text = this.analysis.text;
    const parts = pipeline.head.kind === 'Call' ? [pipeline.head, ...pipeline.steps] : pipeline.steps;
    let from = pipeline.head.kind === 'Call' ? pipeline.head.pos : pipeline.head.end;
    for (const call of parts) {
      if (hasLineBreak(text.slice(from, call.argsRange.pos))) return true;
      from = call.end;
    }
    return false;
  }

  private fitsOnOneLine(statement: Statement): boolean {
    const measure = new Printer(this.source, true, this.tokenIndex);
    measure.printStatement(statement, TIGHT);
    return INDENT + measure.column <= MAX_WIDTH;
  }

  private printPipeline(pipeline: Pipeline, separator: Separator, broken: boolean): void {
    const stepSeparator = broken ? line(INDENT + CONTINUATION, 'never') : SPACE;
    this.printExpression(pipeline.head, separator);
    for (const step of pipeline.steps) {
      this.take(TokenKind.Arrow, stepSeparator);
      this.printCall(step, SPACE);
    }
  }

  // Expressions

  private printExpression(expression: Expression, separator: Separator): void {
    switch (expression.kind) {
      case 'Number':
        this.take(TokenKind.Number, separator, expression.pos);
        return;
      case 'String':
        this.take(TokenKind.String, separator, expression.pos);
        return;
      case 'Boolean':
      case 'None':
      case 'Name':
        this.take(TokenKind.Identifier, separator, expression.pos);
        return;
      case 'List':
        this.take(TokenKind.OpenBracket, separator, expression.pos);
        this.printElements(expression, expression.elements, TokenKind.CloseBracket, (element, itemSeparator) => this.printExpression(element, itemSeparator));
        return;
      case 'Tuple':
        this.take(TokenKind.OpenParen, separator, expression.pos);
        this.printElements(expression, expression.elements, TokenKind.CloseParen, (element, itemSeparator) => this.printExpression(element, itemSeparator));
        return;
      case 'Dict':
        this.take(TokenKind.OpenBrace, separator, expression.pos);
        this.printElements(expression, expression.entries, TokenKind.CloseBrace, (entry, itemSeparator) => this.printDictEntry(entry, itemSeparator));
        return;
      case 'Call':
        this.printCall(expression, separator);
        return;
      case 'Binary': {
        // Tight `*` and `/` show that they bind harder: `2*64 + 1`.
        const spaced = expression.operator === '+' || expression.operator === '-' ? SPACE : TIGHT;
        this.printExpression(expression.left, separator);
        this.take(BINARY_OPERATORS[expression.operator], spaced);
        this.printExpression(expression.right, spaced);
        return;
      }
      case 'Unary':
        this.take(BINARY_OPERATORS[expression.operator], separator, expression.pos);
        this.printExpression(expression.operand, TIGHT);
        return;
      case 'Missing':
        // Only the parser makes these, and it reports them: such files are refused before printing.
        throw new TokenMismatch();
    }
  }

  private printCall(call: CallExpression, separator: Separator): void {
    this.take(TokenKind.Identifier, separator, call.callee.pos);
    this.take(TokenKind.OpenParen, TIGHT, call.argsRange.pos);
    this.printElements(call.argsRange, call.args, TokenKind.CloseParen, (arg, itemSeparator) => this.printArgument(arg, itemSeparator));
  }

  private printArgument(arg: Argument, separator: Separator): void {
    if (!arg.name) {
      this.printExpression(arg.value, separator);
      return;
    }
    this.take(TokenKind.Identifier, separator, arg.name.pos);
    this.take(TokenKind.Equals, TIGHT);
    this.printExpression(arg.value, TIGHT);
  }

  /** `key: value`, as Python writes a dict's entries. */
  private printDictEntry(entry: DictEntry, separator: Separator): void {
    this.take(entry.key.kind === 'String' ? TokenKind.String : TokenKind.Identifier, separator, entry.key.pos);
    this.take(TokenKind.Colon, TIGHT);
    this.printExpression(entry.value, SPACE);
  }

  /** The elements after an opening bracket, and the closer: on one line, or one per line when the brackets spanned lines. */
  private printElements<T>(brackets: TextRange, items: T[], closer: TokenKind, printItem: (item: T, separator: Separator) => void): void {
    const multiline = !this.inline && hasLineBreak(this.analysis.text.slice(brackets.pos, brackets.end));
    const base = this.lineIndent;
    const outerContinuation = this.continuation;
    if (multiline) this.continuation = base + INDENT + CONTINUATION;
    items.forEach((item, i) => {
      printItem(item, multiline ? line(base + INDENT, 'never') : i === 0 ? TIGHT : SPACE);
      if (this.tokens[this.tokenIndex]?.kind === TokenKind.Comma) this.take(TokenKind.Comma, TIGHT);
    });
    this.continuation = outerContinuation;
    this.take(closer, multiline ? line(base, 'never') : TIGHT, brackets.end - 1);
  }

  // Tokens, comments and whitespace

  /** Places the next token of the stream, after the comments before it; it must be of `kind` (and at `pos`). */
  private take(kind: TokenKind, separator: Separator, pos?: number): void {
    const token = this.tokens[this.tokenIndex];
    if (!token || token.kind !== kind || (pos !== undefined && token.pos !== pos)) throw new TokenMismatch();
    this.tokenIndex++;
    if (this.inline) {
      this.column += (separator.kind === 'inline' ? separator.spaces : 0) + token.text.length;
      return;
    }
    const commentsPlaced = this.placeComments(kind, token.pos, separator);
    if (separator.kind === 'line') {
      this.place(token, this.lineBreaks(separator, token.pos, commentsPlaced.ownLine === 0, true) + ' '.repeat(separator.indent));
    } else if (commentsPlaced.any) {
      this.place(token, this.newline + ' '.repeat(this.continuation));
    } else {
      this.place(token, ' '.repeat(separator.spaces));
    }
  }

  /** Places the comments before `pos`: a trailing one stays on its line, the others get lines of their own. */
  private placeComments(next: TokenKind, pos: number, separator: Separator): { any: boolean; ownLine: number } {
    let any = false;
    let ownLine = 0;
    while (this.nextComment < this.comments.length && this.comments[this.nextComment]!.pos < pos) {
      const comment = this.comments[this.nextComment++]!;
      const trailing = this.placedAny && !hasLineBreak(this.analysis.text.slice(this.previousEnd, comment.pos));
      if (trailing) {
        const column = Math.max(this.analysis.lines.positionAt(comment.pos).character, this.column + 2);
        this.place(comment, ' '.repeat(column - this.column));
      } else {
        // A comment before a closer belongs to the body it closes.
        const indent = separator.kind === 'line' ? separator.indent + (isCloser(next) ? INDENT : 0) : this.continuation;
        this.place(comment, this.lineBreaks(separator, comment.pos, ownLine === 0, false) + ' '.repeat(indent));
        ownLine++;
      }
      any = true;
    }
    return { any, ownLine };
  }

  /** The line breaks before an element that starts a line: one, or two to leave a blank line. */
  private lineBreaks(separator: Separator, pos: number, first: boolean, last: boolean): string {
    if (!this.placedAny) return '';
    const blankLines = Math.max(0, countLineBreaks(this.analysis.text.slice(this.previousEnd, pos)) - 1);
    let blank: boolean;
    if (separator.kind === 'inline' || separator.blank === 'never') blank = false;
    else if (separator.blank === 'always' && first) blank = true;
    else blank = blankLines > 0 && !(first && separator.afterOpen) && !(last && separator.beforeClose);
    return blank ? this.newline + this.newline : this.newline;
  }

  private place(element: { pos: number; end: number; text: string }, whitespace: string): void {
    this.gaps.push({ pos: this.previousEnd, end: element.pos, newText: whitespace });
    const lineBreak = whitespace.lastIndexOf('\n');
    if (lineBreak >= 0) {
      this.lineIndent = whitespace.length - lineBreak - 1;
      this.column = this.lineIndent;
    } else {
      this.column += whitespace.length;
    }
    this.column += element.text.length;
    this.previousEnd = element.end;
    this.placedAny = true;
  }

  private commentBefore(pos: number): boolean {
    const comment = this.comments[this.nextComment];
    return comment !== undefined && comment.pos < pos;
  }
}

/** The text with every gap's new whitespace. */
function applyGaps(text: string, gaps: Gap[]): string {
  let formatted = text.slice(0, gaps[0]?.pos ?? text.length);
  gaps.forEach((gap, i) => {
    formatted += gap.newText + text.slice(gap.end, gaps[i + 1]?.pos ?? text.length);
  });
  return formatted;
}

/** Only whitespace changed: the formatted text scans to the same tokens and comments. */
function keepsEveryToken(before: { tokens: Token[]; comments: Comment[] }, formatted: string): boolean {
  const after = scanText(formatted);
  return (
    after.tokens.length === before.tokens.length &&
    after.comments.length === before.comments.length &&
    after.tokens.every((token, i) => token.kind === before.tokens[i]!.kind && token.text === before.tokens[i]!.text) &&
    after.comments.every((comment, i) => comment.text === before.comments[i]!.text)
  );
}

/**
 * A tensor may be called `model` or `train`; standing alone at the start of
 * a line before a statement that starts with a name, it would start a
 * declaration, so it stays on the line before, as it must have been for the
 * file to parse.
 */
function wouldStartDeclaration(statement: Statement, next: Statement): boolean {
  if (statement.kind !== 'ExpressionStatement' || statement.value.steps.length > 0 || statement.value.head.kind !== 'Name') return false;
  const name = statement.value.head.name.text;
  return (name === 'model' || name === 'train') && !(next.kind === 'ExpressionStatement' && next.value.head.kind === 'Tuple');
}

function isCloser(kind: TokenKind): boolean {
  return kind === TokenKind.CloseBrace || kind === TokenKind.CloseBracket || kind === TokenKind.CloseParen;
}

function hasLineBreak(text: string): boolean {
  return /[\r\n]/.test(text);
}

function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}
