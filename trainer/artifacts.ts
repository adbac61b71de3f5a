/**
 * Run folders: `.layerwise/runs/<model>/<timestamp>/` beside the .net file,
 * with history.json (rewritten after every epoch), settings.json,
 * summary.txt and the trained model. Every write goes to a temporary file
 * first and is renamed into place, so a killed run leaves readable files.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RUNS_FOLDER } from '../protocol/history';

export type { BatchRecord, EpochRecord, MemberHistory, RunHistory, RunSettings } from '../protocol/history';


/**
 * Writes a temporary file beside `path` and renames it into place: the final
 * name holds the old content or the new, never a part, even if the process
 * is killed. `durable` also flushes it to disk first, against power loss,
 * for files written once (a model), not for the history rewritten every
 * epoch. A failed write or rename removes the temporary file.
 */
export function writeAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx' fails rather than write into a file that is not ours.
  const fd = openSync(temporary, 'wx');
  try {
    try {
      writeFileSync(fd, content);
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function defaultRunsDir(netFile: string): string {
  return join(dirname(netFile), ...RUNS_FOLDER);
}

/** A new run folder for a model; the timestamp sorts runs by start time. */
export function createRunFolder(runsDir: string, model: string, startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  let dir = join(runsDir, model, stamp);
  for (let i = 2; existsDir(dir); i++) dir = join(runsDir, model, `${stamp}-${i}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
