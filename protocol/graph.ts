/**
 * The model graph as the language server answers it (positions 0-based, as
 * LSP counts them) and the messages between the VS Code client and the graph
 * view's page.
 *
 * Invariant: this module imports nothing.
 */

export interface GraphPosition {
  line: number;
  character: number;
}

export interface GraphRange {
  start: GraphPosition;
  end: GraphPosition;
}

export interface GraphProblem {
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  message: string;
}

export interface GraphNode {
  /** Unique within one answer. */
  id: string;
  name: string;
  /** `Input`, the layer's type, or the callee as written when the language has no such layer. */
  type: string;
  /** As Keras prints it, `(None, 128)`; absent when unknown (after an error). */
  outputShape?: string;
  params?: { total: number; trainable: number; nonTrainable: number };
  /** The layer call, or the input statement. */
  range: GraphRange;
  /** The statement the call is in. */
  statement: GraphRange;
  /** False for a layer whose result reaches no output. */
  connected: boolean;
  output: boolean;
  problems: GraphProblem[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The tensor's shape; absent when unknown. */
  shape?: string;
}

/** What the model graph request answers (or null for a document without models). */
export interface ModelGraphResult {
  model: string;
  /** The model's declaration, from `model` to its closing brace. */
  range: GraphRange;
  /** Every model of the document, in source order. */
  models: string[];
  /** The connected inputs and layers in build order, then the others. */
  nodes: GraphNode[];
  edges: GraphEdge[];
  params?: { total: number; trainable: number; nonTrainable: number };
  /** Diagnostics of the model that no node holds. */
  problems: GraphProblem[];
}

/** Host → page: the graph to draw (null: the document has no model), with the document's name. */
export interface GraphMessage {
  type: 'graph';
  file: string;
  graph: ModelGraphResult | null;
}

/** Host → page: the editor's cursor, for the node under it to be highlighted. */
export interface CursorMessage {
  type: 'cursor';
  position: GraphPosition;
}

export type GraphHostMessage = GraphMessage | CursorMessage;

/** Page → host: the page has loaded and listens. */
export interface GraphReadyMessage {
  type: 'ready';
}

/** Page → host: reveal a node's layer in the editor and put the cursor there. */
export interface RevealMessage {
  type: 'reveal';
  range: GraphRange;
}

/** Page → host: save the drawn graph (the host asks where, suggesting `fileName`). */
export interface GraphExportMessage {
  type: 'export';
  format: 'svg' | 'png';
  fileName: string;
  /** Text for svg, base64 for png. */
  content: string;
}

/** Page → host: show another model of the document. */
export interface ChooseModelMessage {
  type: 'chooseModel';
  model: string;
}

export type GraphPageMessage = GraphReadyMessage | RevealMessage | GraphExportMessage | ChooseModelMessage;

const isPosition = (value: unknown): value is GraphPosition => {
  const position = value as { line?: unknown; character?: unknown } | null;
  return Number.isInteger(position?.line) && Number.isInteger(position?.character);
};

const isRange = (value: unknown): value is GraphRange => {
  const range = value as { start?: unknown; end?: unknown } | null;
  return isPosition(range?.start) && isPosition(range?.end);
};

export function isGraphHostMessage(value: unknown): value is GraphHostMessage {
  const message = value as { type?: unknown; file?: unknown; graph?: { nodes?: unknown; edges?: unknown } | null; position?: unknown } | null;
  switch (message?.type) {
    case 'graph':
      return typeof message.file === 'string' && (message.graph === null || (Array.isArray(message.graph?.nodes) && Array.isArray(message.graph?.edges)));
    case 'cursor': return isPosition(message.position);
    default: return false;
  }
}

export function isGraphPageMessage(value: unknown): value is GraphPageMessage {
  const message = value as { type?: unknown; range?: unknown; format?: unknown; fileName?: unknown; content?: unknown; model?: unknown } | null;
  switch (message?.type) {
    case 'ready': return true;
    case 'reveal': return isRange(message.range);
    case 'export': return (message.format === 'svg' || message.format === 'png') && typeof message.fileName === 'string' && typeof message.content === 'string';
    case 'chooseModel': return typeof message.model === 'string';
    default: return false;
  }
}
