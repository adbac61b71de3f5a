/**
 * Training from the editor: Train Model, Stop Training and Show Run, the
 * status-bar item, the progress notification and the panels. The trainer
 * runs as a process of its own (never in the extension host); this module
 * only starts it, follows its events through a `TrainingSession`, and
 * shows them. The language server answers what needs the analysis (the
 * train blocks, the first error) or the run folders (earlier runs).
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SHOW_RUN_COMMAND, STOP_TRAINING_COMMAND, TRAIN_COMMAND } from '../protocol/commands';
import { RUN_REQUEST, RUNS_REQUEST, TRAIN_BLOCKS_REQUEST, type RunResult, type RunsResult, type TrainBlocksResult } from '../protocol/editor';
import type { EarlierRun, PanelRun } from '../protocol/panel';
import { describeBackend, type BackendChoice, type StartRequest } from '../protocol/training';
import { TrainingProcess, type TrainerLaunch } from '../trainer/process';
import { NativeBackends } from './nativeBackend';
import { PANEL_VIEW_TYPE, panelKey, TrainingPanel, type PanelHost, type PanelState } from './panel';
import { TrainingSession } from './session';
import { showRunTarget, statusItemArguments, type ShowRunTarget } from './showRun';

interface Running {
  key: string;
  session: TrainingSession;
  run: PanelRun;
}

export class TrainingController implements vscode.Disposable {
  private readonly panels = new Map<string, TrainingPanel>();
  private readonly running = new Map<string, Running>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly panelHost: PanelHost;
  private anyRunning = false;
  /** The key of the run the status-bar item's click shows. */
  private statusKey: string | undefined;
  private readonly native: NativeBackends;

  constructor(
    context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    /** Resolves once the language server answers requests. */
    private readonly clientReady: Promise<void>,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.native = new NativeBackends(context, output);
    this.statusItem = vscode.window.createStatusBarItem('layerwise.training', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'Layerwise Training';
    this.panelHost = {
      extensionUri: context.extensionUri,
      log: (line) => this.log(line),
      earlierRuns: (run, except) => this.earlierRuns(run, except),
    };
    context.subscriptions.push(
      this,
      this.statusItem,
      vscode.commands.registerCommand(TRAIN_COMMAND, (index?: unknown) => this.train(typeof index === 'number' ? index : undefined)),
      vscode.commands.registerCommand(STOP_TRAINING_COMMAND, () => this.stop()),
      vscode.commands.registerCommand(SHOW_RUN_COMMAND, (...args: unknown[]) => this.showRun(showRunTarget(args))),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => this.revive(panel, state as PanelState | undefined),
      }),
    );
  }

  dispose(): void {
    // The extension host is going away: each trainer stops after its batch and keeps what it trained.
    for (const { session } of this.running.values()) session.stop();
  }

  private log(line: string): void {
    this.output.info(line);
  }

  /** Train Model: the train block at the cursor (or the one given, or the one the user picks) of the active .net file. */
  async train(index?: number): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Layerwise: training reads data files and runs code; it is off in untrusted workspaces.');
      return;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'net') {
      void vscode.window.showWarningMessage('Layerwise: open a .net file with a train block to train.');
      return;
    }
    const document = editor.document;
    const uri = document.uri.toString();
    if (document.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('Layerwise: save the file first; training reads its data files from disk beside it.');
      return;
    }
    await this.clientReady;
    const { blocks, firstError } = await this.client.sendRequest<TrainBlocksResult>(TRAIN_BLOCKS_REQUEST, { uri });
    if (firstError) {
      const where = `${vscode.workspace.asRelativePath(document.uri)}:${firstError.line + 1}:${firstError.character + 1}`;
      this.log(`not training ${where}: ${firstError.message}`);
      const choice = await vscode.window.showErrorMessage(`Layerwise: fix the errors first. ${where}: ${firstError.message}`, 'Go to Error');
      if (choice) {
        const position = new vscode.Position(firstError.line, firstError.character);
        await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
      }
      return;
    }
    if (blocks.length === 0) {
      void vscode.window.showWarningMessage('Layerwise: this file has no train block. Add one: `train Model { data = … }`.');
      return;
    }
    let block = index === undefined ? undefined : blocks.find((candidate) => candidate.index === index);
    const line = editor.selection.active.line;
    block ??= blocks.find((candidate) => line >= candidate.startLine && line <= candidate.endLine);
    if (!block && blocks.length === 1) block = blocks[0];
    if (!block) {
      const picked = await vscode.window.showQuickPick(
        blocks.map((candidate) => ({ label: `train ${candidate.models.join(', ')}`, description: `line ${candidate.startLine + 1}`, block: candidate })),
        { placeHolder: 'Which train block?' },
      );
      if (!picked) return;
      block = picked.block;
    }

    // The runtime is resolved before the running check: from that check to
    // the new session's registration nothing awaits, so a second Train of the
    // same block finds the first one running instead of starting a twin.
    const launch = await this.native.launch(document.uri);
    if (!launch) return;
    const backend = vscode.workspace.getConfiguration('layerwise', document.uri).get<BackendChoice>('training.backend', 'auto');
    const key = panelKey(uri, block.index);
    const already = this.running.get(key);
    if (already?.session.isRunning) {
      this.panelFor(key, already.run).showSession(already.session, already.run);
      void vscode.window.showInformationMessage(`Layerwise: ${modelNames(already.run) ?? 'this block'} is already training.`);
      return;
    }

    const request: StartRequest = { type: 'start', file: document.uri.fsPath, trainBlock: block.index, backend, native: this.native.locations(document.uri) };
    if (document.isDirty) request.text = document.getText();
    const run: PanelRun = { file: vscode.workspace.asRelativePath(document.uri), models: block.models, uri, trainBlock: block.index };
    this.start(key, request, run, launch);
  }

  private start(key: string, request: StartRequest, run: PanelRun, launch: TrainerLaunch): void {
    const trainer = new TrainingProcess(request, launch);
    const session = new TrainingSession(request, trainer);
    const running: Running = { key, session, run };
    this.running.set(key, running);
    this.log(`training ${modelNames(run)} from ${run.file} (process ${trainer.pid ?? '?'}${launch.execPath ? ` on ${launch.execPath}` : ''}, backend ${request.backend ?? 'auto'})`);

    this.panelFor(key, run).showSession(session, run);
    session.onEvents((events) => {
      for (const event of events) {
        if (event.type === 'started') {
          const skipped = event.skipped.map((attempt) => `${attempt.backend} (${attempt.reason})`).join('; ');
          this.log(`${event.model}${event.members > 1 ? ` member ${(event.member ?? 0) + 1}/${event.members}` : ''}: ${event.params.total.toLocaleString('en-US')} params, ${event.data.train} training and ${event.data.validation} validation samples, backend ${describeBackend(event.backend, event.backendInfo)}${skipped ? `; skipped ${skipped}` : ''}; run folder ${event.runDir}`);
          void this.native.afterStarted(event);
        } else if (event.type === 'epoch') {
          const metrics = Object.entries(event.metrics).map(([name, value]) => `${name} ${value.toPrecision(4)}`).join(' · ');
          this.log(`${event.model} epoch ${event.epoch}/${event.epochs}: ${metrics} (${event.seconds.toFixed(2)} s)`);
        } else if (event.type === 'finished') {
          this.log(`${event.model} ${event.reason} after ${event.epochs} epochs; best epoch ${event.bestEpoch}; files in ${event.artifacts.runDir}`);
        } else if (event.type === 'warning') {
          this.log(`warning: ${event.model ? `${event.model}: ` : ''}${event.message}`);
          void vscode.window.showWarningMessage(`Layerwise: ${event.model ? `${event.model}: ` : ''}${event.message}`);
        } else if (event.type === 'failed') {
          const where = event.file ? ` (${event.file}${event.line ? `:${event.line}${event.column ? `:${event.column}` : ''}` : ''})` : '';
          this.log(`failed${where}: ${event.message}`);
        }
      }
    });
    session.onChange(() => this.updateStatus());
    this.updateStatus();
    this.showProgress(running);

    void session.done.then(() => {
      this.updateStatus();
      if (session.failure) {
        const failure = session.failure;
        if (this.native.offerAfterFailure(failure.message, request.backend)) return;
        void vscode.window.showErrorMessage(`Layerwise: training ${modelNames(run)} failed: ${failure.message}`, 'Show Output').then((choice) => {
          if (choice) this.output.show(true);
        });
      }
    });
  }

  private showProgress(running: Running): void {
    const { session, run } = running;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${modelNames(run)}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => session.stop());
          let reported = 0;
          const stopListening = session.onChange(() => {
            const fraction = session.progress();
            progress.report({ message: session.statusText(), increment: Math.max(0, fraction - reported) * 100 });
            reported = Math.max(reported, fraction);
          });
          void session.done.then(() => {
            stopListening();
            resolve();
          });
        }),
    );
  }

  private updateStatus(): void {
    const sessions = [...this.running.values()].map((running) => running.session);
    const anyRunning = sessions.some((session) => session.isRunning);
    if (anyRunning !== this.anyRunning) {
      // The Stop Training button's `when` clause: set when it changes, not at every epoch.
      this.anyRunning = anyRunning;
      void vscode.commands.executeCommand('setContext', 'layerwise.trainingRunning', anyRunning);
    }
    const shown = sessions.find((session) => session.isRunning) ?? sessions[sessions.length - 1];
    if (!shown) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `${shown.isRunning ? '$(sync~spin)' : shown.state === 'failed' ? '$(error)' : '$(check)'} ${shown.statusText()}`;
    this.statusItem.tooltip = shown.isRunning ? 'Layerwise: show the training panel (Stop Training ends the run)' : 'Layerwise: show the last run';
    const key = [...this.running.values()].find((running) => running.session === shown)?.key;
    if (key !== this.statusKey) {
      // Set only when the run shown changes: each new command object is registered anew in VS Code and the
      // last one dropped, so a click on the item as drawn a moment ago, mid-run, would name a command gone.
      this.statusKey = key;
      this.statusItem.command = key ? { title: 'Show Training', command: SHOW_RUN_COMMAND, arguments: statusItemArguments(key) } : undefined;
    }
    this.statusItem.show();
  }

  /** Stop Training: the run of the active file's block, the only run, or the one the user picks. */
  async stop(): Promise<void> {
    const live = [...this.running.values()].filter((running) => running.session.isRunning);
    if (live.length === 0) {
      void vscode.window.showInformationMessage('Layerwise: no training is running.');
      return;
    }
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    let chosen = live.length === 1 ? live[0] : live.find((running) => running.run.uri === active);
    if (!chosen) {
      const picked = await vscode.window.showQuickPick(live.map((running) => ({ label: running.session.statusText(), running })), { placeHolder: 'Stop which run?' });
      chosen = picked?.running;
    }
    if (!chosen) return;
    chosen.session.stop();
    this.log(`stopping ${modelNames(chosen.run)} after the current batch`);
  }

  /** Show Run (the run lens, the status bar): a live session's panel, or a stored run in a panel. */
  async showRun({ key, uri, model, dir }: ShowRunTarget): Promise<void> {
    const running = key ? this.running.get(key) : [...this.running.values()].find((candidate) => candidate.run.uri === uri && model !== undefined && candidate.run.models?.includes(model));
    if (running && (running.session.isRunning || !dir || running.session.runDir === dir)) {
      this.panelFor(running.key, running.run).showSession(running.session, running.run);
      return;
    }
    if (!uri || !model) return;
    const stored = await this.client.sendRequest<RunResult | null>(RUN_REQUEST, { uri, model, dir });
    if (!stored) {
      void vscode.window.showInformationMessage(`Layerwise: no run of ${model} was found.`);
      return;
    }
    const run: PanelRun = { file: vscode.workspace.asRelativePath(vscode.Uri.parse(uri)), models: [model], uri, runDir: stored.dir };
    this.panelFor(`${uri}#run:${model}`, run).showStored(stored, run);
  }

  /** The panel of a key, revealed, or a new one. */
  private panelFor(key: string, run: PanelRun): TrainingPanel {
    let panel = this.panels.get(key);
    if (panel && !panel.isDisposed) {
      panel.reveal();
      return panel;
    }
    panel = TrainingPanel.create(this.panelHost, run);
    this.adopt(key, panel);
    return panel;
  }

  private adopt(key: string, panel: TrainingPanel): void {
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
  }

  /** A panel from before a reload: its run again, from the run folder (the trainer of a live run stopped with the old window). */
  private async revive(webviewPanel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void> {
    const run = state?.run ?? { file: 'training' };
    const panel = new TrainingPanel(this.panelHost, webviewPanel, run);
    const key = run.uri !== undefined && run.trainBlock !== undefined ? panelKey(run.uri, run.trainBlock) : `${run.uri}#run:${modelNames(run)}`;
    this.adopt(key, panel);
    const model = shownModel(run);
    if (!run.uri || !model) return;
    await this.clientReady.catch(() => undefined);
    // The run the panel showed, or the model's newest when that folder is gone.
    const ask = (name: string, dir?: string) => this.client.sendRequest<RunResult | null>(RUN_REQUEST, { uri: run.uri, model: name, dir }).catch(() => null);
    const stored = (run.runDir ? await ask(model, run.runDir) : null) ?? (await ask(model));
    if (!stored) return;
    // A block that trains several models showed them side by side: the others' newest runs come first, in the block's order.
    const others = (run.models ?? []).filter((name) => name !== model);
    const before: RunResult[] = [];
    for (const name of others) {
      const other = await ask(name);
      if (other) before.push(other);
    }
    panel.showStored({ ...stored, events: [...before.flatMap((other) => other.events), ...stored.events] }, run);
  }

  private async earlierRuns(run: PanelRun, except?: string): Promise<EarlierRun[]> {
    const model = shownModel(run);
    if (!run.uri || !model) return [];
    return this.client.sendRequest<RunsResult>(RUNS_REQUEST, { uri: run.uri, model, except }).catch(() => []);
  }
}

/** The model a panel shows: the one its run folder belongs to (`<runs>/<model>/<timestamp>`), else the block's last. */
function shownModel(run: PanelRun): string | undefined {
  return run.runDir ? basename(dirname(run.runDir)) : run.models?.[run.models.length - 1];
}

/** A panel's models as the user reads them, `A, B`; undefined when it names none. */
function modelNames(run: PanelRun): string | undefined {
  return run.models?.length ? run.models.join(', ') : undefined;
}
