/**
 * One training run as the editor follows it: the trainer's events kept for
 * replay (a panel opened or reopened mid-run shows the run so far), handed
 * to listeners in batches at most once per frame interval (a fast run sends
 * thousands of batch events a second, and each webview message costs), and
 * the run's state as the status bar and the progress notification show it.
 *
 * Invariant: no vscode import, so that the tests drive it against a real
 * trainer process.
 */
import type { FailedEvent, FinishedEvent, StartedEvent, StartRequest, TrainerEvent } from '../protocol/training';

/** What a session needs of a trainer: `TrainingProcess` in the editor and in tests. */
export interface TrainerHandle {
  onEvent(listener: (event: TrainerEvent) => void): void;
  stop(): void;
  readonly done: Promise<unknown>;
}

export type SessionState = 'running' | 'stopping' | 'finished' | 'stopped' | 'failed';

/** 60 updates a second at most. */
const FLUSH_MS = 16;

export class TrainingSession {
  /** Every event so far, in the trainer's order. */
  readonly events: TrainerEvent[] = [];
  readonly finished: FinishedEvent[] = [];
  state: SessionState = 'running';
  failure: FailedEvent | undefined;
  /** Resolves once the trainer process has ended and every event was handed on. */
  readonly done: Promise<void>;

  private started: StartedEvent | undefined;
  private lastEpoch: { epoch: number; loss?: number } | undefined;
  private lastBatchLoss: number | undefined;
  private buffer: TrainerEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly batchListeners = new Set<(events: TrainerEvent[]) => void>();
  private readonly changeListeners = new Set<() => void>();

  constructor(
    readonly request: StartRequest,
    private readonly trainer: TrainerHandle,
    private readonly flushMs = FLUSH_MS,
  ) {
    trainer.onEvent((event) => this.receive(event));
    this.done = trainer.done.then(() => {
      this.flush();
      if (this.state === 'running' || this.state === 'stopping') {
        this.state = this.finished.some((event) => event.reason === 'stopped') ? 'stopped' : 'finished';
        this.changed();
      }
    });
  }

  /** The model being trained, once the trainer said (the requested one before). */
  get model(): string | undefined {
    return this.started?.model ?? this.request.model;
  }

  get runDir(): string | undefined {
    return this.started?.runDir ?? this.failure?.runDir;
  }

  get isRunning(): boolean {
    return this.state === 'running' || this.state === 'stopping';
  }

  /** Listens to events in batches; returns the function that stops listening. */
  onEvents(listener: (events: TrainerEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** Listens to changes of what the status shows (a new epoch, the end); returns the function that stops listening. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Ends the run after the current batch; the trainer keeps what was trained. */
  stop(): void {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.trainer.stop();
    this.changed();
  }

  /** `XorNet · epoch 3/20 · loss 0.41`, with the member of an ensemble and the end state. */
  statusText(): string {
    const parts = [this.model ?? 'training'];
    const started = this.started;
    if (started && started.members > 1) parts.push(`member ${(started.member ?? 0) + 1}/${started.members}`);
    if (started) parts.push(`epoch ${this.lastEpoch?.epoch ?? 0}/${started.epochs}`);
    const loss = this.lastEpoch?.loss ?? this.lastBatchLoss;
    if (loss !== undefined) parts.push(`loss ${formatLoss(loss)}`);
    if (this.state !== 'running') parts.push(this.state === 'failed' ? 'failed' : this.state);
    return parts.join(' · ');
  }

  /** The share of the run done, 0 to 1: epochs of all members together. */
  progress(): number {
    const started = this.started;
    if (!started) return 0;
    const total = started.epochs * started.members;
    const done = (started.member ?? 0) * started.epochs + (this.lastEpoch?.epoch ?? 0);
    return total > 0 ? Math.min(1, done / total) : 0;
  }

  private receive(event: TrainerEvent): void {
    this.events.push(event);
    this.buffer.push(event);
    let changed = false;
    switch (event.type) {
      case 'started':
        this.started = event;
        this.lastEpoch = undefined;
        this.lastBatchLoss = undefined;
        changed = true;
        break;
      case 'batch':
        this.lastBatchLoss = event.metrics['loss'];
        break;
      case 'epoch':
        this.lastEpoch = { epoch: event.epoch, loss: event.metrics['loss'] };
        changed = true;
        break;
      case 'finished':
        this.finished.push(event);
        changed = true;
        break;
      case 'failed':
        this.failure = event;
        this.state = 'failed';
        changed = true;
        break;
    }
    // The end of a run, and its start, reach the page at once; batches wait for the next flush.
    if (event.type === 'batch' || event.type === 'epoch') this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    else this.flush();
    if (changed) this.changed();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    for (const listener of this.batchListeners) listener(events);
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

function formatLoss(value: number): string {
  return Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(value >= 100 ? 0 : 2) : value.toExponential(1);
}
