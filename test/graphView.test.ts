/**
 * The graph view's page in headless Chromium, under its own Content-
 * Security-Policy, fed the graphs the server answers (the real analysis of
 * residual.net and of mistakes.net, converted as the server converts them):
 * nodes and edges in the DOM with their shapes, error nodes, a click's
 * reveal message, the cursor's highlight, both exports, zoom, a graph that
 * follows an edit, and no CSP violation or console error throughout.
 * Screenshots of the light, dark and high contrast themes go to
 * test-results/ (and to docs/images/graph.png with LAYERWISE_DOCS_IMAGES=1).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { analyze, getModelGraph } from '../core';
import { isGraphHostMessage, isGraphPageMessage, type GraphHostMessage, type GraphPageMessage, type ModelGraphResult } from '../protocol/graph';
import { toModelGraph } from '../server/convert';
import { renderGraphHtml } from '../webview/html';
import { projectExamples, read, repoRoot } from './support';
import { CHROMIUM, CHROMIUM_FLAGS, DARK, HIGH_CONTRAST, LIGHT, setTheme } from './webviewHost';

const skip = !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} is missing (install Debian's chromium; under CI this test fails instead)` : false;
const results = join(repoRoot, 'test-results');

/** VS Code's API as a recorder of the page's messages, and CSP violations kept. */
const HOST_STUB = `
  window.__posted = [];
  window.__violations = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

/** The graph the server answers for a text. */
function graphOf(text: string, model?: string): ModelGraphResult {
  const analysis = analyze(text);
  return toModelGraph(analysis, getModelGraph(analysis, { model })!);
}

function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    const origin = `http://${request.headers.host}`;
    if (request.url === '/') {
      const html = renderGraphHtml({ scriptUri: `${origin}/graph.js`, styleUri: `${origin}/graph.css`, nonce: randomBytes(16).toString('base64'), cspSource: origin });
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    const file = join(repoRoot, 'dist', 'webview', (request.url ?? '').slice(1));
    if (!/^\/graph\.(js|css)(\.map)?$/.test(request.url ?? '') || !existsSync(file)) {
      response.writeHead(request.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': extname(file) === '.css' ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const post = (page: Page, message: GraphHostMessage): Promise<unknown> => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
const posted = (page: Page, type: GraphPageMessage['type']): Promise<GraphPageMessage[]> =>
  page.evaluate(`window.__posted.filter((m) => m.type === ${JSON.stringify(type)})`) as Promise<GraphPageMessage[]>;

/**
 * Waits until an expression holds in the page, asking from here: the
 * page's CSP forbids the eval that Playwright's in-page polling uses.
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Posts a graph and waits until the page has drawn it. */
async function drawGraph(page: Page, graph: ModelGraphResult | null, file = 'residual.net'): Promise<void> {
  const draws = Number((await page.locator('#graph').getAttribute('data-draws')) ?? '0');
  await post(page, { type: 'graph', file, graph });
  if (graph) await until(page, `Number(document.getElementById('graph').getAttribute('data-draws') ?? '0') > ${draws}`);
  else await until(page, `document.getElementById('graph').getAttribute('data-nodes') === '0'`);
}

describe('graph view page', { skip }, () => {
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];
  const residualText = read(join(projectExamples, 'residual.net'));
  const residual = graphOf(residualText);
  const mistakes = graphOf(read(join(projectExamples, 'errors', 'mistakes.net')));

  before(async () => {
    server = await serve();
    profile = mkdtempSync(join(tmpdir(), 'layerwise-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 900, height: 800 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(HOST_STUB);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await until(page, 'window.__posted.some((m) => m.type === "ready")');
    await setTheme(page, LIGHT);
  });

  after(async () => {
    const violations = page ? await page.evaluate('window.__violations') : [];
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (profile) rmSync(profile, { recursive: true, force: true });
    assert.deepEqual(violations, [], 'no CSP violation');
    assert.deepEqual(errors, [], 'no console error');
  });

  it('draws residual.net: one box per input and layer with its shape, one arrow per tensor', async () => {
    await drawGraph(page, residual);
    const boxes = await page.locator('g.node').evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-name'), n.getAttribute('data-type'), n.getAttribute('data-shape'), n.textContent]));
    assert.deepEqual(boxes.map(([name, type, shape]) => [name, type, shape]), residual.nodes.map((node) => [node.name, node.type, node.outputShape]));
    assert.equal(await page.locator('path.edge').count(), residual.edges.length);
    assert.equal(await page.locator('g.node.input').count(), 2);
    const add = boxes.find(([, type]) => type === 'Add')!;
    assert.match(add[3]!, /\(None, 128\)/);
    assert.match(boxes.find(([name]) => name === 'dense_1')![3]!, /16,512 params/);
    assert.equal(await page.locator('#model').textContent(), 'Residual');
    assert.match((await page.locator('#facts').textContent())!, /27,298 params · 6 layers/);
    // Top to bottom: every arrow goes down, from the bottom of its source to the top of its target.
    const positions = await page.locator('g.node').evaluateAll((nodes) => Object.fromEntries(nodes.map((n) => {
      const box = n.getBoundingClientRect();
      return [n.getAttribute('data-id'), [box.top, box.bottom]];
    })));
    for (const edge of residual.edges) assert.ok(positions[edge.from]![1] <= positions[edge.to]![0], `${edge.from} above ${edge.to}`);
  });

  it('posts a reveal of a layer\'s range when its box is clicked', async () => {
    await page.locator('g.node[data-name="add"]').click();
    const reveals = await posted(page, 'reveal');
    const add = residual.nodes.find((node) => node.name === 'add')!;
    assert.deepEqual(reveals.at(-1), { type: 'reveal', range: add.range });
    assert.equal(add.range.start.line, residualText.split('\n').findIndex((line) => line.includes('Add()')));
  });

  it('highlights the box under the editor\'s cursor: inside a call, or on its statement', async () => {
    const lines = residualText.split('\n');
    const line = lines.findIndex((text) => text.includes('Dropout(0.2)'));
    await post(page, { type: 'cursor', position: { line, character: lines[line]!.indexOf('Dropout') + 2 } });
    await page.locator('g.node.highlighted[data-name="dropout"]').waitFor({ timeout: 5_000 });
    await post(page, { type: 'cursor', position: { line, character: lines[line]!.indexOf('Dense') + 1 } });
    await page.locator('g.node.highlighted[data-name="dense_1"]').waitFor({ timeout: 5_000 });
    await post(page, { type: 'cursor', position: { line, character: 3 } });
    await page.locator('g.node.highlighted[data-name="dropout"]').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('g.node.highlighted').count(), 1);
    await post(page, { type: 'cursor', position: { line: 0, character: 0 } });
    await until(page, `document.querySelectorAll('g.node.highlighted').length === 0`);
  });

  it('zooms with the wheel and fits again with Fit', async () => {
    const before = await page.locator('#viewport').getAttribute('transform');
    await page.mouse.move(450, 400);
    await page.mouse.wheel(0, -400);
    await until(page, `document.getElementById('viewport').getAttribute('transform') !== ${JSON.stringify(before)}`);
    const zoomed = (await page.locator('#viewport').getAttribute('transform'))!;
    assert.match(zoomed, /scale\(/);
    assert.notEqual(zoomed, before);
    await page.locator('#fit').click();
    await until(page, `document.getElementById('viewport').getAttribute('transform') === ${JSON.stringify(before)}`);
  });

  it('exports the graph as SVG with its boxes and colours, and as PNG', async () => {
    await page.locator('#export-svg').click();
    await page.locator('#export-png').click();
    await until(page, 'window.__posted.filter((m) => m.type === "export").length >= 2');
    const [svg, png] = (await posted(page, 'export')) as Extract<GraphPageMessage, { type: 'export' }>[];
    assert.equal(svg!.format, 'svg');
    assert.equal(svg!.fileName, 'Residual-graph.svg');
    assert.match(svg!.content, /^<svg[^>]* width="\d+" height="\d+"/);
    assert.ok(svg!.content.includes('(None, 136)'));
    assert.equal((svg!.content.match(/class="node /g) ?? []).length, residual.nodes.length);
    // The theme's colours resolved: the background, and each box's border.
    assert.match(svg!.content, /^<svg[^>]*><rect width="\d+" height="\d+" fill="rgb\(255, 255, 255\)"/);
    assert.match(svg!.content, /<rect width="120" height="46" rx="4" ry="4" fill="rgb\(255, 255, 255\)" [^>]*stroke="rgb\(26, 133, 255\)"/);
    assert.doesNotMatch(svg!.content, /var\(--/);
    assert.equal(png!.format, 'png');
    assert.equal(png!.fileName, 'Residual-graph.png');
    const bytes = Buffer.from(png!.content, 'base64');
    assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(bytes.length > 2000);
  });

  it('draws layers with errors in the error colour, with their messages, and unconnected layers dashed', async () => {
    await drawGraph(page, mistakes, 'mistakes.net');
    const add = page.locator('g.node[data-name="add"]');
    assert.match((await add.getAttribute('class'))!, /\berror\b/);
    assert.match((await add.getAttribute('class'))!, /\bunconnected\b/);
    assert.match((await add.textContent())!, /Add needs equal shapes/);
    assert.match((await add.locator('title').textContent())!, /error: Add needs equal shapes: \(None, 128\) and \(None, 32\)/);
    const errorCount = mistakes.nodes.filter((node) => node.problems.some((p) => p.severity === 'error')).length;
    assert.equal(await page.locator('g.node.error').count(), errorCount);
    const colours = await page.locator('g.node.error rect').first().evaluate((rect) => getComputedStyle(rect).stroke);
    assert.equal(colours, 'rgb(229, 20, 0)');
    assert.equal(await page.locator('#model').textContent(), 'Mistakes');
    assert.match((await page.locator('#problems').textContent())!, new RegExp(`^${errorCount} errors`));
  });

  it('follows an edit: the new layer is drawn, the zoom kept', async () => {
    await drawGraph(page, residual);
    await page.mouse.move(450, 400);
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(100);
    const zoomed = await page.locator('#viewport').getAttribute('transform');
    const edited = residualText.replace('output both -> Dense(18', 'output both -> Dense(32, activation=relu) -> Dense(18');
    await drawGraph(page, graphOf(edited));
    assert.equal(await page.locator('g.node').count(), residual.nodes.length + 1);
    assert.equal(await page.locator('g.node[data-name="dense_3"]').getAttribute('data-shape'), '(None, 18)');
    assert.equal(await page.locator('g.node[data-name="dense_2"]').getAttribute('data-shape'), '(None, 32)');
    assert.equal(await page.locator('#viewport').getAttribute('transform'), zoomed);
    await drawGraph(page, null, 'empty.net');
    assert.equal(await page.locator('#empty').isVisible(), true);
    assert.equal(await page.locator('g.node').count(), 0);
  });

  it('offers the other models of a file and asks for the one chosen', async () => {
    const text = 'model A {\n  input [4]\n  Dense(2)\n}\n\nmodel B {\n  input [3]\n  Dense(1)\n}\n';
    await drawGraph(page, graphOf(text), 'two.net');
    assert.equal(await page.locator('#model-choice').isVisible(), true);
    await page.locator('#models').selectOption('B');
    assert.deepEqual((await posted(page, 'chooseModel')).at(-1), { type: 'chooseModel', model: 'B' });
  });

  it('looks right in the light, dark and high contrast themes (screenshots in test-results/)', async () => {
    mkdirSync(results, { recursive: true });
    await drawGraph(page, residual);
    await page.locator('#fit').click();
    await post(page, { type: 'cursor', position: { line: residual.nodes.find((n) => n.name === 'add')!.range.start.line, character: 12 } });
    for (const [name, theme] of [['light', LIGHT], ['dark', DARK], ['high-contrast', HIGH_CONTRAST]] as const) {
      await setTheme(page, theme);
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      const text = await page.locator('g.node text.title').first().evaluate((node) => getComputedStyle(node).fill);
      assert.notEqual(background, text, `${name}: text and background differ`);
      await page.screenshot({ path: join(results, `graph-${name}.png`) });
      if (name === 'dark' && process.env['LAYERWISE_DOCS_IMAGES'] === '1') await page.screenshot({ path: join(repoRoot, 'docs', 'images', 'graph.png') });
    }
    await setTheme(page, LIGHT);
  });
});

describe('graph view messages', () => {
  const range = { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } };

  it('accepts the page\'s messages and refuses malformed ones', () => {
    for (const message of [{ type: 'ready' }, { type: 'reveal', range }, { type: 'export', format: 'svg', fileName: 'a.svg', content: '<svg/>' }, { type: 'export', format: 'png', fileName: 'a.png', content: 'iVBO' }, { type: 'chooseModel', model: 'A' }]) {
      assert.equal(isGraphPageMessage(message), true, JSON.stringify(message));
    }
    for (const message of [null, 'ready', {}, { type: 'reveal' }, { type: 'reveal', range: { start: { line: 1 }, end: range.end } }, { type: 'reveal', range: { start: { line: 0.5, character: 0 }, end: range.end } }, { type: 'export', format: 'csv', fileName: 'a', content: '' }, { type: 'export', format: 'svg', content: '' }, { type: 'chooseModel' }, { type: 'stop' }]) {
      assert.equal(isGraphPageMessage(message), false, JSON.stringify(message));
    }
  });

  it('accepts the host\'s messages and refuses malformed ones', () => {
    const graph = graphOf('model A {\n  input [2]\n  Dense(1)\n}\n');
    for (const message of [{ type: 'graph', file: 'a.net', graph }, { type: 'graph', file: 'a.net', graph: null }, { type: 'cursor', position: { line: 0, character: 3 } }]) {
      assert.equal(isGraphHostMessage(message), true, JSON.stringify(message).slice(0, 80));
    }
    for (const message of [undefined, { type: 'graph', graph }, { type: 'graph', file: 'a.net', graph: { nodes: [] } }, { type: 'cursor' }, { type: 'cursor', position: { line: '1', character: 0 } }, { type: 'events' }]) {
      assert.equal(isGraphHostMessage(message), false, JSON.stringify(message));
    }
  });
});

describe('graph view layout', () => {
  const graph = (units: number, extra = false) => {
    const text = `model M {\n  input x: [4]\n  x -> Dense(${units}) -> Dense(2)${extra ? ' -> Dense(2)' : ''}\n}\n`;
    const result = getModelGraph(analyze(text))!;
    return { nodes: result.nodes.map((node) => ({ id: node.id, width: 144, height: 62 })), edges: result.edges };
  };

  it('reuses the last layout when only numbers changed, and lays out again when a layer is added', async () => {
    const { layoutGraph } = await import('../webview/graphLayout.mjs');
    const first = await layoutGraph(graph(8));
    assert.equal(await layoutGraph(graph(16)), first, 'units edited: the same boxes and edges keep the layout');
    const grown = await layoutGraph(graph(16, true));
    assert.notEqual(grown, first);
    assert.equal(grown.nodes.size, first.nodes.size + 1);
    assert.ok(grown.height > first.height);
  });
});
