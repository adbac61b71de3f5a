/**
 * Between the core's offsets and plain kinds and LSP's positions, numbers
 * and shapes: the one place that knows LSP's enumerations, the semantic
 * tokens legend and encoding, and how folds become lines.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DocumentHighlightKind,
  FoldingRangeKind,
  InlayHintKind,
  InsertTextFormat,
  SymbolKind,
  type CodeAction as LspCodeAction,
  type CompletionItem as LspCompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentHighlight as LspDocumentHighlight,
  type DocumentSymbol as LspDocumentSymbol,
  type FoldingRange as LspFoldingRange,
  type InlayHint as LspInlayHint,
  type Position,
  type Range,
  type SemanticTokensLegend,
  type SignatureHelp as LspSignatureHelp,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type {
  Analysis,
  CodeAction,
  CompletionItem,
  CompletionItemKind as CoreCompletionKind,
  Diagnostic,
  DocumentHighlight,
  DocumentSymbol,
  Fold,
  InlayHint,
  ModelGraph,
  SemanticToken,
  SemanticTokenKind,
  SemanticTokenModifier,
  SignatureHelp,
  SymbolKindName,
  TextEdit,
  TextRange,
} from '../core';
import type { ModelGraphResult } from '../protocol/graph';

export function toPosition(analysis: Analysis, offset: number): Position {
  return analysis.lines.positionAt(offset);
}

export function toRange(analysis: Analysis, range: TextRange): Range {
  return { start: toPosition(analysis, range.pos), end: toPosition(analysis, range.end) };
}

/** A position past the end of a line or of the document is clamped, never an error. */
export function toOffset(analysis: Analysis, position: Position): number {
  return analysis.lines.offsetAt(position);
}

export function toTextRange(analysis: Analysis, range: Range): TextRange {
  return { pos: toOffset(analysis, range.start), end: toOffset(analysis, range.end) };
}

export function toTextEdit(analysis: Analysis, edit: TextEdit): LspTextEdit {
  return { range: toRange(analysis, edit.range), newText: edit.newText };
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(analysis: Analysis, diagnostic: Diagnostic): LspDiagnostic {
  return {
    range: toRange(analysis, diagnostic),
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: 'layerwise',
    message: diagnostic.message,
    data: diagnostic.suggestion !== undefined ? { suggestion: diagnostic.suggestion } : undefined,
  };
}

const SYMBOL_KIND: Record<SymbolKindName, SymbolKind> = {
  class: SymbolKind.Class,
  variable: SymbolKind.Variable,
  function: SymbolKind.Function,
  event: SymbolKind.Event,
  property: SymbolKind.Property,
};

export function toSymbolKind(kind: SymbolKindName): SymbolKind {
  return SYMBOL_KIND[kind];
}

export function toDocumentSymbol(analysis: Analysis, symbol: DocumentSymbol): LspDocumentSymbol {
  return {
    name: symbol.name,
    detail: symbol.detail,
    kind: toSymbolKind(symbol.kind),
    range: toRange(analysis, symbol.range),
    selectionRange: toRange(analysis, symbol.selectionRange),
    children: symbol.children?.map((child) => toDocumentSymbol(analysis, child)),
  };
}

const COMPLETION_KIND: Record<CoreCompletionKind, CompletionItemKind> = {
  class: CompletionItemKind.Class,
  property: CompletionItemKind.Property,
  enumMember: CompletionItemKind.EnumMember,
  variable: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  function: CompletionItemKind.Function,
  snippet: CompletionItemKind.Snippet,
  module: CompletionItemKind.Module,
};

export function toCompletionItem(analysis: Analysis, item: CompletionItem): LspCompletionItem {
  const insertText = item.insertText ?? item.label;
  return {
    label: item.label,
    kind: COMPLETION_KIND[item.kind],
    detail: item.detail,
    documentation: item.documentation ? { kind: 'markdown', value: item.documentation } : undefined,
    insertTextFormat: item.insertTextFormat === 'snippet' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: item.sortText,
    ...(item.range ? { textEdit: { range: toRange(analysis, item.range), newText: insertText } } : { insertText }),
  };
}

const HIGHLIGHT_KIND: Record<DocumentHighlight['kind'], DocumentHighlightKind> = {
  read: DocumentHighlightKind.Read,
  write: DocumentHighlightKind.Write,
};

export function toDocumentHighlight(analysis: Analysis, highlight: DocumentHighlight): LspDocumentHighlight {
  return { range: toRange(analysis, highlight.range), kind: HIGHLIGHT_KIND[highlight.kind] };
}

const INLAY_HINT_KIND: Record<InlayHint['kind'], InlayHintKind> = {
  type: InlayHintKind.Type,
  parameter: InlayHintKind.Parameter,
};

export function toInlayHint(analysis: Analysis, hint: InlayHint): LspInlayHint {
  return { position: toPosition(analysis, hint.pos), label: hint.label, kind: INLAY_HINT_KIND[hint.kind], paddingLeft: hint.paddingLeft };
}

const CODE_ACTION_KIND: Record<CodeAction['kind'], string> = {
  quickfix: CodeActionKind.QuickFix,
  refactor: CodeActionKind.Refactor,
};

/** The kinds the server announces: those its code actions have. */
export const CODE_ACTION_KINDS: string[] = [CODE_ACTION_KIND.quickfix];

/** A code action with its edits in `uri`, naming those of the client's `diagnostics` whose codes it fixes. */
export function toCodeAction(analysis: Analysis, uri: string, action: CodeAction, diagnostics: LspDiagnostic[]): LspCodeAction {
  return {
    title: action.title,
    kind: CODE_ACTION_KIND[action.kind],
    isPreferred: action.isPreferred,
    diagnostics: diagnostics.filter((d) => typeof d.code === 'string' && action.diagnosticCodes.includes(d.code)),
    edit: { changes: { [uri]: action.edits.map((edit) => toTextEdit(analysis, edit)) } },
  };
}

/** LSP's parameter labels are spans in the signature's label; none active is an index past the parameters. */
export function toSignatureHelp(help: SignatureHelp): LspSignatureHelp {
  const parameters = help.parameters.map((parameter) => ({ label: parameter.span, documentation: parameter.documentation }));
  return {
    signatures: [{ label: help.label, documentation: help.documentation, parameters }],
    activeSignature: 0,
    activeParameter: help.activeParameter ?? parameters.length,
  };
}

/**
 * Folds as the lines an editor folds, sorted, one per start line (the
 * largest). Editors that fold whole lines hide the last line too, so a
 * closing bracket that starts its line ends the fold on the line before and
 * stays visible, as in VS Code's own languages; a fold left with no line to
 * hide is dropped.
 */
export function toFoldingRanges(analysis: Analysis, folds: Fold[]): LspFoldingRange[] {
  const byStart = new Map<number, LspFoldingRange>();
  for (const fold of folds) {
    const range = toFoldingRange(analysis, fold);
    if (!range) continue;
    const existing = byStart.get(range.startLine);
    if (!existing || range.endLine > existing.endLine) byStart.set(range.startLine, range);
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}

function toFoldingRange(analysis: Analysis, fold: Fold): LspFoldingRange | undefined {
  const startLine = analysis.lines.positionAt(fold.range.pos).line;
  let endLine = analysis.lines.positionAt(fold.range.end).line;
  if (fold.kind === 'body' || fold.kind === 'brackets') {
    const closer = fold.range.end - 1;
    endLine = analysis.lines.positionAt(closer).line;
    const lineStart = analysis.lines.offsetAt({ line: endLine, character: 0 });
    if (/^\s*$/.test(analysis.text.slice(lineStart, closer))) endLine--;
  }
  if (endLine <= startLine) return undefined;
  const kind = fold.kind === 'comment' ? FoldingRangeKind.Comment : fold.kind === 'region' ? FoldingRangeKind.Region : undefined;
  return kind ? { startLine, endLine, kind } : { startLine, endLine };
}

/** The LSP token type of each kind; the legend lists them in this order. */
const TOKEN_TYPE: Record<SemanticTokenKind, string> = {
  layer: 'class',
  tensor: 'variable',
  argument: 'parameter',
  value: 'enumMember',
  model: 'type',
  setting: 'property',
  function: 'function',
  keyword: 'keyword',
  number: 'number',
  string: 'string',
  comment: 'comment',
  operator: 'operator',
};

/** The LSP token modifier of each modifier; the legend's bit order is this order. */
const TOKEN_MODIFIER: Record<SemanticTokenModifier, string> = {
  declaration: 'declaration',
  input: 'readonly',
  builtin: 'defaultLibrary',
};

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: Object.values(TOKEN_TYPE), tokenModifiers: Object.values(TOKEN_MODIFIER) };

const TYPE_INDEX = new Map(Object.keys(TOKEN_TYPE).map((kind, index) => [kind, index]));
const MODIFIER_BIT = new Map(Object.keys(TOKEN_MODIFIER).map((modifier, index) => [modifier, 1 << index]));

/**
 * Tokens, in document order, in LSP's relative encoding: five numbers each
 * (line delta, start delta — from the previous token's start when on its
 * line, else from the line's start —, length, type index, modifier bits).
 */
export function toSemanticTokens(analysis: Analysis, tokens: SemanticToken[]): number[] {
  const data: number[] = [];
  let previousLine = 0;
  let previousStart = 0;
  for (const { range, kind, modifiers } of tokens) {
    const { line, character } = analysis.lines.positionAt(range.pos);
    const bits = modifiers.reduce((set, modifier) => set | MODIFIER_BIT.get(modifier)!, 0);
    data.push(line - previousLine, line === previousLine ? character - previousStart : character, range.end - range.pos, TYPE_INDEX.get(kind)!, bits);
    previousLine = line;
    previousStart = character;
  }
  return data;
}

/** The model graph with its offsets as 0-based lines and UTF-16 characters. */
export function toModelGraph(analysis: Analysis, graph: ModelGraph): ModelGraphResult {
  return {
    ...graph,
    range: toRange(analysis, graph.range),
    nodes: graph.nodes.map((node) => ({ ...node, range: toRange(analysis, node.range), statement: toRange(analysis, node.statement) })),
  };
}
