/**
 * Run folders: `.layerwise/runs/<model>/<timestamp>/` beside the .net file,
 * with history.json (rewritten after every epoch), events.jsonl (the events
 * sent, appended in whole lines: trainer/eventLog.ts), settings.json,
 * summary.txt and the trained model (protocol/history.ts names them).
 * Every other write goes to a temporary file first and is renamed into
 * place, so a killed run leaves readable files.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RUNS_FOLDER } from '../protocol/history';
import { fileError } from './fileErrors';

export type { BatchRecord, EpochRecord, MemberHistory, RunHistory, RunSettings } from '../protocol/history';


/**
 * Writes a temporary file beside `path` and renames it into place: the final
 * name holds the old content or the new, never a part, even if the process
 * is killed. `durable` also flushes it to disk first, against power loss,
 * for files written once (a model), not for the history rewritten every
 * epoch. A failed write or rename removes the temporary file and throws a
 * FileError that names `path` and the cause.
 */
export function writeAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    // 'wx' fails rather than write into a file that is not ours.
    fd = openSync(temporary, 'wx');
  } catch (error) {
    throw fileError(error, 'cannot write', path);
  }
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
    throw fileError(error, 'cannot write', path);
  }
}

export function defaultRunsDir(netFile: string): string {
  return join(dirname(netFile), ...RUNS_FOLDER);
}

/**
 * A new run folder for a model; the timestamp sorts runs by start time. The
 * leaf is claimed with a mkdir that fails if it exists, so two runs started
 * in the same millisecond (in one process or in several) never share a
 * folder: the one that loses the race takes the next suffix.
 */
export function createRunFolder(runsDir: string, model: string, startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const parent = join(runsDir, model);
  try {
    makeFolders(parent);
  } catch (error) {
    throw fileError(error, 'cannot create the run folder', join(parent, stamp));
  }
  for (let i = 1; ; i++) {
    const dir = join(parent, i === 1 ? stamp : `${stamp}-${i}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(error, 'cannot create the run folder', dir);
    }
  }
}

/**
 * Creates `dir` and the folders above it that are missing, one at a time
 * from the top, so that a failure is the true one: Node's recursive mkdir
 * reports a read-only or forbidden folder on the way as ENOENT.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Made meanwhile by someone else: as good as made here.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A file in place of the folder fails here, as mkdir -p would.
  if (!statSync(dir).isDirectory()) mkdirSync(dir);
}
