/**
 * The graph view's figures. First the layout library, chosen by this
 * measurement: ELK's layered algorithm (elkjs, what the page uses, through
 * webview/graphLayout.mts) beside dagre (@dagrejs/dagre), both top to
 * bottom with the same box sizes, on generated models of 200 and 2,000
 * layers: a chain, and a ResNet/Inception-like graph of residual blocks and
 * two-branch blocks joined by Concatenate. Each prints its layout time and
 * its readability: edge crossings, total edge length (in box heights), and
 * the share of edges that run downwards (the build order read top to
 * bottom). Then the view's update: from a didChange on a 200-layer model to
 * the server's graph answer over stdio, plus the layout of that answer,
 * beside the 100 ms target.
 */
import { analyze, getModelGraph } from '../core';
import { MODEL_GRAPH_REQUEST } from '../protocol/editor';
import type { ModelGraphResult } from '../protocol/graph';
import { LspClient } from '../test/lsp/client';

type Point = { x: number; y: number };
interface Drawn {
  /** Box centres by node id. */
  centres: Map<string, Point>;
  edges: Point[][];
}

const BOX = { width: 160, height: 62 };

/** A chain of `layers` Dense layers. */
export function generateChain(layers: number): string {
  return `model Chain {\n  input x: [32]\n${'  Dense(32, activation=relu)\n'.repeat(layers)}}\n`;
}

/** Residual blocks (Dense → Dense, added to the block's input) alternating with two-branch blocks joined by Concatenate, to `layers` layers. */
export function generateBranching(layers: number): string {
  const lines = ['model Branching {', '  input x: [32]', '  h0 = x -> Dense(32, activation=relu)'];
  let count = 1;
  let block = 0;
  while (count < layers) {
    const previous = `h${block}`;
    block++;
    if (layers - count >= 4 && block % 2 === 1) {
      lines.push(`  r${block} = ${previous} -> Dense(32, activation=relu) -> Dense(32)`, `  h${block} = (${previous}, r${block}) -> Add()`);
      count += 3;
    } else if (layers - count >= 5) {
      lines.push(`  a${block} = ${previous} -> Dense(16, activation=relu)`, `  b${block} = ${previous} -> Dense(16, activation=relu) -> Dense(16)`);
      lines.push(`  h${block} = (a${block}, b${block}) -> Concatenate() -> Dense(32)`);
      count += 5;
    } else {
      lines.push(`  h${block} = ${previous} -> Dense(32)`);
      count += 1;
    }
  }
  lines.push('}', '');
  return lines.join('\n');
}

function graphOf(text: string): { nodes: { id: string }[]; edges: { from: string; to: string }[]; order: string[] } {
  const graph = getModelGraph(analyze(text))!;
  return { nodes: graph.nodes, edges: graph.edges, order: graph.nodes.map((node) => node.id) };
}

async function elkDrawn(graph: { nodes: { id: string }[]; edges: { from: string; to: string }[] }): Promise<Drawn> {
  // ELK itself, each time: the page's reuse of an unchanged layout is measured by measureGraphUpdate.
  const { layoutWithElk } = await import('../webview/graphLayout.mjs');
  const result = await layoutWithElk({ nodes: graph.nodes.map((node) => ({ id: node.id, ...BOX })), edges: graph.edges });
  const centres = new Map([...result.nodes].map(([id, p]) => [id, { x: p.x + BOX.width / 2, y: p.y + BOX.height / 2 }]));
  return { centres, edges: result.edges };
}

/** dagre is an ES module (this file is CommonJS): loaded once, before the measurement. */
let dagre: typeof import('@dagrejs/dagre', { with: { 'resolution-mode': 'import' } }) | undefined;

function dagreDrawn(graph: { nodes: { id: string }[]; edges: { from: string; to: string }[] }): Drawn {
  const g = new dagre!.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { ...BOX });
  for (const edge of graph.edges) g.setEdge(edge.from, edge.to);
  dagre!.layout(g);
  const centres = new Map(graph.nodes.map((node) => {
    const placed = g.node(node.id) as unknown as Point;
    return [node.id, { x: placed.x, y: placed.y }];
  }));
  const edges = graph.edges.map((edge) => ((g.edge(edge.from, edge.to) as unknown as { points?: Point[] }).points ?? []).map((p) => ({ x: p.x, y: p.y })));
  return { centres, edges };
}

/** Proper crossings between segments of different edges (bucketed by rows, so that 2,000 layers stay cheap). */
function crossings(edges: Point[][]): number {
  const segments: { a: Point; b: Point; edge: number }[] = [];
  edges.forEach((points, edge) => {
    for (let i = 1; i < points.length; i++) segments.push({ a: points[i - 1]!, b: points[i]!, edge });
  });
  const row = 40;
  const buckets = new Map<number, number[]>();
  segments.forEach((segment, i) => {
    const low = Math.floor(Math.min(segment.a.y, segment.b.y) / row);
    const high = Math.floor(Math.max(segment.a.y, segment.b.y) / row);
    for (let r = low; r <= high; r++) (buckets.get(r) ?? buckets.set(r, []).get(r)!).push(i);
  });
  const counted = new Set<string>();
  const side = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  for (const members of buckets.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const s = segments[members[i]!]!;
        const t = segments[members[j]!]!;
        if (s.edge === t.edge) continue;
        const key = `${members[i]},${members[j]}`;
        if (counted.has(key)) continue;
        const d1 = side(s.a, s.b, t.a);
        const d2 = side(s.a, s.b, t.b);
        const d3 = side(t.a, t.b, s.a);
        const d4 = side(t.a, t.b, s.b);
        if (d1 * d2 < 0 && d3 * d4 < 0) counted.add(key);
      }
    }
  }
  return counted.size;
}

function length(edges: Point[][]): number {
  let total = 0;
  for (const points of edges) for (let i = 1; i < points.length; i++) total += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  return total / BOX.height;
}

/** The share of edges whose target's box sits below its source's. */
function downwards(graph: { edges: { from: string; to: string }[] }, drawn: Drawn): number {
  const down = graph.edges.filter((edge) => drawn.centres.get(edge.to)!.y > drawn.centres.get(edge.from)!.y).length;
  return graph.edges.length ? down / graph.edges.length : 1;
}

export interface LayoutFigure {
  model: string;
  layers: number;
  library: 'elkjs' | 'dagre';
  ms?: number;
  failed?: string;
  crossings?: number;
  length?: number;
  downwards?: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function measureGraphLayouts(): Promise<LayoutFigure[]> {
  const figures: LayoutFigure[] = [];
  // Both libraries laid out once first, so that neither pays the other's warm-up.
  dagre = await import('@dagrejs/dagre');
  const warm = graphOf(generateBranching(50));
  await elkDrawn(warm);
  dagreDrawn(warm);
  for (const layers of [200, 2000]) {
    for (const [model, text] of [['chain', generateChain(layers)], ['branching', generateBranching(layers)]] as const) {
      const graph = graphOf(text);
      const rounds = layers === 200 ? 5 : 1;
      for (const library of ['elkjs', 'dagre'] as const) {
        const times: number[] = [];
        let drawn: Drawn | undefined;
        try {
          for (let i = 0; i < rounds; i++) {
            const start = performance.now();
            drawn = library === 'elkjs' ? await elkDrawn(graph) : dagreDrawn(graph);
            times.push(performance.now() - start);
          }
          figures.push({ model, layers, library, ms: median(times), crossings: crossings(drawn!.edges), length: length(drawn!.edges), downwards: downwards(graph, drawn!) });
        } catch (error) {
          figures.push({ model, layers, library, failed: error instanceof Error ? error.message : String(error) });
        }
      }
    }
  }
  return figures;
}

export function formatGraphLayouts(figures: LayoutFigure[]): string[] {
  const lines = ['Graph view layout: elkjs (layered, the one the page uses) beside dagre, top to bottom, same box sizes'];
  for (const figure of figures) {
    const head = `  ${`${figure.model} ${figure.layers}`.padEnd(15)} ${figure.library.padEnd(6)}`;
    if (figure.failed) {
      lines.push(`${head} failed: ${figure.failed}`);
      continue;
    }
    const other = figures.find((f) => f.model === figure.model && f.layers === figure.layers && f.library !== figure.library);
    const ratio = other?.ms && figure.library === 'elkjs' ? ` (${(figure.ms! / other.ms).toFixed(2)}× dagre's time)` : '';
    lines.push(`${head} ${figure.ms!.toFixed(0).padStart(6)} ms${ratio} · ${figure.crossings} crossings · edge length ${figure.length!.toFixed(0)} box heights · ${(figure.downwards! * 100).toFixed(1)}% of edges downwards`);
  }
  return lines;
}

export interface GraphUpdate {
  layers: number;
  /** didChange sent → the graph answered, median. */
  requestMs: number;
  /** The answer laid out (the page's ELK, in Node), median. */
  layoutMs: number;
  totalMs: number;
}

/**
 * A box's size as the page sizes it (webview/graph.mts): its widest line,
 * here at 7 px a character in place of the page's measured text, rounded up
 * as the page rounds it; 16 px a line.
 */
function boxOf(node: ModelGraphResult['nodes'][number], boxWidth: (textWidth: number) => number): { id: string; width: number; height: number } {
  const lines = [`${node.type} ${node.name}`, node.outputShape ?? 'shape unknown', node.params ? `${node.params.total.toLocaleString('en-US')} params` : ''];
  const width = Math.max(120, ...lines.map((line) => line.length * 7 + 16));
  return { id: node.id, width: boxWidth(width), height: lines.length * 16 + 14 };
}

/**
 * The view's update on a 200-layer model: an edit's didChange, the graph
 * request right after it, and the answer's layout. Two edits: one of a
 * number (units 16 → 17 and back: the shapes and counts downstream change,
 * the boxes do not, and the page keeps its layout), and one that adds a
 * layer and takes it out again (every box below moves: a new layout).
 */
export async function measureGraphUpdate(layers = 200, rounds = 20): Promise<{ numbers: GraphUpdate; structure: GraphUpdate }> {
  const { boxWidth, layoutGraph } = await import('../webview/graphLayout.mjs');
  const text = generateBranching(layers);
  const uri = 'file:///bench/graph.net';
  const client = new LspClient();
  try {
    await client.initialize();
    await client.open(uri, text);
    const line = text.split('\n').findIndex((l) => l.includes('Dense(16, activation=relu) -> Dense(16)'));
    const character = text.split('\n')[line]!.lastIndexOf('Dense(16)') + 'Dense('.length;
    const added = ' -> Dense(8)';
    const end = text.split('\n')[line]!.length;
    const measure = async (edit: (i: number) => { start: number; end: number; text: string }): Promise<GraphUpdate> => {
      const requests: number[] = [];
      const layouts: number[] = [];
      for (let i = 0; i < rounds + 2; i++) {
        const change = edit(i);
        const started = performance.now();
        await client.change(uri, [{ range: { start: { line, character: change.start }, end: { line, character: change.end } }, text: change.text }]);
        const graph = await client.connection.sendRequest<ModelGraphResult>(MODEL_GRAPH_REQUEST, { uri, position: { line, character } });
        const answered = performance.now();
        await layoutGraph({ nodes: graph.nodes.map((node) => boxOf(node, boxWidth)), edges: graph.edges });
        // The first two rounds warm the server and the layout up.
        if (i >= 2) {
          requests.push(answered - started);
          layouts.push(performance.now() - answered);
        }
      }
      const requestMs = median(requests);
      const layoutMs = median(layouts);
      return { layers, requestMs, layoutMs, totalMs: requestMs + layoutMs };
    };
    const numbers = await measure((i) => ({ start: character, end: character + 2, text: i % 2 ? '16' : '17' }));
    const structure = await measure((i) => (i % 2 ? { start: end, end: end + added.length, text: '' } : { start: end, end, text: added }));
    return { numbers, structure };
  } finally {
    await client.stop();
  }
}
