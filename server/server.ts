/**
 * The language server: LSP wiring over the core's facade. It owns the open
 * documents, a cache of analyses by uri and version, debounced diagnostics
 * and the settings; the features are in features.ts. Every handler is
 * guarded: a fault is logged and answered, never fatal.
 */
import { CodeLensRefreshRequest, ErrorCodes, ResponseError, TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { firstError, formatSummary, trainBlockSpans, type Analysis } from '../core';
import { toLspDiagnostic, toPosition } from './convert';
import { earlierRuns, lastRun, modelRun, runsDirOf } from '../host/runs';
import { SERVER_COMMANDS, SERVER_SUMMARY_COMMAND } from '../protocol/commands';
import { RUN_REQUEST, RUNS_REQUEST, TRAIN_BLOCKS_REQUEST, type RunParams, type RunsParams, type TrainBlocksParams, type TrainBlocksResult } from '../protocol/editor';
import { AnalysisCache, filePathOf, isNetDocument } from './documents';
import { FEATURE_CAPABILITIES, registerFeatures } from './features';
import { withoutStaleChanges } from './versions';

/** Publishing more diagnostics than this for one file helps nobody and slows editors down. */
const MAX_DIAGNOSTICS = 1000;

export interface ServerOptions {
  /** Delay between the last edit and checking, in ms: edits typed in a burst are checked once. */
  debounceMs?: number;
}

interface Settings {
  inlayHints: boolean;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 10;
  const documents = new TextDocuments(TextDocument);
  // A data file's answer arrived (or its file changed): the documents that name it are checked again.
  const cache = new AnalysisCache((uri) => {
    const document = documents.get(uri);
    if (document) schedule(document);
  });
  const pending = new Map<string, NodeJS.Timeout>();
  let settings: Settings = { inlayHints: true };
  let codeLensRefresh = false;

  function guard<P, R>(name: string, handler: (params: P) => R): (params: P) => R | ResponseError<void> {
    return (params: P) => {
      try {
        return handler(params);
      } catch (error) {
        if (error instanceof ResponseError) return error as ResponseError<void>;
        connection.console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
        return new ResponseError<void>(ErrorCodes.InternalError, `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
  }

  function documentAnalysis(uri: string): Analysis {
    const document = documents.get(uri);
    if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `document ${uri} is not open`);
    if (!isNetDocument(document)) throw new ResponseError(ErrorCodes.InvalidParams, `document ${uri} is not a .net document`);
    return cache.get(document);
  }

  function validate(document: TextDocument): void {
    if (!isNetDocument(document)) return;
    const analysis = cache.get(document);
    // A newer version may have arrived meanwhile: publish only the current one.
    if (documents.get(document.uri)?.version !== document.version) return;
    const diagnostics = analysis.diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => toLspDiagnostic(analysis, d));
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  function schedule(document: TextDocument): void {
    clearTimeout(pending.get(document.uri));
    const timer = setTimeout(() => {
      pending.delete(document.uri);
      const current = documents.get(document.uri);
      if (!current) return;
      try {
        validate(current);
      } catch (error) {
        connection.console.error(`checking ${document.uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }, debounceMs);
    pending.set(document.uri, timer);
  }

  function applySettings(value: unknown): void {
    const layerwise = (value ?? {}) as { inlayHints?: { enabled?: unknown } };
    settings = { inlayHints: layerwise.inlayHints?.enabled !== false };
  }

  documents.onDidChangeContent((event) => schedule(event.document));
  documents.onDidClose((event) => {
    clearTimeout(pending.get(event.document.uri));
    pending.delete(event.document.uri);
    cache.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onInitialize((params): InitializeResult => {
    applySettings(params.initializationOptions);
    codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        executeCommandProvider: { commands: [...SERVER_COMMANDS] },
        ...FEATURE_CAPABILITIES,
      },
      serverInfo: { name: 'layerwise-language-server', version: '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration((params) => {
    applySettings((params.settings as { layerwise?: unknown } | null)?.layerwise);
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  });

  connection.onExecuteCommand(
    guard('executeCommand', (params) => {
      if (params.command !== SERVER_SUMMARY_COMMAND) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
      const [uri, model] = (params.arguments ?? []) as [string, string | undefined];
      const analysis = documentAnalysis(uri);
      const networks = analysis.models.map((m) => m.network).filter((network) => model === undefined || model === null || network.name === model);
      if (networks.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, model ? `no model '${model}' in ${uri}` : `${uri} defines no model`);
      return networks.map(formatSummary).join('\n');
    }),
  );

  connection.onRequest(
    RUNS_REQUEST,
    guard('runs', (params: RunsParams) => {
      const path = filePathOf(params.uri);
      return path === undefined ? [] : earlierRuns(runsDirOf(path), params.model, params.except);
    }),
  );

  connection.onRequest(
    RUN_REQUEST,
    guard('run', (params: RunParams) => {
      const path = filePathOf(params.uri);
      if (path === undefined) return null;
      return modelRun(runsDirOf(path), params.model, params.dir) ?? null;
    }),
  );

  connection.onRequest(
    TRAIN_BLOCKS_REQUEST,
    guard('trainBlocks', (params: TrainBlocksParams): TrainBlocksResult => {
      const analysis = documentAnalysis(params.uri);
      const blocks = trainBlockSpans(analysis).map(({ index, models, range }) => ({
        index,
        models,
        startLine: toPosition(analysis, range.pos).line,
        endLine: toPosition(analysis, range.end).line,
      }));
      const error = firstError(analysis);
      if (!error) return { blocks };
      const at = toPosition(analysis, error.pos);
      return { blocks, firstError: { line: at.line, character: at.character, message: error.message } };
    }),
  );

  // A run folder changed (a run wrote its history, or one was deleted): the lenses show runs, so they are asked for again.
  connection.onDidChangeWatchedFiles(() => {
    if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  });

  registerFeatures(connection, {
    runs: (uri) => {
      const path = filePathOf(uri);
      if (path === undefined) return undefined;
      const runsDir = runsDirOf(path);
      return (model) => lastRun(runsDir, model);
    },
    documentAnalysis,
    guard,
    settings: () => settings,
    openAnalyses: () => documents.all().filter(isNetDocument).map((document) => ({ uri: document.uri, analysis: cache.get(document) })),
  });

  // Changes whose version does not rise are ignored (and logged), as LSP's versions require.
  documents.listen(withoutStaleChanges(connection, documents, (message) => connection.console.warn(message)));
  connection.listen();
}
