/**
 * The trainer process. Its parent sends a `start` request (and maybe a
 * `stop`) over Node's IPC channel; it answers with protocol events and
 * exits when the run is over. Training never runs in the parent (the VS
 * Code extension host, or the command line's own process).
 */
import { isTrainerRequest, type TrainerEvent } from '../protocol/training';
import { runTraining, type Control } from './engine';

const control: Control = { stopRequested: false };
let started = false;

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
  const pending: Promise<void>[] = [];
  void runTraining(message, (event) => pending.push(send(event)), control).then(async () => {
    await Promise.all(pending);
    process.disconnect?.();
  });
});

// A parent that goes away takes the run with it, after the current batch.
process.on('disconnect', () => {
  control.stopRequested = true;
});
