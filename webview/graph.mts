/// <reference lib="dom" />
/**
 * The graph view's page: the model at the editor's cursor as a graph, one
 * box per input and layer (type and name, output shape, parameters; a layer
 * with an error in the error colour, its messages in the box and its
 * tooltip), the tensors as arrows, laid out top to bottom by ELK
 * (graphLayout.mts). Zoom and pan with d3-zoom, fitted to the view on the
 * first drawing of a model and kept while the text changes. A click on a
 * box asks the host to reveal its layer; the host's cursor messages
 * highlight the box under the cursor. Export as SVG and PNG, through the
 * host. Bundled by esbuild as an IIFE into dist/webview/graph.js.
 *
 * Each drawing raises `data-draws` on the svg element and marks it
 * `data-state="drawn"`: the browser tests wait on that.
 */
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent } from 'd3-zoom';
import { isGraphHostMessage, type GraphNode, type GraphPageMessage, type GraphPosition, type ModelGraphResult } from '../protocol/graph.js';
import { boxWidth, layoutGraph } from './graphLayout.mjs';

declare function acquireVsCodeApi(): { postMessage(message: GraphPageMessage): void };

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const element = <T extends Element = HTMLElement>(id: string) => document.getElementById(id) as unknown as T;
const svg = element<SVGSVGElement>('graph');
const viewport = element<SVGGElement>('viewport');
const nodesGroup = element<SVGGElement>('nodes');
const edgesGroup = element<SVGGElement>('edges');
const buttons = { fit: element<HTMLButtonElement>('fit'), svg: element<HTMLButtonElement>('export-svg'), png: element<HTMLButtonElement>('export-png') };
const modelSelect = element<HTMLSelectElement>('models');

const LINE_HEIGHT = 16;
const PADDING = 8;
/** The longest message line a box shows; the tooltip has it whole. */
const MESSAGE_CHARS = 48;

let graph: ModelGraphResult | null = null;
let file = '';
/** The drawing in progress: a later graph supersedes an earlier one still being laid out. */
let generation = 0;
let drawnModel: string | undefined;
let cursor: GraphPosition | undefined;
let size = { width: 0, height: 0 };

const behaviour = zoom<SVGSVGElement, unknown>()
  .scaleExtent([0.05, 4])
  .on('zoom', (event: D3ZoomEvent<SVGSVGElement, unknown>) => viewport.setAttribute('transform', event.transform.toString()));
select(svg).call(behaviour).on('dblclick.zoom', null);

/** The lines a node's box shows: type and name, shape, params, then its errors' messages. */
function nodeLines(node: GraphNode): { text: string; kind: string }[] {
  const lines = [
    { text: node.type === node.name ? node.type : `${node.type}  ${node.name}`, kind: 'title' },
    { text: node.outputShape ?? 'shape unknown', kind: 'shape' },
  ];
  if (node.type !== 'Input') lines.push({ text: node.params ? `${node.params.total.toLocaleString('en-US')} params` : 'params unknown', kind: 'params' });
  for (const problem of node.problems.filter((p) => p.severity === 'error')) {
    const text = problem.message.length > MESSAGE_CHARS ? `${problem.message.slice(0, MESSAGE_CHARS - 1)}…` : problem.message;
    lines.push({ text, kind: 'message' });
  }
  return lines;
}

/** A text's width in the page's font, measured once per text on a canvas. */
const measure = (() => {
  const context = document.createElement('canvas').getContext('2d')!;
  return (text: string, bold: boolean): number => {
    const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
    context.font = `${bold ? '600 ' : ''}12px ${family}`;
    return context.measureText(text).width;
  };
})();

function boxSize(node: GraphNode): { width: number; height: number } {
  const lines = nodeLines(node);
  const width = Math.max(120, ...lines.map((line) => measure(line.text, line.kind === 'title') + 2 * PADDING));
  return { width: boxWidth(width), height: lines.length * LINE_HEIGHT + 2 * PADDING - 2 };
}

const create = <K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] => {
  const created = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, String(value));
  return created;
};

function tooltip(node: GraphNode): string {
  const lines = [`${node.type} ${node.name}`, `output ${node.outputShape ?? 'unknown'}`];
  if (node.params) lines.push(`${node.params.total.toLocaleString('en-US')} params (${node.params.trainable.toLocaleString('en-US')} trainable)`);
  if (!node.connected) lines.push('not part of the model: its result reaches no output');
  for (const problem of node.problems) lines.push(`${problem.severity}: ${problem.message}`);
  lines.push(`line ${node.range.start.line + 1}`);
  return lines.join('\n');
}

async function draw(next: ModelGraphResult): Promise<void> {
  const mine = ++generation;
  const sizes = new Map(next.nodes.map((node) => [node.id, boxSize(node)]));
  const layout = await layoutGraph({ nodes: next.nodes.map((node) => ({ id: node.id, ...sizes.get(node.id)! })), edges: next.edges });
  if (mine !== generation) return;
  edgesGroup.replaceChildren(
    ...next.edges.map((edge, i) => {
      const points = layout.edges[i] ?? [];
      const path = create('path', { class: 'edge', d: points.map((p, j) => `${j ? 'L' : 'M'}${p.x},${p.y}`).join(' '), 'marker-end': 'url(#arrow)', 'data-from': edge.from, 'data-to': edge.to });
      const title = create('title');
      title.textContent = edge.shape ?? 'shape unknown';
      path.append(title);
      return path;
    }),
  );
  nodesGroup.replaceChildren(
    ...next.nodes.map((node) => {
      const at = layout.nodes.get(node.id) ?? { x: 0, y: 0 };
      const { width, height } = sizes.get(node.id)!;
      const classes = ['node', node.type === 'Input' ? 'input' : 'layer'];
      if (node.problems.some((p) => p.severity === 'error')) classes.push('error');
      else if (node.problems.length) classes.push('warning');
      if (!node.connected) classes.push('unconnected');
      if (node.output) classes.push('output');
      const group = create('g', { class: classes.join(' '), transform: `translate(${at.x},${at.y})`, 'data-id': node.id, 'data-name': node.name, 'data-type': node.type, 'data-shape': node.outputShape ?? '', tabindex: 0, role: 'button', 'aria-label': `${node.type} ${node.name} ${node.outputShape ?? ''}` });
      const title = create('title');
      title.textContent = tooltip(node);
      group.append(title, create('rect', { width, height, rx: 4, ry: 4 }));
      nodeLines(node).forEach((line, i) => {
        const text = create('text', { x: PADDING, y: PADDING + 11 + i * LINE_HEIGHT, class: line.kind });
        text.textContent = line.text;
        group.append(text);
      });
      group.addEventListener('click', () => reveal(node));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') reveal(node);
      });
      return group;
    }),
  );
  size = { width: layout.width, height: layout.height };
  svg.setAttribute('data-nodes', String(next.nodes.length));
  svg.setAttribute('data-edges', String(next.edges.length));
  if (drawnModel !== next.model) fit();
  drawnModel = next.model;
  highlight();
  svg.setAttribute('data-draws', String(Number(svg.getAttribute('data-draws') ?? '0') + 1));
  svg.setAttribute('data-state', 'drawn');
}

function reveal(node: GraphNode): void {
  vscode.postMessage({ type: 'reveal', range: node.range });
}

/** The whole graph in view, never enlarged beyond its natural size. */
function fit(): void {
  const bounds = svg.getBoundingClientRect();
  if (!size.width || !bounds.width || !bounds.height) return;
  const scale = Math.min(1, bounds.width / size.width, bounds.height / size.height);
  const x = (bounds.width - size.width * scale) / 2;
  select(svg).call(behaviour.transform, zoomIdentity.translate(x, Math.max(0, (bounds.height - size.height * scale) / 2) * (scale < 1 ? 1 : 0)).scale(scale));
}

const before = (a: GraphPosition, b: GraphPosition): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
const holds = (range: { start: GraphPosition; end: GraphPosition }, at: GraphPosition): boolean => before(range.start, at) && before(at, range.end);

/** The node whose call holds the cursor; else the last of the statement that holds it. */
function nodeAtCursor(): GraphNode | undefined {
  if (!graph || !cursor) return undefined;
  const at = cursor;
  return graph.nodes.find((node) => holds(node.range, at)) ?? graph.nodes.filter((node) => holds(node.statement, at)).pop();
}

function highlight(): void {
  const id = nodeAtCursor()?.id;
  for (const group of nodesGroup.querySelectorAll<SVGGElement>('g.node')) group.classList.toggle('highlighted', group.dataset['id'] === id);
  if (id) svg.setAttribute('data-highlighted', id);
  else svg.removeAttribute('data-highlighted');
}

function showHeader(next: ModelGraphResult | null): void {
  element('model').textContent = next ? `${next.model}` : file || 'No model';
  const layers = next ? next.nodes.filter((node) => node.connected && node.type !== 'Input').length : 0;
  element('facts').textContent = next ? `${next.params ? `${next.params.total.toLocaleString('en-US')} params` : 'params unknown'} · ${layers} ${layers === 1 ? 'layer' : 'layers'}` : '';
  const errors = next ? next.nodes.filter((node) => node.problems.some((p) => p.severity === 'error')).length + next.problems.filter((p) => p.severity === 'error').length : 0;
  const problems = element('problems');
  problems.textContent = errors ? `${errors} ${errors === 1 ? 'error' : 'errors'}` + (next?.problems.length ? `: ${next.problems[0]!.message}` : '') : '';
  element('empty').hidden = next !== null;
  const choice = element('model-choice');
  choice.hidden = !next || next.models.length < 2;
  if (next) {
    modelSelect.replaceChildren(...next.models.map((name) => Object.assign(document.createElement('option'), { value: name, textContent: name, selected: name === next.model })));
  }
  for (const button of Object.values(buttons)) button.disabled = !next;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isGraphHostMessage(message)) return;
  if (message.type === 'cursor') {
    cursor = message.position;
    highlight();
    return;
  }
  graph = message.graph;
  file = message.file;
  showHeader(graph);
  if (graph) void draw(graph);
  else {
    generation++;
    nodesGroup.replaceChildren();
    edgesGroup.replaceChildren();
    drawnModel = undefined;
    svg.setAttribute('data-nodes', '0');
    svg.setAttribute('data-edges', '0');
    svg.setAttribute('data-state', 'drawn');
  }
});

modelSelect.addEventListener('change', () => vscode.postMessage({ type: 'chooseModel', model: modelSelect.value }));
buttons.fit.addEventListener('click', fit);
buttons.svg.addEventListener('click', () => {
  if (graph) vscode.postMessage({ type: 'export', format: 'svg', fileName: `${graph.model}-graph.svg`, content: standaloneSvg() });
});
buttons.png.addEventListener('click', () => {
  if (!graph) return;
  const model = graph.model;
  void pngOf(standaloneSvg()).then((content) => vscode.postMessage({ type: 'export', format: 'png', fileName: `${model}-graph.png`, content }));
});
window.addEventListener('resize', () => {
  if (!svg.hasAttribute('data-zoomed')) fit();
});
svg.addEventListener('wheel', () => svg.setAttribute('data-zoomed', 'true'), { passive: true });

/** What an exported file keeps of each element's computed style, as presentation attributes (no VS Code around it to resolve the theme's variables). */
const PRESENTATION = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-weight', 'font-size', 'font-family', 'font-variant-numeric'];

/** The graph at its natural size, its theme's colours resolved onto each element, as an SVG file. */
function standaloneSvg(): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [...svg.querySelectorAll('rect, text, path, g.node')];
  const copies = [...copy.querySelectorAll('rect, text, path, g.node')];
  originals.forEach((original, i) => {
    const style = getComputedStyle(original);
    for (const property of PRESENTATION) {
      const value = style.getPropertyValue(property);
      if (value && value !== 'normal' && value !== 'none' || property === 'fill' || property === 'stroke') copies[i]!.setAttribute(property, value || 'none');
    }
  });
  copy.querySelector('#viewport')!.removeAttribute('transform');
  for (const attribute of ['data-nodes', 'data-edges', 'data-draws', 'data-state', 'data-highlighted', 'data-zoomed', 'role', 'aria-label', 'id', 'class']) copy.removeAttribute(attribute);
  for (const node of copy.querySelectorAll('[tabindex]')) node.removeAttribute('tabindex');
  const width = Math.ceil(size.width);
  const height = Math.ceil(size.height);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  copy.setAttribute('font-family', getComputedStyle(document.body).fontFamily);
  const background = document.createElementNS(SVG, 'rect');
  for (const [name, value] of Object.entries({ width, height, fill: getComputedStyle(document.body).backgroundColor })) background.setAttribute(name, String(value));
  copy.insertBefore(background, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

/** The SVG drawn on a canvas at twice its size, as base64 PNG. */
function pngOf(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(size.width * 2);
      canvas.height = Math.ceil(size.height * 2);
      const context = canvas.getContext('2d')!;
      context.scale(2, 2);
      context.drawImage(image, 0, 0);
      resolve(canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    image.onerror = () => reject(new Error('the graph could not be drawn as an image'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}

vscode.postMessage({ type: 'ready' });
