/**
 * Folding ranges: model and train bodies, brackets and pipelines that span
 * lines, runs of comment lines, and `# region` … `# endregion`. Each is an
 * offset range with its kind; the server turns them into the lines an
 * editor folds.
 */
import type { Analysis } from '../analysis';
import type { Expression, Pipeline, Statement, TextRange } from '../syntax/tree';

/**
 * `body`: a model's or train block's braces; `brackets`: a list, tuple or
 * argument list; `pipeline`: a statement whose steps span lines; `comment`:
 * a run of comment lines; `region`: from `# region` to its `# endregion`.
 * A `body` or `brackets` fold ends with its closing bracket, where the
 * code has one.
 */
export type FoldKind = 'body' | 'brackets' | 'pipeline' | 'comment' | 'region';

export interface Fold {
  range: TextRange;
  kind: FoldKind;
}

const REGION_START = /^#\s*region\b/;
const REGION_END = /^#\s*endregion\b/;

/** Every fold that spans lines, by start offset. */
export function getFoldingRanges(analysis: Analysis): Fold[] {
  const folds = new Folds(analysis);
  for (const declaration of analysis.file.declarations) {
    folds.bracketed('body', declaration.pos, declaration.body);
    if (declaration.kind === 'ModelDeclaration') {
      for (const statement of declaration.statements) folds.statement(statement);
    } else {
      for (const setting of declaration.settings) folds.expressions([setting.value]);
    }
  }
  folds.comments();
  return folds.result();
}

class Folds {
  private readonly folds: Fold[] = [];

  constructor(private readonly analysis: Analysis) {}

  statement(statement: Statement): void {
    const pipelines: Pipeline[] = statement.kind === 'OutputStatement' ? statement.values : statement.kind === 'InputStatement' ? [] : [statement.value];
    if (pipelines.some((pipeline) => pipeline.steps.length > 0)) this.add(statement.pos, statement.end, 'pipeline');
    if (statement.kind === 'InputStatement') this.expressions([statement.shape]);
    else this.expressions(pipelines.flatMap((pipeline) => [pipeline.head, ...pipeline.steps]));
  }

  /** Lists, tuples and argument lists that span lines, at any depth; iterative, as values may nest deeply. */
  expressions(roots: Expression[]): void {
    const stack = [...roots];
    for (let expression = stack.pop(); expression; expression = stack.pop()) {
      switch (expression.kind) {
        case 'List':
        case 'Tuple':
          this.bracketed('brackets', expression.pos, expression);
          stack.push(...expression.elements);
          break;
        case 'Dict':
          this.bracketed('brackets', expression.pos, expression);
          stack.push(...expression.entries.map((entry) => entry.value));
          break;
        case 'Call':
          this.bracketed('brackets', expression.pos, expression.argsRange);
          stack.push(...expression.args.map((arg) => arg.value));
          break;
        case 'Binary':
          stack.push(expression.left, expression.right);
          break;
        case 'Unary':
          stack.push(expression.operand);
          break;
      }
    }
  }

  /** From `start` to the closing bracket, included. */
  bracketed(kind: 'body' | 'brackets', start: number, brackets: TextRange): void {
    if (brackets.end > brackets.pos) this.add(start, brackets.end, kind);
  }

  /** Runs of two or more comment lines, and regions between marker comments. */
  comments(): void {
    const regions: TextRange[] = [];
    let run: { first: TextRange; last: TextRange; lastLine: number } | undefined;
    const closeRun = (): void => {
      if (run) this.add(run.first.pos, run.last.end, 'comment');
      run = undefined;
    };
    for (const comment of this.analysis.file.comments) {
      const line = this.line(comment.pos);
      const ownLine = /^\s*$/.test(this.analysis.text.slice(this.lineStart(line), comment.pos));
      const text = this.analysis.text.slice(comment.pos, comment.end);
      if (REGION_START.test(text) || REGION_END.test(text)) {
        closeRun();
        if (REGION_START.test(text)) regions.push(comment);
        else if (regions.length) this.add(regions.pop()!.pos, comment.end, 'region');
        continue;
      }
      if (!ownLine) continue;
      if (run && line === run.lastLine + 1) {
        run.last = comment;
        run.lastLine = line;
      } else {
        closeRun();
        run = { first: comment, last: comment, lastLine: line };
      }
    }
    closeRun();
  }

  /** By start offset; a sort that keeps the order found for folds that start together. */
  result(): Fold[] {
    return [...this.folds].sort((a, b) => a.range.pos - b.range.pos);
  }

  /** A fold that stays within one line folds nothing. */
  private add(pos: number, end: number, kind: FoldKind): void {
    if (this.line(end) > this.line(pos)) this.folds.push({ range: { pos, end }, kind });
  }

  private line(offset: number): number {
    return this.analysis.lines.positionAt(offset).line;
  }

  private lineStart(line: number): number {
    return this.analysis.lines.offsetAt({ line, character: 0 });
  }
}
