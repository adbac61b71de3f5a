/**
 * `layerwise graph`: a model's graph as JSON (nodes with 1-based lines,
 * edges from → to) or as Graphviz DOT, one node per layer with its type,
 * name, output shape and parameter count, layers with errors in red.
 */
import { formatCount, type Analysis, type ModelGraph, type ModelGraphNode } from '../core';

export interface JsonGraphNode {
  id: string;
  name: string;
  type: string;
  /** As Keras prints it; null when unknown. */
  outputShape: string | null;
  params: number | null;
  trainable: number | null;
  nonTrainable: number | null;
  /** 1-based, of the layer call (or the input statement). */
  line: number;
  column: number;
  connected: boolean;
  output: boolean;
  problems: { severity: string; code: string; message: string }[];
}

export interface JsonGraph {
  model: string;
  params: { total: number; trainable: number; nonTrainable: number } | null;
  nodes: JsonGraphNode[];
  edges: { from: string; to: string; shape: string | null }[];
  problems: { severity: string; code: string; message: string }[];
}

export function graphJson(graph: ModelGraph, analysis: Analysis): JsonGraph {
  return {
    model: graph.model,
    params: graph.params ?? null,
    nodes: graph.nodes.map((node) => {
      const at = analysis.lines.positionAt(node.range.pos);
      return {
        id: node.id,
        name: node.name,
        type: node.type,
        outputShape: node.outputShape ?? null,
        params: node.params?.total ?? null,
        trainable: node.params?.trainable ?? null,
        nonTrainable: node.params?.nonTrainable ?? null,
        line: at.line + 1,
        column: at.character + 1,
        connected: node.connected,
        output: node.output,
        problems: node.problems,
      };
    }),
    edges: graph.edges.map((edge) => ({ from: edge.from, to: edge.to, shape: edge.shape ?? null })),
    problems: graph.problems,
  };
}

/** Text inside an HTML-like label: markup characters escaped. */
const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A double-quoted DOT string. */
const quoted = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const ERROR_COLOUR = '#d32f2f';

function nodeLabel(node: ModelGraphNode): string {
  const errors = node.problems.filter((problem) => problem.severity === 'error');
  const params = node.params ? `${formatCount(node.params.total)} params` : 'params unknown';
  const rows = [
    `<tr><td><b>${html(node.type)}</b> ${html(node.name)}</td></tr>`,
    `<tr><td>${html(node.outputShape ?? 'shape unknown')}</td></tr>`,
    ...(node.type === 'Input' ? [] : [`<tr><td>${html(params)}</td></tr>`]),
    ...errors.map((error) => `<tr><td><font color="${ERROR_COLOUR}">${html(error.message)}</font></td></tr>`),
  ];
  return `<<table border="1" cellborder="0" cellspacing="0" cellpadding="4">${rows.join('')}</table>>`;
}

/**
 * The graph as a Graphviz digraph, top to bottom: HTML-like labels (type
 * and name, shape, params, and each error's message), error nodes drawn
 * red, layers that reach no output grey and dashed, edges labelled with
 * their tensor's shape.
 */
export function graphDot(graph: ModelGraph): string {
  const lines = [
    `digraph ${quoted(graph.model)} {`,
    '  rankdir=TB;',
    '  node [shape=plain, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const node of graph.nodes) {
    const attributes = [`label=${nodeLabel(node)}`];
    if (node.problems.some((problem) => problem.severity === 'error')) attributes.push(`color=${quoted(ERROR_COLOUR)}`, `fontcolor=${quoted(ERROR_COLOUR)}`);
    else if (!node.connected) attributes.push('color="gray50"', 'fontcolor="gray50"');
    lines.push(`  ${quoted(node.id)} [${attributes.join(', ')}];`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${quoted(edge.from)} -> ${quoted(edge.to)}${edge.shape ? ` [label=${quoted(edge.shape)}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
