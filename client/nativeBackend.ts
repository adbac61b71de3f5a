/**
 * The native backends in the editor: where a run looks for them (the
 * setting's folder, the workspace, the extension's per-user folder), the
 * Node.js that runs the trainer (`layerwise.training.runtime`), and
 * "Layerwise: Install Native Backend", which npm-installs the package built
 * for the trainer's TensorFlow.js into the per-user folder, with progress,
 * Cancel and npm's output in the Layerwise channel.
 */
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { INSTALL_NATIVE_COMMAND } from '../protocol/commands';
import { NATIVE_PACKAGES, type NativeBackend, type NativeLocations, type StartedEvent } from '../protocol/training';
import { installNative, npmVersion, nvidiaGpu } from '../trainer/install';
import { probeTrainer, resolveRuntime, type TrainerLaunch } from '../trainer/process';

export class NativeBackends {
  /** Whether this session has already offered the GPU package after a run fell back to wasm. */
  private offeredGpu = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    context.subscriptions.push(vscode.commands.registerCommand(INSTALL_NATIVE_COMMAND, (gpu?: unknown) => this.install(typeof gpu === 'boolean' ? gpu : undefined)));
  }

  /** The per-user folder: in the extension's global storage, so that it survives updates and is the user's own. */
  get userDir(): string {
    return join(this.context.globalStorageUri.fsPath, 'native');
  }

  /** Where a run of `file` looks for the native packages. */
  locations(file: vscode.Uri): Omit<NativeLocations, 'from'> {
    const folder = vscode.workspace.getWorkspaceFolder(file);
    const named = vscode.workspace.getConfiguration('layerwise', file).get<string>('training.nativeModules', '').trim();
    // A relative folder is the workspace folder's, as ESLint's nodePath is.
    const resolved = named && !isAbsolute(named) && folder ? join(folder.uri.fsPath, named) : named;
    return { ...(resolved ? { folder: resolved } : {}), ...(folder ? { root: folder.uri.fsPath } : {}), userDir: this.userDir };
  }

  /** The trainer's executable from the runtime setting; undefined (after saying why) when it cannot run. */
  async launch(file?: vscode.Uri): Promise<TrainerLaunch | undefined> {
    const setting = vscode.workspace.getConfiguration('layerwise', file).get<string>('training.runtime', 'editor');
    const runtime = await resolveRuntime(setting);
    if ('problem' in runtime) {
      this.output.error(runtime.problem);
      void vscode.window.showErrorMessage(`Layerwise: ${runtime.problem}`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'layerwise.training.runtime');
      });
      return undefined;
    }
    return runtime.execPath ? { execPath: runtime.execPath } : {};
  }

  /** After a run started: offer the GPU package once when it fell back to wasm or cpu on a machine with an NVIDIA GPU. */
  async afterStarted(event: StartedEvent): Promise<void> {
    if (this.offeredGpu || event.backend === 'tfjs-node' || event.backend === 'tfjs-node-gpu') return;
    const gpu = await nvidiaGpu();
    if (!gpu || this.offeredGpu) return;
    this.offeredGpu = true;
    void vscode.window.showInformationMessage(`Layerwise: ${event.model} trains on ${event.backend}, though this machine has ${gpu}. The GPU backend trains much faster.`, 'Install GPU Backend').then((choice) => {
      if (choice) void this.install(true);
    });
  }

  /** A run that failed because its chosen native backend is missing: the message, with the button that installs it. True when shown. */
  offerAfterFailure(message: string, backend: string | undefined): boolean {
    if ((backend !== 'tfjs-node' && backend !== 'tfjs-node-gpu') || !/not installed|native addon is missing|built for TensorFlow\.js/.test(message)) return false;
    void vscode.window.showErrorMessage(`Layerwise: ${message}`, 'Install Native Backend', 'Show Output').then((choice) => {
      if (choice === 'Install Native Backend') void this.install(backend === 'tfjs-node-gpu');
      else if (choice) this.output.show(true);
    });
    return true;
  }

  /** Install Native Backend: CPU or GPU (GPU first where nvidia-smi lists one), then npm, with progress and Cancel. */
  async install(gpu?: boolean): Promise<void> {
    try {
      await this.installUnguarded(gpu);
    } catch (error) {
      // A trainer that could not be probed, a folder that could not be written: said, never thrown at the command.
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`install native backend: ${message}`);
      void vscode.window.showErrorMessage(`Layerwise: the native backend could not be installed: ${message}`, 'Show Output').then((choice) => choice && this.output.show(true));
    }
  }

  private async installUnguarded(gpu: boolean | undefined): Promise<void> {
    const npm = await npmVersion();
    if ('problem' in npm) {
      void vscode.window.showErrorMessage(`Layerwise: ${npm.problem}`);
      return;
    }
    const launch = await this.launch();
    if (!launch) return;
    let backend: NativeBackend | undefined = gpu === undefined ? undefined : gpu ? 'tfjs-node-gpu' : 'tfjs-node';
    if (!backend) {
      const device = await nvidiaGpu();
      const choices = [
        { label: 'CPU', description: NATIVE_PACKAGES['tfjs-node'], detail: "TensorFlow's C library on the processor: Linux, macOS or Windows.", backend: 'tfjs-node' as const },
        { label: 'GPU (CUDA)', description: NATIVE_PACKAGES['tfjs-node-gpu'], detail: `An NVIDIA GPU on Linux or Windows (x64) with CUDA 11.2 and cuDNN 8.1${device ? `; this machine has ${device}` : ''}.`, backend: 'tfjs-node-gpu' as const },
      ];
      const picked = await vscode.window.showQuickPick(device ? choices.reverse() : choices, { title: 'Layerwise: Install Native Backend', placeHolder: 'Which TensorFlow.js native backend?' });
      if (!picked) return;
      backend = picked.backend;
    }
    const probed = await probeTrainer({ userDir: this.userDir }, launch);
    const name = `${NATIVE_PACKAGES[backend]}@${probed.tfjsVersion}`;
    this.output.show(true);
    this.output.info(`installing ${name} into ${this.userDir} with npm ${npm.version}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Layerwise: installing ${name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return installNative({
          backend: backend!,
          tfjsVersion: probed.tfjsVersion,
          userDir: this.userDir,
          npmVersion: npm.version,
          signal: controller.signal,
          onOutput: (text) => {
            this.output.append(text);
            const line = text.split(/\r?\n/).filter((l) => l.trim()).at(-1);
            if (line) progress.report({ message: line.slice(0, 120) });
          },
        });
      },
    );
    if (!result.ok) {
      this.output.error(result.message);
      if (result.cancelled) void vscode.window.showInformationMessage(`Layerwise: ${result.message}`);
      else void vscode.window.showErrorMessage(`Layerwise: ${result.message.split('\n')[0]}`, 'Show Output').then((choice) => choice && this.output.show(true));
      return;
    }
    // What a run now finds, from a trainer that looks where runs look.
    const after = await probeTrainer({ userDir: this.userDir }, launch);
    const report = after.backends.find((candidate) => candidate.backend === backend)!;
    const words = report.info ? `${backend} ${report.info.version} loads from ${report.info.folder}` : `${backend} was installed but does not load: ${report.reason}`;
    this.output.info(words);
    if (report.info) void vscode.window.showInformationMessage(`Layerwise: ${words}. Runs with the backend auto or ${backend} use it.`);
    else void vscode.window.showErrorMessage(`Layerwise: ${words}`, 'Show Output').then((choice) => choice && this.output.show(true));
  }
}
