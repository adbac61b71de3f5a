/**
 * Run folders: `.layerwise/runs/<model>/<timestamp>/` beside the .net file,
 * with history.json (rewritten after every epoch), settings.json,
 * summary.txt and the trained model. Every write goes to a temporary file
 * first and is renamed into place, so a killed run leaves readable files.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunHistory } from '../protocol/history';

export type { BatchRecord, EpochRecord, MemberHistory, RunHistory, RunSettings } from '../protocol/history';

export const HISTORY = 'history.json';
export const SETTINGS = 'settings.json';
export const SUMMARY = 'summary.txt';
export const EVALUATION = 'evaluation.json';

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
  return join(dirname(netFile), '.layerwise', 'runs');
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

export interface RunListing {
  model: string;
  dir: string;
  startedAt: string;
  epochs: number;
  reason?: string;
  /** The last epoch's metrics. */
  metrics?: Record<string, number>;
}

/** Earlier runs under a runs folder, oldest first; unreadable folders are skipped. */
export function listRuns(runsDir: string): RunListing[] {
  const runs: RunListing[] = [];
  for (const model of safeReaddir(runsDir)) {
    for (const stamp of safeReaddir(join(runsDir, model))) {
      const dir = join(runsDir, model, stamp);
      try {
        const history = JSON.parse(readFileSync(join(dir, HISTORY), 'utf8')) as RunHistory;
        const member = history.members[history.members.length - 1];
        const last = member?.epochs[member.epochs.length - 1];
        runs.push({ model, dir, startedAt: history.startedAt, epochs: member?.epochs.length ?? 0, reason: member?.reason, metrics: last?.metrics });
      } catch {
        // A folder without a readable history is not a run.
      }
    }
  }
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}
