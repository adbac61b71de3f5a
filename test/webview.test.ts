/**
 * The training panel's page in headless Chromium, under the page's own
 * Content-Security-Policy, fed the events of a real run: what the charts
 * hold, the best-epoch marker, the Summary tab, the Stop button, and no CSP
 * violation. Screenshots of the light and dark themes go to test-results/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { PanelHostMessage } from '../protocol/panel';
import type { EpochEvent, FinishedEvent, StartedEvent, TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { renderPanelHtml } from '../webview/html';
import { repoRoot } from './support';

const CHROMIUM = '/usr/bin/chromium';
const EPOCHS = 15;
const skip = !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} is missing (install Debian's chromium; under CI this test fails instead)` : false;

const NET = `model Blobs {
  input [2]
  Dense(64, activation=relu)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=240, centers=3, std=4)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  metrics = [accuracy]
  batch_size = 16
  epochs = ${EPOCHS}
  seed = 5
}
`;

/** The browser's half of the host: VS Code's API as a recorder, and CSP violations kept. */
const HOST_STUB = `
  window.__posted = [];
  window.__violations = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

const LIGHT = { class: 'vscode-light', vars: { '--vscode-foreground': '#616161', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-panel-border': '#e5e5e5', '--vscode-panelTitle-activeForeground': '#3b3b3b', '--vscode-panelTitle-inactiveForeground': '#3b3b3b99', '--vscode-panelTitle-activeBorder': '#005fb8', '--vscode-font-family': 'system-ui, sans-serif' } };
const DARK = { class: 'vscode-dark', vars: { '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-panel-border': '#2b2b2b', '--vscode-panelTitle-activeForeground': '#e7e7e7', '--vscode-panelTitle-inactiveForeground': '#9d9d9d', '--vscode-panelTitle-activeBorder': '#0078d4', '--vscode-font-family': 'system-ui, sans-serif' } };

/** Serves the built page as a webview would: the HTML from renderPanelHtml, the bundles from dist/webview. */
function servePanel(): Promise<Server> {
  const server = createServer((request, response) => {
    const origin = `http://${request.headers.host}`;
    if (request.url === '/') {
      const html = renderPanelHtml({ scriptUri: `${origin}/panel.js`, styleUri: `${origin}/panel.css`, nonce: randomBytes(16).toString('base64'), cspSource: origin });
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    // Chromium asks for a favicon that a webview never would: no content, and no console error.
    if (request.url === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const file = join(repoRoot, 'dist', 'webview', (request.url ?? '').slice(1));
    if (!/^\/panel\.(js|css)(\.map)?$/.test(request.url ?? '') || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': extname(file) === '.css' ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function openPanel(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const server = await servePanel();
  const profile = mkdtempSync(join(tmpdir(), 'layerwise-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(HOST_STUB);
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction('window.__posted.some((m) => m.type === "ready")');
  return {
    page, errors,
    close: async () => {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const post = (page: Page, message: PanelHostMessage): Promise<unknown> =>
  page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

async function setTheme(page: Page, theme: typeof LIGHT): Promise<void> {
  // As VS Code does: a class on the body and the variables through the CSSOM.
  await page.evaluate(`(() => {
    document.body.className = ${JSON.stringify(theme.class)};
    for (const [name, value] of Object.entries(${JSON.stringify(theme.vars)})) document.body.style.setProperty(name, value);
  })()`);
}

describe('the training panel page in Chromium', { skip }, () => {
  let events: TrainerEvent[];
  let summary: string;
  let panel: Awaited<ReturnType<typeof openPanel>>;
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-panel-'));

  before(async () => {
    const file = join(scratch, 'blobs.net');
    writeFileSync(file, NET);
    const run = new TrainingProcess({ type: 'start', file, runsDir: join(scratch, 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    events = (await run.done).events;
    const finished = events.find((e): e is FinishedEvent => e.type === 'finished');
    assert.ok(finished, JSON.stringify(events.filter((e) => e.type === 'failed')));
    summary = readFileSync(finished.artifacts.summary, 'utf8');
    panel = await openPanel();
  });
  after(async () => {
    await panel?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('charts every batch and epoch, marks the best epoch, and shows the summary', async () => {
    const { page } = panel;
    await setTheme(page, LIGHT);
    await post(page, { type: 'reset', run: { file: 'blobs.net' } });
    // Batches of 25 events, as the host coalesces them.
    for (let i = 0; i < events.length; i += 25) await post(page, { type: 'events', events: events.slice(i, i + 25) });
    await post(page, { type: 'summary', text: summary });

    const started = events.find((e): e is StartedEvent => e.type === 'started')!;
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    const batches = events.filter((e) => e.type === 'batch').length;
    assert.equal(epochs.length, EPOCHS);
    assert.equal(batches, EPOCHS * started.batchesPerEpoch);
    const best = epochs.reduce((a, b) => (b.metrics['val_loss']! < a.metrics['val_loss']! ? b : a)).epoch;

    const loss = page.locator('.chart[data-metric="loss"]');
    await loss.and(page.locator(`[data-epoch-points="${EPOCHS}"]`)).waitFor();
    assert.equal(await loss.getAttribute('data-batch-points'), String(batches));
    assert.equal(await loss.getAttribute('data-best-epoch'), String(best));
    assert.equal(await page.locator('.chart[data-metric="acc"]').getAttribute('data-epoch-points'), String(EPOCHS));
    assert.equal(await page.locator('#epoch').textContent(), `${EPOCHS} of ${EPOCHS}`);
    assert.equal(await page.locator('#sizes').textContent(), `${started.data.train} / ${started.data.validation}`);
    assert.match(await page.locator('#best').textContent() ?? '', new RegExp(`^${best} \\(val_loss`));

    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results', 'panel-light.png'), fullPage: true });
    await setTheme(page, DARK);
    await loss.and(page.locator(`[data-epoch-points="${EPOCHS}"]`)).waitFor();
    await page.screenshot({ path: join(repoRoot, 'test-results', 'panel-dark.png'), fullPage: true });

    await page.locator('#tab-summary').click();
    await page.locator('#summary').filter({ visible: true }).waitFor();
    assert.equal(await page.locator('#summary').textContent(), summary);
    assert.match(summary, /Total params/);
  });

  it('posts stop when the Stop button is clicked', async () => {
    const { page } = panel;
    await post(page, { type: 'reset', run: { file: 'blobs.net' } });
    await page.locator('#stop:not([disabled])').click();
    assert.deepEqual(await page.evaluate('window.__posted.filter((m) => m.type === "stop")'), [{ type: 'stop' }]);
  });

  it('reports no CSP violation and no console error', async () => {
    assert.deepEqual(await panel.page.evaluate('window.__violations'), []);
    assert.deepEqual(panel.errors, []);
  });
});
