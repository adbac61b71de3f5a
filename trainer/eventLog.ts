/**
 * The run's events, appended to `events.jsonl` in the run folder as they
 * are sent, so that a panel opened later replays exactly what the live one
 * showed. Batch events wait in memory and go with the next other event
 * (the epoch's, mostly): one append per epoch, not one per batch. Each
 * other event is on disk before it is sent, as history.json is, so a run
 * killed at any moment keeps every epoch anyone heard of. An append is one
 * write of whole lines; a kill can cut only the last line short, and
 * readers ignore a line without its newline.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_FILE } from '../protocol/history';
import type { TrainerEvent } from '../protocol/training';
import { fileError } from './fileErrors';

export class EventLog {
  /** The run folder whose model is being trained, from its `started` to its `finished` or `failed`. */
  private folder: string | undefined;
  /** Lines not yet written: batches of the current epoch, or what came before the next run folder was named. */
  private pending: string[] = [];

  /** The folder of the run under way, if any. */
  get runDir(): string | undefined {
    return this.folder;
  }

  /**
   * Takes `event` before it is sent. A `started` names the folder it goes
   * to (a model's warnings come before it, and are kept for it); a
   * `finished` or `failed` closes the folder (the next member of an
   * ensemble opens it again). Throws a FileError when the file cannot be
   * written: the run then fails with that message.
   */
  record(event: TrainerEvent): void {
    if (event.type === 'started') this.folder = event.runDir;
    this.pending.push(JSON.stringify(event) + '\n');
    if (event.type !== 'batch' && this.folder !== undefined) this.flush(this.folder);
    if (event.type === 'finished' || event.type === 'failed') {
      this.folder = undefined;
      // What was waiting for a folder and never got one (a failure before `started`) is dropped with it.
      this.pending = [];
    }
  }

  private flush(folder: string): void {
    const path = join(folder, EVENTS_FILE);
    const lines = this.pending.join('');
    this.pending = [];
    try {
      // One write of whole lines, in append mode: never interleaved with or overwriting an earlier epoch's.
      appendFileSync(path, lines);
    } catch (error) {
      throw fileError(error, 'cannot write', path);
    }
  }
}
