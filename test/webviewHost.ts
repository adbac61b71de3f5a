/**
 * The training panel's page as a webview would load it, in headless
 * Chromium: the HTML from renderPanelHtml under its own Content-Security-
 * Policy, the built bundles from dist/webview, and VS Code's API replaced by
 * a recorder of the page's messages. Shared by the page's test and the
 * panel speed benchmark.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { PanelHostMessage } from '../protocol/panel';
import { renderPanelHtml } from '../webview/html';
import { repoRoot } from './support';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** The browser's half of the host: VS Code's API as a recorder, and CSP violations kept. */
const HOST_STUB = `
  window.__posted = [];
  window.__violations = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state ?? window.__initialState, setState: (s) => { window.__state = s; } });
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

export interface Theme {
  class: string;
  vars: Record<string, string>;
}

const FONT = { '--vscode-font-family': 'system-ui, sans-serif' };
export const LIGHT: Theme = { class: 'vscode-light', vars: { '--vscode-foreground': '#616161', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#e51400', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece', '--vscode-textLink-foreground': '#005fb8', '--vscode-panel-border': '#e5e5e5', '--vscode-panelTitle-activeForeground': '#3b3b3b', '--vscode-panelTitle-inactiveForeground': '#3b3b3b99', '--vscode-panelTitle-activeBorder': '#005fb8', '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100', ...FONT } };
export const DARK: Theme = { class: 'vscode-dark', vars: { '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c', '--vscode-textLink-foreground': '#4daafc', '--vscode-panel-border': '#2b2b2b', '--vscode-panelTitle-activeForeground': '#e7e7e7', '--vscode-panelTitle-inactiveForeground': '#9d9d9d', '--vscode-panelTitle-activeBorder': '#0078d4', '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100', ...FONT } };
export const HIGH_CONTRAST: Theme = { class: 'vscode-high-contrast', vars: { '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-descriptionForeground': '#ffffff', '--vscode-errorForeground': '#f48771', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-focusBorder': '#f38518', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#ffff00', '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df', '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df', '--vscode-textLink-foreground': '#21a6ff', '--vscode-panel-border': '#6fc3df', '--vscode-panelTitle-activeForeground': '#ffffff', '--vscode-panelTitle-inactiveForeground': '#ffffff', '--vscode-panelTitle-activeBorder': '#6fc3df', '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#f48771', ...FONT } };

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

export interface Panel {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  close: () => Promise<void>;
}

/**
 * Opens the page; `initScript` runs before the page's own script (after the
 * host stub). `testHooks` sets the flag under which the page describes its
 * charts for tests in more data attributes; the extension never sets it.
 */
export async function openPanel(options: { args?: string[]; initScript?: string; testHooks?: boolean } = {}): Promise<Panel> {
  const server = await servePanel();
  const profile = mkdtempSync(join(tmpdir(), 'layerwise-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(HOST_STUB);
  if (options.testHooks) await page.addInitScript('window.layerwiseTestHooks = true;');
  if (options.initScript) await page.addInitScript(options.initScript);
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

/** Sends a host message to the page, as the webview's message channel would. */
export const post = (page: Page, message: PanelHostMessage): Promise<unknown> =>
  page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

export async function setTheme(page: Page, theme: Theme): Promise<void> {
  // As VS Code does: a class on the body and the variables through the CSSOM.
  await page.evaluate(`(() => {
    document.body.className = ${JSON.stringify(theme.class)};
    document.body.removeAttribute('style');
    for (const [name, value] of Object.entries(${JSON.stringify(theme.vars)})) document.body.style.setProperty(name, value);
  })()`);
}
