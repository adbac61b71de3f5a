/**
 * The VS Code extension: starts the bundled language server over IPC and
 * adds the commands that need VS Code itself. Editing features (diagnostics,
 * hover, completion, …) all come from the server.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_SUMMARY_COMMAND, SHOW_GRAPH_COMMAND, SHOW_SUMMARY_COMMAND } from '../protocol/commands';
import { RUN_HISTORY_GLOB } from '../protocol/editor';
import { GraphView } from './graphPanel';
import { TrainingController } from './training';

const SUMMARY_SCHEME = 'layerwise-summary';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  // One "Layerwise" output channel for the server's log and the training runs.
  const output = vscode.window.createOutputChannel('Layerwise', { log: true });
  context.subscriptions.push(output);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'net' }],
    // The client restarts a server that dies (up to 4 times in 3 minutes), with a message in the output channel.
    outputChannel: output,
    synchronize: {
      configurationSection: 'layerwise',
      // The run lenses show each model's last run: the server hears when a run writes its history.
      fileEvents: vscode.workspace.createFileSystemWatcher(RUN_HISTORY_GLOB),
    },
    initializationOptions: vscode.workspace.getConfiguration('layerwise'),
  };
  client = new LanguageClient('layerwise', 'Layerwise', serverOptions, clientOptions);

  const summaries = new SummaryDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    vscode.commands.registerCommand(SHOW_SUMMARY_COMMAND, (model?: string) => showSummary(summaries, model)),
  );
  const ready = client.start();
  new TrainingController(context, client, ready, output);
  const graphView = new GraphView(context.extensionUri, client, ready, (line) => output.info(line));
  context.subscriptions.push(graphView, vscode.commands.registerCommand(SHOW_GRAPH_COMMAND, (model?: string) => graphView.show(model)));
  await ready;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** Read-only documents that show summaries; their text is set before they open. */
class SummaryDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

async function showSummary(summaries: SummaryDocuments, model?: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== 'net') {
    void vscode.window.showWarningMessage('Layerwise: open a .net file to see its model summary.');
    return;
  }
  const source = editor.document.uri;
  try {
    const text = (await client.sendRequest('workspace/executeCommand', { command: SERVER_SUMMARY_COMMAND, arguments: [source.toString(), model] })) as string;
    const name = `${model ?? source.path.split('/').pop()?.replace(/\.net$/, '') ?? 'model'} summary`;
    const uri = vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${name}.txt`, query: source.toString() });
    summaries.set(uri, text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(`Layerwise: ${error instanceof Error ? error.message : String(error)}`);
  }
}
