/**
 * The training panel: a webview beside the editor, one per train block,
 * showing a live session or a stored run. The page loads only its own
 * bundled script and style sheet (through asWebviewUri, from
 * dist/webview), under a Content-Security-Policy with a fresh nonce; it
 * says `ready` when it listens, and the panel then sends the whole run so
 * far, so that a panel opened, hidden or revived mid-run shows everything.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RunResult } from '../protocol/editor';
import { SUMMARY_FILE } from '../protocol/history';
import { isPanelPageMessage, type EarlierRun, type PanelHostMessage, type PanelPageMessage, type PanelRun } from '../protocol/panel';
import type { TrainerEvent } from '../protocol/training';
import { renderPanelHtml } from '../webview/html';
import type { TrainingSession } from './session';

export const PANEL_VIEW_TYPE = 'layerwise.training';

/** What a panel keeps in its webview state, to be revived after a reload. */
export interface PanelState {
  run: PanelRun;
}

/** What the panel asks of the rest of the extension. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  log(line: string): void;
  /** Earlier runs of the model, for the Runs tab. */
  earlierRuns(run: PanelRun, except?: string): Promise<EarlierRun[]>;
}

/** The key of a train block: one panel each. */
export function panelKey(uri: string, trainBlock: number): string {
  return `${uri}#${trainBlock}`;
}

export class TrainingPanel {
  private session: TrainingSession | undefined;
  private stored: RunResult | undefined;
  private unsubscribe: (() => void) | undefined;
  private ready = false;
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];

  /** Opens a new panel beside the editor. */
  static create(host: PanelHost, run: PanelRun): TrainingPanel {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, panelTitle(run), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {});
    return new TrainingPanel(host, panel, run);
  }

  constructor(
    private readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    public run: PanelRun,
  ) {
    const webviewRoot = vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'images', 'icon.png');
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isPanelPageMessage(message)) void this.receive(message).catch((error: unknown) => this.report(error));
    });
    panel.onDidDispose(() => {
      // Closing the panel leaves the run going: Stop Training ends it.
      this.disposed = true;
      this.unsubscribe?.();
      for (const listener of this.disposeListeners) listener();
    });
    panel.webview.html = renderPanelHtml({
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'panel.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'panel.css')).toString(),
      nonce: randomBytes(16).toString('base64'),
      cspSource: panel.webview.cspSource,
    });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** Shows a live session from its start; its later events follow as they come. */
  showSession(session: TrainingSession, run: PanelRun): void {
    this.unsubscribe?.();
    this.session = session;
    this.stored = undefined;
    this.setRun(run);
    this.unsubscribe = session.onEvents((events) => {
      if (events.some((event) => event.type === 'started')) {
        this.run = { ...this.run, runDir: session.runDir };
        void this.sendSummary();
      }
      this.post({ type: 'events', events });
      if (events.some((event) => event.type === 'finished' || event.type === 'failed')) void this.sendRuns();
    });
    this.sendAll();
  }

  /** Shows a run read from its folder. */
  showStored(stored: RunResult, run: PanelRun): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.session = undefined;
    this.stored = stored;
    this.setRun({ ...run, runDir: stored.dir });
    this.sendAll();
  }

  private setRun(run: PanelRun): void {
    this.run = run;
    this.panel.title = panelTitle(run);
  }

  /** Everything the page shows, from the start; only once the page listens. */
  private sendAll(): void {
    if (!this.ready) return;
    this.post({ type: 'reset', run: this.run });
    const events: TrainerEvent[] = this.session?.events ?? this.stored?.events ?? [];
    if (events.length) this.post({ type: 'events', events: [...events] });
    const summary = this.stored?.summary;
    if (summary) this.post({ type: 'summary', text: summary });
    else void this.sendSummary();
    void this.sendRuns();
  }

  /** A live run's summary, which the trainer writes into the run folder before it starts. */
  private async sendSummary(): Promise<void> {
    const dir = this.session?.runDir;
    if (!dir) return;
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.Uri.file(dir), SUMMARY_FILE));
      this.post({ type: 'summary', text: Buffer.from(bytes).toString('utf8') });
    } catch (error) {
      this.host.log(`no summary in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async sendRuns(): Promise<void> {
    const runs = await this.host.earlierRuns(this.run, this.session?.runDir ?? this.stored?.dir);
    this.post({ type: 'runs', runs });
  }

  post(message: PanelHostMessage): void {
    if (this.disposed || !this.ready) return;
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: PanelPageMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendAll();
        return;
      case 'stop':
        if (this.session?.isRunning) this.session.stop();
        return;
      case 'saveModel':
        return this.saveModel();
      case 'openRunFolder':
        return openFolder(message.dir ?? this.session?.runDir ?? this.stored?.dir);
      case 'export':
        return this.export(message.format, message.fileName, message.content);
      case 'openLocation': {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(message.file));
        const position = new vscode.Position(Math.max(0, (message.line ?? 1) - 1), Math.max(0, (message.column ?? 1) - 1));
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
        return;
      }
    }
  }

  /** The trained model's folder (model.json and its weights) copied where the user says. */
  private async saveModel(): Promise<void> {
    const events = this.session?.events ?? this.stored?.events ?? [];
    const finished = events.filter((event) => event.type === 'finished').pop();
    const modelPath = finished?.type === 'finished' ? finished.artifacts.model : undefined;
    if (!modelPath) {
      void vscode.window.showWarningMessage('Layerwise: this run has no trained model to save.');
      return;
    }
    const source = vscode.Uri.file(modelPath);
    const target = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Save model here', title: `Save ${finished?.model} (model.json and its weights) into a folder` });
    if (!target?.[0]) return;
    const sourceDir = vscode.Uri.joinPath(source, '..');
    for (const [name, type] of await vscode.workspace.fs.readDirectory(sourceDir)) {
      if (type !== vscode.FileType.File || !/^(model\.json|.*\.bin)$/.test(name)) continue;
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(sourceDir, name), vscode.Uri.joinPath(target[0], name), { overwrite: true });
    }
    this.host.log(`saved ${finished?.model} to ${target[0].fsPath}`);
    void vscode.window.showInformationMessage(`Layerwise: saved ${finished?.model} to ${target[0].fsPath}.`);
  }

  private async export(format: 'png' | 'svg' | 'csv', fileName: string, content: string): Promise<void> {
    const dir = this.session?.runDir ?? this.stored?.dir;
    const safeName = fileName.replace(/[\\/:*?"<>|]/g, '_') || `export.${format}`;
    const defaultUri = dir ? vscode.Uri.file(`${dir}/${safeName}`) : undefined;
    const filters = { [format.toUpperCase()]: [format] };
    const target = await vscode.window.showSaveDialog({ defaultUri, filters, title: `Export ${format.toUpperCase()}` });
    if (!target) return;
    const bytes = format === 'png' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.host.log(`exported ${target.fsPath}`);
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.host.log(`panel: ${message}`);
    void vscode.window.showErrorMessage(`Layerwise: ${message}`);
  }

  dispose(): void {
    this.panel.dispose();
  }
}

function panelTitle(run: PanelRun): string {
  return `Training: ${run.models?.length ? run.models.join(', ') : run.file}`;
}

/** Reveals a folder: in the Explorer when it lies in the workspace, else in the system's file manager. */
async function openFolder(dir: string | undefined): Promise<void> {
  if (!dir) {
    void vscode.window.showInformationMessage('Layerwise: this run has no folder yet.');
    return;
  }
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}
