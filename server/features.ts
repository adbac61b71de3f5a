/**
 * The editor features: each LSP request mapped onto the core function of
 * the same name, its parameters and its answer converted by `convert.ts`.
 */
import { ErrorCodes, ResponseError, type Connection, type ServerCapabilities } from 'vscode-languageserver';
import {
  getCodeActions,
  getCodeLenses,
  getCompletions,
  getRunLenses,
  getDefinition,
  getDocumentHighlights,
  getDocumentSymbols,
  getFoldingRanges,
  getHover,
  getInlayHints,
  getModelGraph,
  getReferences,
  getRenameEdits,
  getSemanticTokens,
  getSignatureHelp,
  getWorkspaceSymbols,
  formatDocument,
  prepareRename,
  type Analysis,
  type RunLookup,
} from '../core';
import type { LensAction } from '../core';
import { SHOW_GRAPH_COMMAND, SHOW_RUN_COMMAND, SHOW_SUMMARY_COMMAND, TRAIN_COMMAND } from '../protocol/commands';
import { MODEL_GRAPH_REQUEST, type ModelGraphParams } from '../protocol/editor';
import { isUnchecked } from './bounds';
import {
  CODE_ACTION_KINDS,
  SEMANTIC_TOKENS_LEGEND,
  toCodeAction,
  toCompletionItem,
  toDocumentHighlight,
  toDocumentSymbol,
  toFoldingRanges,
  toInlayHint,
  toModelGraph,
  toOffset,
  toRange,
  toSemanticTokens,
  toSignatureHelp,
  toSymbolKind,
  toTextEdit,
  toTextRange,
} from './convert';

export interface FeatureContext {
  /** The analysis of an open .net document; throws a ResponseError otherwise. */
  documentAnalysis(uri: string): Analysis;
  /** Every open .net document's analysis, for workspace-wide requests. */
  openAnalyses(): { uri: string; analysis: Analysis }[];
  /** Runs a handler so that a fault is logged and answered, never fatal. */
  guard<P, R>(name: string, handler: (params: P) => R): (params: P) => R | ResponseError<void>;
  settings(): { inlayHints: boolean };
  /** Each model's last run, read from the run folders beside a document on disk. */
  runs(uri: string): RunLookup | undefined;
}

export const FEATURE_CAPABILITIES: ServerCapabilities = {
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['>', '(', ',', '=', '[', ' '] },
  signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: ['='] },
  definitionProvider: true,
  referencesProvider: true,
  documentHighlightProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: { label: 'Layerwise' },
  workspaceSymbolProvider: true,
  foldingRangeProvider: true,
  semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
  documentFormattingProvider: true,
  codeActionProvider: { codeActionKinds: CODE_ACTION_KINDS },
  codeLensProvider: { resolveProvider: false },
  inlayHintProvider: true,
};

export function registerFeatures(connection: Connection, context: FeatureContext): void {
  const { documentAnalysis, guard } = context;
  const at = (params: { textDocument: { uri: string }; position: { line: number; character: number } }) => {
    const analysis = documentAnalysis(params.textDocument.uri);
    return { analysis, offset: toOffset(analysis, params.position) };
  };

  connection.onHover(
    guard('hover', (params) => {
      const { analysis, offset } = at(params);
      const hover = getHover(analysis, offset, { lastRun: context.runs(params.textDocument.uri) });
      return hover ? { contents: { kind: 'markdown' as const, value: hover.markdown }, range: toRange(analysis, hover.range) } : null;
    }),
  );

  connection.onCompletion(
    guard('completion', (params) => {
      const { analysis, offset } = at(params);
      // An unchecked document's analysis is that of an empty file, whose completions (the top-level snippets) would be wrong here.
      if (isUnchecked(analysis)) return { isIncomplete: false, items: [] };
      const list = getCompletions(analysis, offset);
      return { isIncomplete: list.isIncomplete, items: list.items.map((item) => toCompletionItem(analysis, item)) };
    }),
  );

  connection.onSignatureHelp(
    guard('signatureHelp', (params) => {
      const { analysis, offset } = at(params);
      const help = getSignatureHelp(analysis, offset);
      return help ? toSignatureHelp(help) : null;
    }),
  );

  connection.onDefinition(
    guard('definition', (params) => {
      const { analysis, offset } = at(params);
      const target = getDefinition(analysis, offset);
      return target ? { uri: params.textDocument.uri, range: toRange(analysis, target) } : null;
    }),
  );

  connection.onReferences(
    guard('references', (params) => {
      const { analysis, offset } = at(params);
      return getReferences(analysis, offset, params.context.includeDeclaration).map((range) => ({ uri: params.textDocument.uri, range: toRange(analysis, range) }));
    }),
  );

  connection.onDocumentHighlight(
    guard('documentHighlight', (params) => {
      const { analysis, offset } = at(params);
      return getDocumentHighlights(analysis, offset).map((highlight) => toDocumentHighlight(analysis, highlight));
    }),
  );

  connection.onPrepareRename(
    guard('prepareRename', (params) => {
      const { analysis, offset } = at(params);
      const prepared = prepareRename(analysis, offset);
      return prepared ? { range: toRange(analysis, prepared.range), placeholder: prepared.placeholder } : null;
    }),
  );

  connection.onRenameRequest(
    guard('rename', (params) => {
      const { analysis, offset } = at(params);
      const result = getRenameEdits(analysis, offset, params.newName);
      if ('error' in result) throw new ResponseError(ErrorCodes.InvalidParams, result.error);
      return { changes: { [params.textDocument.uri]: result.edits.map((edit) => toTextEdit(analysis, edit)) } };
    }),
  );

  connection.onDocumentSymbol(
    guard('documentSymbol', (params) => {
      const analysis = documentAnalysis(params.textDocument.uri);
      return getDocumentSymbols(analysis).map((symbol) => toDocumentSymbol(analysis, symbol));
    }),
  );

  connection.onWorkspaceSymbol(
    guard('workspaceSymbol', (params) => {
      const analyses = context.openAnalyses();
      const byUri = new Map(analyses.map((entry) => [entry.uri, entry.analysis]));
      return getWorkspaceSymbols(analyses, params.query).map((symbol) => ({
        name: symbol.name,
        kind: toSymbolKind(symbol.kind),
        containerName: symbol.containerName,
        location: { uri: symbol.uri, range: toRange(byUri.get(symbol.uri)!, symbol.range) },
      }));
    }),
  );

  connection.onFoldingRanges(
    guard('foldingRange', (params) => {
      const analysis = documentAnalysis(params.textDocument.uri);
      return toFoldingRanges(analysis, getFoldingRanges(analysis));
    }),
  );

  connection.languages.semanticTokens.on(
    guard('semanticTokens', (params) => {
      const analysis = documentAnalysis(params.textDocument.uri);
      return { data: toSemanticTokens(analysis, getSemanticTokens(analysis)) };
    }),
  );

  connection.onDocumentFormatting(
    guard('formatting', (params) => {
      const analysis = documentAnalysis(params.textDocument.uri);
      // A file with syntax errors is left alone: formatting must never lose text.
      return formatDocument(analysis)?.map((edit) => toTextEdit(analysis, edit)) ?? null;
    }),
  );

  connection.onCodeAction(
    guard('codeAction', (params) => {
      const analysis = documentAnalysis(params.textDocument.uri);
      return getCodeActions(analysis, toTextRange(analysis, params.range)).map((action) => toCodeAction(analysis, params.textDocument.uri, action, params.context.diagnostics));
    }),
  );

  connection.onCodeLens(
    guard('codeLens', (params) => {
      const uri = params.textDocument.uri;
      const analysis = documentAnalysis(uri);
      const lastRun = context.runs(uri);
      const lenses = [...getCodeLenses(analysis), ...(lastRun ? getRunLenses(analysis, lastRun) : [])];
      return lenses.map((lens) => ({ range: toRange(analysis, lens.range), command: { title: lens.title, ...lensCommand(uri, lens.action) } }));
    }),
  );

  connection.languages.inlayHint.on(
    guard('inlayHint', (params) => {
      if (!context.settings().inlayHints) return [];
      const analysis = documentAnalysis(params.textDocument.uri);
      return getInlayHints(analysis, toTextRange(analysis, params.range)).map((hint) => toInlayHint(analysis, hint));
    }),
  );

  // Beside LSP (protocol/editor.ts): the graph view's model, which follows the text and the cursor.
  connection.onRequest(
    MODEL_GRAPH_REQUEST,
    guard('modelGraph', (params: ModelGraphParams) => {
      const analysis = documentAnalysis(params.uri);
      const offset = params.position ? toOffset(analysis, params.position) : undefined;
      const graph = getModelGraph(analysis, { model: params.model ?? undefined, offset, fallback: params.fallback ?? undefined });
      return graph ? toModelGraph(analysis, graph) : null;
    }),
  );
}

/** The client's command for a lens's action, with the arguments that command takes (see protocol/commands.ts). */
function lensCommand(uri: string, action: LensAction): { command: string; arguments: unknown[] } {
  switch (action.kind) {
    case 'showSummary': return { command: SHOW_SUMMARY_COMMAND, arguments: [action.model] };
    case 'showGraph': return { command: SHOW_GRAPH_COMMAND, arguments: [action.model] };
    case 'train': return { command: TRAIN_COMMAND, arguments: [action.index, action.models] };
    case 'showRun': return { command: SHOW_RUN_COMMAND, arguments: [uri, action.model, action.dir] };
  }
}
