/**
 * Between the core's offsets and names and LSP's positions and numbers.
 */
import {
  CompletionItemKind,
  DiagnosticSeverity,
  InsertTextFormat,
  SymbolKind,
  type CompletionItem as LspCompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol as LspDocumentSymbol,
  type Position,
  type Range,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type { Analysis, CompletionItem, CompletionItemKind as CoreCompletionKind, Diagnostic, DocumentSymbol, SymbolKindName, TextEdit, TextRange } from '../core';

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
