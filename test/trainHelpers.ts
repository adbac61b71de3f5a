/**
 * What the training tests share: .net files written into scratch folders,
 * and a run in this process through the engine, its events collected.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartRequest, TrainerEvent } from '../protocol/training';
import { runTraining, type Control } from '../trainer/engine';
import { scratchFolders } from './support';

export interface TrainingFiles {
  /** A fresh scratch folder, removed after the file's tests. */
  scratch(): string;
  /** Writes `text` as `model.net`, and each of `files` beside it, into a fresh scratch folder; returns the .net file's path. */
  netFile(text: string, files?: Record<string, string>): string;
  /** Trains in this process, its runs in a scratch folder unless the request names one; the events it sent. */
  trainInProcess(request: Omit<StartRequest, 'type'>, control?: Control): Promise<TrainerEvent[]>;
}

export function trainingFiles(prefix: string): TrainingFiles {
  const scratch = scratchFolders(prefix);
  return {
    scratch,
    netFile(text, files = {}) {
      const dir = scratch();
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      const path = join(dir, 'model.net');
      writeFileSync(path, text);
      return path;
    },
    async trainInProcess(request, control = { stopRequested: false }) {
      const events: TrainerEvent[] = [];
      await runTraining({ type: 'start', runsDir: join(scratch(), 'runs'), ...request }, (event) => events.push(event), control);
      return events;
    },
  };
}
