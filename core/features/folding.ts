/**
 * Folding ranges, in lines: model and train bodies, brackets and pipelines
 * that span lines, runs of comment lines, and `# region` … `# endregion`.
 * A closing bracket that starts its line stays visible when folded, as in
 * VS Code's own languages.
 */
import type { Analysis } from '../analysis';
import type { Expression, Pipeline, Statement, TextRange } from '../syntax/tree';

export interface FoldingRange {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

const REGION_START = /^#\s*region\b/;
const REGION_END = /^#\s*endregion\b/;

export function getFoldingRanges(analysis: Analysis): FoldingRange[] {
  const folds = new Folds(analysis);
  for (const declaration of analysis.file.declarations) {
    folds.bracketed(declaration.pos, declaration.body);
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
  private readonly ranges: FoldingRange[] = [];

  constructor(private readonly analysis: Analysis) {}

  statement(statement: Statement): void {
    const pipelines: Pipeline[] = statement.kind === 'OutputStatement' ? statement.values : statement.kind === 'InputStatement' ? [] : [statement.value];
    if (pipelines.some((pipeline) => pipeline.steps.length > 0)) this.add(this.line(statement.pos), this.line(statement.end));
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
          this.bracketed(expression.pos, expression);
          stack.push(...expression.elements);
          break;
        case 'Call':
          this.bracketed(expression.pos, expression.argsRange);
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

  /** From the line of `start` to the line before the closing bracket, or to its line when code precedes it. */
  bracketed(start: number, brackets: TextRange): void {
    if (brackets.end <= brackets.pos) return;
    const closer = brackets.end - 1;
    const closerLine = this.line(closer);
    const startsLine = /^\s*$/.test(this.analysis.text.slice(this.lineStart(closerLine), closer));
    this.add(this.line(start), startsLine ? closerLine - 1 : closerLine);
  }

  /** Runs of two or more comment lines, and regions between marker comments. */
  comments(): void {
    const regions: number[] = [];
    let run: { start: number; end: number } | undefined;
    const closeRun = (): void => {
      if (run && run.end > run.start) this.add(run.start, run.end, 'comment');
      run = undefined;
    };
    for (const comment of this.analysis.file.comments) {
      const line = this.line(comment.pos);
      const ownLine = /^\s*$/.test(this.analysis.text.slice(this.lineStart(line), comment.pos));
      const text = this.analysis.text.slice(comment.pos, comment.end);
      if (REGION_START.test(text) || REGION_END.test(text)) {
        closeRun();
        if (REGION_START.test(text)) regions.push(line);
        else if (regions.length) this.add(regions.pop()!, line, 'region');
        continue;
      }
      if (!ownLine) continue;
      if (run && line === run.end + 1) run.end = line;
      else {
        closeRun();
        run = { start: line, end: line };
      }
    }
    closeRun();
  }

  /** Sorted by start line; of several ranges starting on one line, the largest. */
  result(): FoldingRange[] {
    const byStart = new Map<number, FoldingRange>();
    for (const range of this.ranges) {
      const existing = byStart.get(range.startLine);
      if (!existing || range.endLine > existing.endLine) byStart.set(range.startLine, range);
    }
    return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
  }

  private add(startLine: number, endLine: number, kind?: FoldingRange['kind']): void {
    if (endLine > startLine) this.ranges.push(kind ? { startLine, endLine, kind } : { startLine, endLine });
  }

  private line(offset: number): number {
    return this.analysis.lines.positionAt(offset).line;
  }

  private lineStart(line: number): number {
    return this.analysis.lines.offsetAt({ line, character: 0 });
  }
}
