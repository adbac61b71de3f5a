/**
 * The model graph: a model as nodes (its inputs and layers, each with its
 * output shape and parameter count) and edges (the tensors between them),
 * for the graph view and `layerwise graph`. Built from the `Network` (the
 * build order) and `layerOf` (the syntax each layer came from); the
 * analysis's diagnostics are put on the node whose call or statement holds
 * them, so that a layer with an error is drawn as such. Plain data with
 * offset ranges; iterative over the model's size.
 */
import type { Analysis, ModelAnalysis } from '../analysis';
import type { GraphNode as BoundNode } from '../binder';
import { formatShape } from '../catalog/shape';
import type { Severity } from '../diagnostics';
import type { NetworkLayer } from '../shapes';
import type { TextRange } from '../syntax/tree';
import { contains, modelAt } from './locate';

export interface ModelGraphProblem {
  severity: Severity;
  code: string;
  message: string;
}

export interface ModelGraphNode {
  /** Stable within one analysis: `n` and the layer's index in the network's source order. */
  id: string;
  name: string;
  /** `Input`, the layer's catalog name, or the callee as written. */
  type: string;
  /** As Keras prints it, `(None, 128)`; undefined when unknown (after an error). */
  outputShape?: string;
  /** Undefined when unknown. */
  params?: { total: number; trainable: number; nonTrainable: number };
  /** The layer call, or the input statement. */
  range: TextRange;
  /** The statement the call is in (the input statement for an input). */
  statement: TextRange;
  /** False for a layer whose result reaches no output: it is not part of the model. */
  connected: boolean;
  /** True for the model's outputs. */
  output: boolean;
  /** The diagnostics inside the node's call (or its statement, outside any call), in source order. */
  problems: ModelGraphProblem[];
}

export interface ModelGraphEdge {
  from: string;
  to: string;
  /** The tensor's shape, as Keras prints it; undefined when unknown. */
  shape?: string;
}

export interface ModelGraph {
  model: string;
  /** The model's declaration, from `model` to its closing brace: a cursor inside it stays on this model. */
  range: TextRange;
  /** Every model of the file, in source order, so that a view can offer the others. */
  models: string[];
  /** The connected inputs and layers in build order, then the rest in source order. */
  nodes: ModelGraphNode[];
  edges: ModelGraphEdge[];
  params?: { total: number; trainable: number; nonTrainable: number };
  /** The model's diagnostics that no node holds (on its name, say). */
  problems: ModelGraphProblem[];
}

/** Which model: by name, else the one around an offset; `fallback` names the one to keep when the offset is outside every model. */
export interface ModelGraphQuery {
  model?: string;
  offset?: number;
  fallback?: string;
}

/**
 * The graph of the model asked for: the named one; else the one around the
 * offset; else the fallback; else the first. Undefined when the file has no
 * such model (or none at all).
 */
export function getModelGraph(analysis: Analysis, query: ModelGraphQuery = {}): ModelGraph | undefined {
  const model = chooseModel(analysis, query);
  return model && buildGraph(analysis, model);
}

function chooseModel(analysis: Analysis, query: ModelGraphQuery): ModelAnalysis | undefined {
  const named = (name: string | undefined) => (name === undefined ? undefined : analysis.models.find((model) => model.network.name === name));
  if (query.model !== undefined) return named(query.model);
  return (query.offset !== undefined ? modelAt(analysis, query.offset) : undefined) ?? named(query.fallback) ?? analysis.models[0];
}

function buildGraph(analysis: Analysis, model: ModelAnalysis): ModelGraph {
  const { network, layerOf, bound } = model;
  const index = new Map(network.layers.map((layer, i) => [layer, i]));
  const id = (layer: NetworkLayer) => `n${index.get(layer)}`;
  const outputs = new Set(network.outputs);
  const syntaxOf = new Map<NetworkLayer, BoundNode>();
  for (const [node, layer] of layerOf) syntaxOf.set(layer, node);

  const inOrder = new Set(network.order);
  const ordered = [...network.order, ...network.layers.map((_, i) => i).filter((i) => !inOrder.has(i))];
  const nodes = ordered.map((i): ModelGraphNode => {
    const layer = network.layers[i]!;
    const node: ModelGraphNode = {
      id: id(layer),
      name: layer.name,
      type: layer.type,
      range: rangeOf(layer.range),
      statement: rangeOf(syntaxOf.get(layer)?.statement ?? layer.range),
      connected: layer.connected,
      output: outputs.has(layer),
      problems: [],
    };
    if (layer.outputShape) node.outputShape = formatShape(layer.outputShape);
    if (layer.params) node.params = { total: layer.params.trainable + layer.params.nonTrainable, trainable: layer.params.trainable, nonTrainable: layer.params.nonTrainable };
    return node;
  });

  const edges: ModelGraphEdge[] = [];
  ordered.forEach((i, at) => {
    const syntax = syntaxOf.get(network.layers[i]!);
    if (syntax?.kind !== 'layer') return;
    for (const source of syntax.sources) {
      const from = bound.resolve(source);
      const fromLayer = from && layerOf.get(from);
      if (!fromLayer) continue;
      const edge: ModelGraphEdge = { from: id(fromLayer), to: nodes[at]!.id };
      if (fromLayer.outputShape) edge.shape = formatShape(fromLayer.outputShape);
      edges.push(edge);
    }
  });

  const graph: ModelGraph = { model: network.name, range: rangeOf(bound.declaration), models: analysis.models.map((m) => m.network.name), nodes, edges, problems: [] };
  if (network.params) graph.params = { ...network.params };
  placeProblems(analysis, bound.declaration, nodes, graph.problems);
  return graph;
}

/**
 * Each diagnostic inside the model goes to the node whose call holds it
 * (the innermost, when calls nest), else to the first node of the statement
 * that holds it, else to the graph itself.
 */
function placeProblems(analysis: Analysis, declaration: TextRange, nodes: ModelGraphNode[], rest: ModelGraphProblem[]): void {
  const byRange = [...nodes].sort((a, b) => a.range.end - a.range.pos - (b.range.end - b.range.pos));
  const bySource = [...nodes].sort((a, b) => a.range.pos - b.range.pos);
  for (const diagnostic of analysis.diagnostics) {
    if (!contains(declaration, diagnostic.pos)) continue;
    const problem = { severity: diagnostic.severity, code: diagnostic.code, message: diagnostic.message };
    const holder =
      byRange.find((node) => node.range.pos <= diagnostic.pos && diagnostic.pos < Math.max(node.range.end, node.range.pos + 1)) ??
      bySource.find((node) => contains(node.statement, diagnostic.pos));
    (holder ? holder.problems : rest).push(problem);
  }
}

function rangeOf(range: TextRange): TextRange {
  return { pos: range.pos, end: range.end };
}
