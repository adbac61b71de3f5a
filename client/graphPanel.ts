/**
 * The graph view: one webview beside the editor that draws the model at the
 * cursor of the .net editor it follows. The graph comes from the language
 * server (the model graph request), asked again a moment after each change
 * of the text, so that the view follows typing; the cursor's moves are
 * posted to the page, which highlights the layer under it, and a click on a
 * layer in the page puts the editor's cursor on it. The page loads only its
 * own bundled script and style sheet, under the same strict
 * Content-Security-Policy as the training panel's.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MODEL_GRAPH_REQUEST, type ModelGraphParams } from '../protocol/editor';
import { isGraphPageMessage, type GraphHostMessage, type GraphPageMessage, type GraphRange, type ModelGraphResult } from '../protocol/graph';
import { renderGraphHtml } from '../webview/html';

export const GRAPH_VIEW_TYPE = 'layerwise.graph';

/** How long after a change of the text the graph is asked for again: edits typed in a burst are drawn once. */
const CHANGE_DELAY_MS = 40;
/** How long after a move of the cursor it is posted (and the model under it looked up). */
const CURSOR_DELAY_MS = 30;

export class GraphView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /** The document the view follows, and the model it shows. */
  private uri: vscode.Uri | undefined;
  private model: string | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  /** The graph on the page: while the cursor moves inside its model, nothing is asked of the server. */
  private shown: ModelGraphResult | null = null;
  /** Later answers win: one asked before an edit must not replace one asked after it. */
  private asked = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: LanguageClient,
    private readonly serverReady: Promise<void>,
    private readonly log: (line: string) => void,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.panel && event.document.uri.toString() === this.uri?.toString() && event.contentChanges.length) this.later('change');
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (this.panel && event.textEditor.document.uri.toString() === this.uri?.toString()) this.later('cursor');
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // The view follows the .net editor in front; other editors (and the view itself) leave it as it is.
        if (!this.panel || editor?.document.languageId !== 'net' || editor.document.uri.toString() === this.uri?.toString()) return;
        this.uri = editor.document.uri;
        this.model = undefined;
        void this.refresh();
      }),
    );
  }

  /** Show Model Graph: opens (or brings forward) the view on the active .net editor's model, or the one named. */
  async show(model?: string): Promise<void> {
    const editor = this.editor() ?? vscode.window.visibleTextEditors.find((candidate) => candidate.document.languageId === 'net');
    if (!editor) {
      void vscode.window.showWarningMessage('Layerwise: open a .net file to see its model graph.');
      return;
    }
    this.uri = editor.document.uri;
    this.model = typeof model === 'string' ? model : undefined;
    if (this.panel) this.panel.reveal(vscode.ViewColumn.Beside, true);
    else this.open();
    await this.refresh(typeof model === 'string' ? model : undefined);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private open(): void {
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Model Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [webviewRoot], retainContextWhenHidden: true });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'images', 'icon.png');
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isGraphPageMessage(message)) void this.receive(message).catch((error: unknown) => this.log(`graph view: ${error instanceof Error ? error.message : String(error)}`));
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.shown = null;
    });
    panel.webview.html = renderGraphHtml({
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'graph.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'graph.css')).toString(),
      nonce: randomBytes(16).toString('base64'),
      cspSource: panel.webview.cspSource,
    });
    this.panel = panel;
  }

  /** The visible editor of the followed document (the active one when it is a .net file). */
  private editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (!this.uri) return active?.document.languageId === 'net' ? active : undefined;
    return vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.uri!.toString());
  }

  private later(what: 'change' | 'cursor'): void {
    if (what === 'change') {
      clearTimeout(this.changeTimer);
      this.changeTimer = setTimeout(() => void this.refresh(), CHANGE_DELAY_MS);
      return;
    }
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => void this.followCursor(), CURSOR_DELAY_MS);
  }

  /** Asks the server for the graph (the named model, else the one at the cursor, else the one shown) and posts it. */
  private async refresh(model?: string): Promise<void> {
    const uri = this.uri;
    if (!uri || !this.panel) return;
    const answer = await this.ask(model);
    if (answer === undefined) return;
    this.display(answer);
    this.postCursor();
  }

  /** The cursor moved: highlight its layer, and show the model it moved into (the server is asked only once it left the shown one). */
  private async followCursor(): Promise<void> {
    const cursor = this.editor()?.selection.active;
    if (!cursor || !this.shown || !within(cursor, this.shown.range)) {
      const answer = await this.ask();
      if (answer && answer.model !== this.model) this.display(answer);
    }
    this.postCursor();
  }

  private display(graph: ModelGraphResult | null): void {
    this.shown = graph;
    this.model = graph?.model ?? this.model;
    this.post({ type: 'graph', file: this.uri?.path.split('/').pop() ?? '', graph });
  }

  /** The server's answer; undefined when it is stale or failed (logged). */
  private async ask(model?: string): Promise<ModelGraphResult | null | undefined> {
    const uri = this.uri;
    if (!uri) return undefined;
    const mine = ++this.asked;
    const selection = this.editor()?.selection.active;
    const params: ModelGraphParams = { uri: uri.toString(), fallback: this.model };
    if (model !== undefined) params.model = model;
    else if (selection) params.position = { line: selection.line, character: selection.character };
    try {
      await this.serverReady;
      const answer = await this.client.sendRequest<ModelGraphResult | null>(MODEL_GRAPH_REQUEST, params);
      return mine === this.asked ? answer : undefined;
    } catch (error) {
      this.log(`graph view: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private postCursor(): void {
    const selection = this.editor()?.selection.active;
    if (selection) this.post({ type: 'cursor', position: { line: selection.line, character: selection.character } });
  }

  private post(message: GraphHostMessage): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private async receive(message: GraphPageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.refresh(this.model);
      case 'reveal':
        return this.reveal(message.range);
      case 'chooseModel':
        return this.refresh(message.model);
      case 'export':
        return this.export(message.format, message.fileName, message.content);
    }
  }

  /** Puts the editor's cursor at the start of the layer, in the editor's own column, and scrolls it into view. */
  private async reveal(range: GraphRange): Promise<void> {
    if (!this.uri) return;
    const document = await vscode.workspace.openTextDocument(this.uri);
    const column = this.editor()?.viewColumn ?? vscode.ViewColumn.One;
    const start = new vscode.Position(range.start.line, range.start.character);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: column, selection: new vscode.Range(start, start) });
    editor.revealRange(new vscode.Range(start, new vscode.Position(range.end.line, range.end.character)), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: 'svg' | 'png', fileName: string, content: string): Promise<void> {
    const safeName = fileName.replace(/[\\/:*?"<>|]/g, '_') || `graph.${format}`;
    const defaultUri = this.uri?.scheme === 'file' ? vscode.Uri.joinPath(this.uri, '..', safeName) : undefined;
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: { [format.toUpperCase()]: [format] }, title: `Export ${format.toUpperCase()}` });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, format === 'png' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8'));
    this.log(`exported ${target.fsPath}`);
  }
}

/** Whether a position lies in a range, its ends included. */
function within(position: vscode.Position, range: GraphRange): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  return !(position.line === end.line && position.character > end.character);
}
