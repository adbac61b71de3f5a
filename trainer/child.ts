/**
 * The trainer process. Its parent sends a `start` request (and maybe a
 * `stop`), or a `probe` of the backends, over Node's IPC channel; it answers with protocol events and
 * exits when the run is over. Training never runs in the parent (the VS
 * Code extension host, or the command line's own process).
 */
import { INTERRUPTED_EXIT_CODE, isTrainerRequest, type TrainerEvent } from '../protocol/training';
import { runTraining, type Control } from './engine';
import { probeBackends } from './probe';

const control: Control = { stopRequested: false };
let started = false;
/** The folder of the model being trained, for the message of a run ended at once. */
let runDir: string | undefined;

function send(event: TrainerEvent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(event, undefined, undefined, () => resolve());
  });
}

process.on('message', (message: unknown) => {
  if (!isTrainerRequest(message)) return;
  if (message.type === 'stop') {
    control.stopRequested = true;
    return;
  }
  if (started) return;
  started = true;
  if (message.type === 'probe') {
    void probeBackends(message.native ?? {}).then(async (probed) => {
      await new Promise<void>((resolve) => (process.send ? process.send(probed, undefined, undefined, () => resolve()) : resolve()));
      process.disconnect?.();
    });
    return;
  }
  const pending: Promise<void>[] = [];
  const emit = (event: TrainerEvent): void => {
    if (event.type === 'started') runDir = event.runDir;
    pending.push(send(event));
  };
  void runTraining(message, emit, control).then(async () => {
    await Promise.all(pending);
    process.disconnect?.();
  });
});

// A parent that goes away takes the run with it, after the current batch.
process.on('disconnect', () => {
  control.stopRequested = true;
});

/**
 * Ctrl-C in a terminal interrupts the whole foreground process group, this
 * process with its parent; SIGTERM is how a system asks a process to end.
 * Either one is a stop request: the run ends after the current batch and
 * keeps what was trained. Only signals are counted here, not the parent's
 * `stop` (which the command line sends for the same Ctrl-C), so that one
 * Ctrl-C is one stop; a second signal ends the process at once, keeping
 * the history of the finished epochs but not the model.
 */
let interrupts = 0;
function onInterrupt(signal: NodeJS.Signals): void {
  interrupts++;
  control.stopRequested = true;
  if (interrupts < 2) return;
  const failed: TrainerEvent = { type: 'failed', message: `interrupted again (${signal}): the trainer ended at once, without saving the model`, ...(runDir ? { runDir } : {}) };
  // Ends even if the parent is not reading: the message is a courtesy, the exit is not.
  const exit = (): never => process.exit(INTERRUPTED_EXIT_CODE);
  setTimeout(exit, 1000).unref();
  void send(failed).then(exit);
}
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);
