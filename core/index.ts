/**
 * The language core's facade: text in, analysis out.
 *
 * Invariant: the core is pure. It imports nothing of vscode, LSP, tfjs or
 * the file system; whatever it needs from the world (a data file's header)
 * comes through the host given to `analyze`. It never throws on any text.
 *
 * The facade only defines `analyze` and re-exports: no module of the core
 * imports it (lint enforces this), so it sits above every layer of the core.
 */
import type { Analysis, AnalyzeOptions, ModelAnalysis } from './analysis';
import { bindModel, givesInputShape } from './binder';
import { createDiagnostic } from './diagnostics';
import { inferShapes, type Network } from './shapes';
import { parseSourceFile } from './syntax/parser';
import { createLineMap } from './syntax/lines';
import type { SourceFile } from './syntax/tree';
import { checkTrainBlock, type TrainBlock } from './train';

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  try {
    return analyzeUnguarded(text, options);
  } catch (error) {
    // A bug must not take the editor down: report it as a diagnostic on an empty analysis.
    const message = error instanceof Error ? error.message : String(error);
    const file: SourceFile = { kind: 'SourceFile', pos: 0, end: text.length, text, declarations: [], comments: [] };
    const diagnostics = [createDiagnostic('internal-error', { pos: 0, end: 0 }, message)];
    return { text, file, lines: createLineMap(text), diagnostics, models: [], trainBlocks: [] };
  }
}

function analyzeUnguarded(text: string, options: AnalyzeOptions): Analysis {
  const { file, diagnostics } = parseSourceFile(text);
  const models: ModelAnalysis[] = [];
  const networks = new Map<string, Network>();
  for (const declaration of file.declarations) {
    if (declaration.kind !== 'ModelDeclaration') continue;
    const bound = bindModel(declaration, text, diagnostics);
    if (bound.inputs.length === 0 && declaration.name && !bound.layers.some((layer) => givesInputShape(layer.call))) {
      diagnostics.push(createDiagnostic('missing-input', declaration.name, declaration.name.text));
    } else if (bound.layers.length === 0 && bound.inputs.length > 0 && declaration.name) {
      diagnostics.push(createDiagnostic('empty-model', declaration.name, declaration.name.text));
    }
    const { network, layerOf } = inferShapes(bound, text, diagnostics);
    // A model without a name is checked for its diagnostics but is not a model one can use.
    if (!declaration.name) continue;
    models.push({ bound, network, layerOf });
    if (networks.has(declaration.name.text)) diagnostics.push(createDiagnostic('duplicate-model', declaration.name, declaration.name.text));
    else networks.set(declaration.name.text, network);
  }
  const trainBlocks: TrainBlock[] = [];
  for (const declaration of file.declarations) {
    if (declaration.kind === 'TrainDeclaration') trainBlocks.push(checkTrainBlock(declaration, networks, text, diagnostics, options.host));
  }
  diagnostics.sort((a, b) => a.pos - b.pos || a.end - b.end);
  return { text, file, lines: createLineMap(text), diagnostics, models, trainBlocks };
}

export type { Analysis, AnalyzeOptions, ModelAnalysis } from './analysis';
export type { TextRange } from './syntax/tree';
export { DIAGNOSTICS, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics';
export { formatSummary } from './summary';
export { closestMatch } from './suggest';
export { formatCount, formatShape } from './catalog/shape';
export { LAYERS, findLayer } from './catalog/layers';
export { ACTIVATIONS } from './catalog/activations';
export { formatDefault, formatParamType } from './catalog/describe';
export { CALLBACKS, DATA_SOURCES, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS } from './catalog/training';
export type { ArgType, ArgValue, KeyedColumns, KeyedEntry, LayerSpec, ParamCount, ParamSpec, ResolvedArgs, Shape, Signature } from './catalog/types';
export { buildOrder, layerSpec, type Network, type NetworkLayer, type ParamTotals } from './shapes';
export type { DataFileProblem, DataHost, DataSourceUse, ImageFolderInfo, NumpyArrayHeader, NumpyArrays, TrainBlock } from './train';
export { keyedInputs, keyedLabels } from './train';
export { resolveInputColumns, type InputColumns } from './trainInputs';
export type { LineMap, LineAndCharacter } from './syntax/lines';

// Editor features, one file each: offsets in, offsets out.
export type { TextEdit } from './features/textEdit';
export { getHover, type Hover, type HoverOptions } from './features/hover';
export { getInlayHints, type InlayHint } from './features/inlayHints';
export { getCompletions, type CompletionItem, type CompletionItemKind, type CompletionList } from './features/completion';
export { getSignatureHelp, type SignatureHelp, type SignatureParameter } from './features/signatureHelp';
export { getDefinition } from './features/definition';
export { getReferences } from './features/references';
export { getDocumentHighlights, type DocumentHighlight } from './features/highlight';
export { getRenameEdits, prepareRename } from './features/rename';
export { getDocumentSymbols, type DocumentSymbol, type SymbolKindName } from './features/documentSymbols';
export { getWorkspaceSymbols, type WorkspaceSymbol } from './features/workspaceSymbols';
export { getFoldingRanges, type Fold, type FoldKind } from './features/folding';
export { getSemanticTokens, type SemanticToken, type SemanticTokenKind, type SemanticTokenModifier } from './features/semanticTokens';
export { formatDocument } from './features/formatting';
export { getCodeActions, type CodeAction } from './features/codeActions';
export { getCodeLenses, type CodeLens, type LensAction } from './features/codeLens';
export { getRunLenses, runChartSvg, runLensTitle, sparkline, type RunLens, type RunLookup, type RunRecord } from './features/runs';
export { firstError, trainBlockSpans, type TrainBlockSpan } from './features/trainBlocks';
export { getModelGraph, type ModelGraph, type ModelGraphEdge, type ModelGraphNode, type ModelGraphProblem, type ModelGraphQuery } from './features/graph';
