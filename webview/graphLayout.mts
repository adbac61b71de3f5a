/**
 * The graph view's layout, without the DOM: ELK's layered algorithm, top to
 * bottom, inputs first and each layer below those it takes its tensors
 * from, with the model's build order kept where ranks allow (inputs left to
 * right as declared). ELK was chosen by measurement over dagre
 * (bench/graphLayouts.ts, bench/README.md): dagre overflows the stack on a
 * 2,000-layer chain. The bench lays out with this module too.
 */
import ElkModule, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: { from: string; to: string }[];
}

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  /** Top-left corners, by node id. */
  nodes: Map<string, Point>;
  /** Each edge's polyline, in the input's order. */
  edges: Point[][];
}

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // One sweep of crossing minimisation instead of seven: a model's graph is mostly a chain, and this halves the time of a 200-layer one (bench/README.md).
  'elk.layered.thoroughness': '1',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

// The bundle is CommonJS whose module.exports is the constructor; its types describe it as an ES module's default export.
const ELK = ElkModule as unknown as typeof ElkModule.default;
const elk = new ELK();

/** Box widths are rounded up to this step, so that an edit of a number (units, a shape, a count) keeps the boxes and the layout. */
export const WIDTH_STEP = 24;

/** A box's width for the layout: its text's width rounded up to WIDTH_STEP. */
export const boxWidth = (textWidth: number): number => Math.ceil(textWidth / WIDTH_STEP) * WIDTH_STEP;

/** The last layout and what it was of: an edit that changes only labels (units, shapes, counts) keeps every box, and is drawn without laying out again. */
let last: { key: string; layout: Promise<Layout> } | undefined;

/** The graph's layout; the same boxes and edges as the last call's give that call's layout back at once. */
export function layoutGraph(input: LayoutInput): Promise<Layout> {
  const key = JSON.stringify([input.nodes.map((node) => [node.id, node.width, node.height]), input.edges.map((edge) => [edge.from, edge.to])]);
  if (last?.key !== key) {
    const layout = layoutWithElk(input);
    last = { key, layout };
    // A failed layout is not kept.
    layout.catch(() => {
      if (last?.layout === layout) last = undefined;
    });
  }
  return last.layout;
}

/** ELK's layout of the graph, every time (the bench measures ELK with it). */
export async function layoutWithElk(input: LayoutInput): Promise<Layout> {
  const root: ElkNode = {
    id: 'root',
    layoutOptions: OPTIONS,
    children: input.nodes.map((node) => ({ id: node.id, width: node.width, height: node.height })),
    edges: input.edges.map((edge, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [edge.from], targets: [edge.to] })),
  };
  const result = await elk.layout(root);
  const nodes = new Map<string, Point>();
  for (const child of result.children ?? []) nodes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  const byId = new Map((result.edges ?? []).map((edge) => [edge.id, edge]));
  const edges = input.edges.map((_, i) => {
    const section = byId.get(`e${i}`)?.sections?.[0];
    return section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y })) : [];
  });
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
}
